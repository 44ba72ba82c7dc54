/* dataset.c -- LIBSVM and CSV loaders and seeded synthetic generators for
 * binary classification, and the loaders' regression variants (real-valued
 * labels, for ridge_hpo); see dataset.h for the contracts, docs/logreg.md for
 * the formats and the generators' exact construction.
 *
 * Loaders read a file once, line by line, into malloc'ed growable arrays and
 * copy the result into the caller's arena at the end, so a malformed line never
 * leaves a half-built data set behind (the arena owns nothing until success).
 * Every error names the file, line and column. Generators draw from GSL's
 * mt19937 seeded with the spec's own seed; rows are generated one at a time,
 * so dense data goes straight into the arena and sparse data is built row by
 * row. Single-threaded: data sets are built once per cell, in configure.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "problems/dataset.h"

/* Largest feature index we accept from a file: keeps d * 8 bytes work vectors sane. */
#define DATASET_MAX_D 100000000ul

/* ---- growable arrays (scratch while loading) ------------------------------ */

typedef struct {
  size_t n, cap;          /* rows so far */
  double *y;
  size_t *rowptr;         /* n + 1 once finished; rowptr[n] = nnz so far */
  size_t nnz, nnz_cap;
  uint32_t *col;
  double *val;
  size_t d;
} builder;

static int builder_init(builder *b)
{
  memset(b, 0, sizeof *b);
  b->cap = 1024;
  b->nnz_cap = 8192;
  b->y = malloc(b->cap * sizeof *b->y);
  b->rowptr = malloc((b->cap + 1) * sizeof *b->rowptr);
  b->col = malloc(b->nnz_cap * sizeof *b->col);
  b->val = malloc(b->nnz_cap * sizeof *b->val);
  if (!b->y || !b->rowptr || !b->col || !b->val) return OB_ENOMEM;
  b->rowptr[0] = 0;
  return OB_OK;
}

static void builder_free(builder *b)
{
  free(b->y);
  free(b->rowptr);
  free(b->col);
  free(b->val);
  memset(b, 0, sizeof *b);
}

static int builder_push(builder *b, uint32_t j, double v)
{
  if (b->nnz == b->nnz_cap) {
    size_t cap = b->nnz_cap * 2;
    uint32_t *c = realloc(b->col, cap * sizeof *c);
    if (!c) return OB_ENOMEM;
    b->col = c;
    double *w = realloc(b->val, cap * sizeof *w);
    if (!w) return OB_ENOMEM;
    b->val = w;
    b->nnz_cap = cap;
  }
  b->col[b->nnz] = j;
  b->val[b->nnz++] = v;
  if ((size_t)j + 1 > b->d) b->d = (size_t)j + 1;
  return OB_OK;
}

/* Closes the current row with label y. */
static int builder_end_row(builder *b, double y)
{
  if (b->n == b->cap) {
    size_t cap = b->cap * 2;
    double *ny = realloc(b->y, cap * sizeof *ny);
    if (!ny) return OB_ENOMEM;
    b->y = ny;
    size_t *nr = realloc(b->rowptr, (cap + 1) * sizeof *nr);
    if (!nr) return OB_ENOMEM;
    b->rowptr = nr;
    b->cap = cap;
  }
  b->y[b->n++] = y;
  b->rowptr[b->n] = b->nnz;
  return OB_OK;
}

/* Moves the builder's content into the arena as `out` (dense or CSR). */
static int builder_finish(builder *b, bool dense, size_t min_d, ob_memtier *mem, ob_dataset *out,
                          ob_error *err)
{
  memset(out, 0, sizeof *out);
  out->n = b->n;
  out->d = b->d > min_d ? b->d : min_d;
  out->sparse = !dense;
  out->y = ob_memtier_alloc(mem, OB_MEM_DATA, b->n, err);
  if (!out->y) return err ? err->code : OB_ENOMEM;
  memcpy(out->y, b->y, b->n * sizeof *b->y);
  if (dense) {
    if (out->d && out->n > ((size_t)1 << 40) / out->d)
      return ob_error_set(err, OB_ENOMEM, "%zu x %zu dense features do not fit in memory", out->n, out->d);
    out->x = ob_memtier_alloc(mem, OB_MEM_DATA, (out->n * out->d != 0) ? out->n * out->d : 1, err);
    if (!out->x) return err ? err->code : OB_ENOMEM;
    for (size_t i = 0; i < b->n; i++)
      for (size_t k = b->rowptr[i]; k < b->rowptr[i + 1]; k++) out->x[i * out->d + b->col[k]] = b->val[k];
    return OB_OK;
  }
  out->nnz = b->nnz;
  out->rowptr = ob_memtier_alloc_bytes(mem, OB_MEM_DATA, (b->n + 1) * sizeof *out->rowptr, err);
  out->col = ob_memtier_alloc_bytes(mem, OB_MEM_DATA, (b->nnz ? b->nnz : 1) * sizeof *out->col, err);
  out->val = ob_memtier_alloc(mem, OB_MEM_DATA, b->nnz ? b->nnz : 1, err);
  if (!out->rowptr || !out->col || !out->val) return err ? err->code : OB_ENOMEM;
  memcpy(out->rowptr, b->rowptr, (b->n + 1) * sizeof *out->rowptr);
  memcpy(out->col, b->col, b->nnz * sizeof *out->col);
  memcpy(out->val, b->val, b->nnz * sizeof *out->val);
  return OB_OK;
}

/* ---- labels ------------------------------------------------------------------ */

typedef struct {
  long first_neg, first_zero;   /* line of the first -1 / 0 label, 0 when none yet */
  bool real;                    /* regression targets: any finite number, kept as read */
} labels;

/* An error at `line`, `col` of `path`. */
static int data_error(ob_error *err, const char *path, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int data_error(ob_error *err, const char *path, long line, long col, const char *fmt, ...)
{
  if (!err) return OB_EDATA;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->text, sizeof err->text, fmt, ap);
  va_end(ap);
  err->code = OB_EDATA;
  snprintf(err->source, sizeof err->source, "%s", path);
  err->line = (int)line;
  err->column = (int)col;
  return OB_EDATA;
}

/* Checks one label token (already a number v, spelled `tok`) and records its kind. */
static int label_check(labels *lb, double v, const char *tok, const char *path, long line, long col,
                       ob_error *err)
{
  if (lb->real) {
    if (!isfinite(v)) return data_error(err, path, line, col, "label '%s' is not finite", tok);
    return OB_OK;
  }
  if (v == -1.0) {
    if (lb->first_zero)
      return data_error(err, path, line, col, "label -1 mixed with 0 labels (first on line %ld): "
                        "use -1/+1 or 0/1", lb->first_zero);
    if (!lb->first_neg) lb->first_neg = line;
  } else if (v == 0.0) {
    if (lb->first_neg)
      return data_error(err, path, line, col, "label 0 mixed with -1 labels (first on line %ld): "
                        "use -1/+1 or 0/1", lb->first_neg);
    if (!lb->first_zero) lb->first_zero = line;
  } else if (v != 1.0) {
    return data_error(err, path, line, col, "label '%s' is not binary: expected -1/+1 or 0/1", tok);
  }
  return OB_OK;
}

/* Maps {0,1} to {-1,+1} in place; returns the label_map code. */
static int labels_finish(const labels *lb, double *y, size_t n)
{
  if (lb->real || !lb->first_zero) return 0;
  for (size_t i = 0; i < n; i++) y[i] = y[i] == 0.0 ? -1.0 : 1.0;
  return 1;
}

/* ---- file helpers ------------------------------------------------------------ */

static int open_input(const char *path, FILE **f, ob_error *err)
{
  *f = fopen(path, "r");
  if (*f) return OB_OK;
  int saved = errno;
  if (err) {
    ob_error_set(err, saved == ENOENT || saved == ENOTDIR ? OB_ENOINPUT : OB_EIO, "cannot open: %s",
                 strerror(saved));
    snprintf(err->source, sizeof err->source, "%s", path);
    err->line = err->column = 0;
  }
  return saved == ENOENT || saved == ENOTDIR ? OB_ENOINPUT : OB_EIO;
}

/* Copies a token (up to blank or end) for messages. */
static const char *token(const char *s, char *buf, size_t size)
{
  size_t k = 0;
  while (s[k] && s[k] != ' ' && s[k] != '\t' && s[k] != ',' && k + 1 < size) { buf[k] = s[k]; k++; }
  buf[k] = '\0';
  return buf;
}

static void chomp(char *line, ssize_t len)
{
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
}

/* ---- LIBSVM -------------------------------------------------------------------- */

/* Parses one non-empty line into the builder. */
static int libsvm_line(builder *b, labels *lb, char *line, const char *path, long ln, ob_error *err)
{
  char tok[64], *p = line, *end;
  while (*p == ' ' || *p == '\t') p++;
  long col = (long)(p - line) + 1;
  errno = 0;
  double y = strtod(p, &end);
  if (end == p || (*end && *end != ' ' && *end != '\t'))
    return data_error(err, path, ln, col, "label '%s' is not a number", token(p, tok, sizeof tok));
  int rc = label_check(lb, y, token(p, tok, sizeof tok), path, ln, col, err);
  if (rc < 0) return rc;
  p = end;
  long prev = 0;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) break;
    col = (long)(p - line) + 1;
    if (*p < '0' || *p > '9')
      return data_error(err, path, ln, col, "expected 'index:value', got '%s'", token(p, tok, sizeof tok));
    errno = 0;
    unsigned long idx = strtoul(p, &end, 10);
    if (*end != ':')
      return data_error(err, path, ln, col, "expected 'index:value', got '%s'", token(p, tok, sizeof tok));
    if (idx == 0) return data_error(err, path, ln, col, "feature index 0: indices start at 1");
    if (errno == ERANGE || idx > DATASET_MAX_D)
      return data_error(err, path, ln, col, "feature index %s is larger than %lu", token(p, tok, sizeof tok),
                        DATASET_MAX_D);
    if ((long)idx <= prev)
      return data_error(err, path, ln, col, "feature index %lu is not larger than the previous index %ld",
                        idx, prev);
    char *v = end + 1;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || (*end && *end != ' ' && *end != '\t'))
      return data_error(err, path, ln, (long)(v - line) + 1, "value '%s' of feature %lu is not a number",
                        token(v, tok, sizeof tok), idx);
    if (!isfinite(x))
      return data_error(err, path, ln, (long)(v - line) + 1, "value '%s' of feature %lu is not finite",
                        token(v, tok, sizeof tok), idx);
    prev = (long)idx;
    if (x != 0.0 && builder_push(b, (uint32_t)(idx - 1), x) < 0)
      return ob_error_set(err, OB_ENOMEM, "out of memory reading %s", path);
    p = end;
  }
  if (builder_end_row(b, y) < 0) return ob_error_set(err, OB_ENOMEM, "out of memory reading %s", path);
  return OB_OK;
}

static int load_libsvm(const char *path, bool dense, size_t min_d, bool real, ob_memtier *mem, ob_dataset *out,
                       ob_error *err)
{
  FILE *f;
  int rc = open_input(path, &f, err);
  if (rc < 0) return rc;
  builder b;
  labels lb = { 0, 0, real };
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  long ln = 0;
  if (builder_init(&b) < 0) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory reading %s", path);
    goto done;
  }
  while ((len = getline(&line, &cap, f)) >= 0) {
    ln++;
    if ((size_t)len != strlen(line)) {
      rc = data_error(err, path, ln, (long)strlen(line) + 1, "NUL byte: not a text file");
      goto done;
    }
    chomp(line, len);
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) continue;
    if ((rc = libsvm_line(&b, &lb, line, path, ln, err)) < 0) goto done;
  }
  if (ferror(f)) {
    int saved = errno;
    rc = ob_error_set(err, OB_EIO, "read error: %s", strerror(saved));
    ob_error_source(err, path);
    goto done;
  }
  if (b.n == 0) {
    rc = data_error(err, path, 0, 0, "no samples: expected lines of 'label index:value ...'");
    goto done;
  }
  rc = builder_finish(&b, dense, min_d, mem, out, err);
  if (rc == OB_OK) out->label_map = labels_finish(&lb, out->y, out->n);
done:
  free(line);
  builder_free(&b);
  fclose(f);
  return rc;
}

int ob_dataset_load_libsvm(const char *path, bool dense, size_t min_d, ob_memtier *mem, ob_dataset *out,
                           ob_error *err)
{
  return load_libsvm(path, dense, min_d, false, mem, out, err);
}

int ob_dataset_load_libsvm_real(const char *path, bool dense, size_t min_d, ob_memtier *mem, ob_dataset *out,
                                ob_error *err)
{
  return load_libsvm(path, dense, min_d, true, mem, out, err);
}

/* ---- CSV ------------------------------------------------------------------------ */

/* Splits a line on commas in place; returns the field count (at most max). */
static size_t csv_split(char *line, char **fields, size_t max)
{
  size_t k = 0;
  char *p = line;
  for (;;) {
    if (k < max) fields[k] = p;
    k++;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = '\0';
    p = c + 1;
  }
  return k;
}

/* A field as a number: leading/trailing blanks allowed. */
static int csv_number(const char *s, double *v)
{
  char *end;
  while (*s == ' ' || *s == '\t') s++;
  if (!*s) return -1;
  *v = strtod(s, &end);
  if (end == s) return -1;
  while (*end == ' ' || *end == '\t') end++;
  return *end ? -1 : 0;
}

static int load_csv(const char *path, long label_column, long header, bool sparse, bool real, ob_memtier *mem,
                    ob_dataset *out, ob_error *err)
{
  FILE *f;
  int rc = open_input(path, &f, err);
  if (rc < 0) return rc;
  builder b;
  labels lb = { 0, 0, real };
  char *line = NULL, **fields = NULL;
  size_t cap = 0, nf = 0, fcap = 0;
  long ln = 0, nf_line = 0;
  ssize_t len;
  if (builder_init(&b) < 0) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory reading %s", path);
    goto done;
  }
  while ((len = getline(&line, &cap, f)) >= 0) {
    ln++;
    chomp(line, len);
    char *p = line;
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) continue;
    size_t k = csv_split(line, fields, fcap);
    if (k > fcap) {
      /* csv_split cut the line: restore the commas and split again with room */
      for (size_t i = 0; i + 1 < k; i++) line[strlen(line)] = ',';
      char **nfl = realloc(fields, k * sizeof *nfl);
      if (!nfl) { rc = ob_error_set(err, OB_ENOMEM, "out of memory reading %s", path); goto done; }
      fields = nfl;
      fcap = k;
      k = csv_split(line, fields, fcap);
    }
    if (header > 0 && ln <= header) continue;
    if (header < 0 && ln == 1) {
      double v;
      int text = 0;
      for (size_t i = 0; i < k; i++) if (csv_number(fields[i], &v) < 0) text = 1;
      if (text) continue;                      /* automatic: a header line */
    }
    if (nf == 0) {
      nf = k;
      nf_line = ln;
      if (nf < 2) {
        rc = data_error(err, path, ln, 1, "expected a label and at least one feature, found %zu field", nf);
        goto done;
      }
      long lc = label_column < 0 ? (long)nf + label_column : label_column;
      if (lc < 0 || lc >= (long)nf) {
        rc = data_error(err, path, ln, 1, "label_column %ld does not exist: the line has %zu fields",
                        label_column, nf);
        goto done;
      }
      label_column = lc;
    } else if (k != nf) {
      rc = data_error(err, path, ln, 1, "expected %zu fields as on line %ld, found %zu", nf, nf_line, k);
      goto done;
    }
    double y = 0.0;
    uint32_t j = 0;
    for (size_t i = 0; i < k; i++) {
      double v;
      long col = (long)(fields[i] - line) + 1;
      char tok[64];
      if (csv_number(fields[i], &v) < 0) {
        rc = data_error(err, path, ln, col, "field %zu '%s' is not a number", i + 1,
                        token(fields[i], tok, sizeof tok));
        goto done;
      }
      if (!isfinite(v)) {
        rc = data_error(err, path, ln, col, "field %zu '%s' is not finite", i + 1, token(fields[i], tok, sizeof tok));
        goto done;
      }
      if ((long)i == label_column) {
        while (*fields[i] == ' ') fields[i]++;
        if ((rc = label_check(&lb, v, token(fields[i], tok, sizeof tok), path, ln, col, err)) < 0) goto done;
        y = v;
        continue;
      }
      if (v != 0.0 && builder_push(&b, j, v) < 0) {
        rc = ob_error_set(err, OB_ENOMEM, "out of memory reading %s", path);
        goto done;
      }
      j++;
    }
    if (builder_end_row(&b, y) < 0) {
      rc = ob_error_set(err, OB_ENOMEM, "out of memory reading %s", path);
      goto done;
    }
  }
  if (ferror(f)) {
    int saved = errno;
    rc = ob_error_set(err, OB_EIO, "read error: %s", strerror(saved));
    ob_error_source(err, path);
    goto done;
  }
  if (b.n == 0) {
    rc = data_error(err, path, 0, 0, "no samples: expected lines of comma-separated numbers");
    goto done;
  }
  rc = builder_finish(&b, !sparse, nf - 1, mem, out, err);
  if (rc == OB_OK) out->label_map = labels_finish(&lb, out->y, out->n);
done:
  free(line);
  free(fields);
  builder_free(&b);
  fclose(f);
  return rc;
}

int ob_dataset_load_csv(const char *path, long label_column, long header, bool sparse, ob_memtier *mem,
                        ob_dataset *out, ob_error *err)
{
  return load_csv(path, label_column, header, sparse, false, mem, out, err);
}

int ob_dataset_load_csv_real(const char *path, long label_column, long header, bool sparse, ob_memtier *mem,
                             ob_dataset *out, ob_error *err)
{
  return load_csv(path, label_column, header, sparse, true, mem, out, err);
}

/* ---- synthetic ------------------------------------------------------------------ */

static gsl_rng *synth_rng(const ob_synth_spec *s)
{
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (r) gsl_rng_set(r, (unsigned long)(s->seed & 0xffffffffu));
  return r;
}

/* The first d draws: a uniformly random unit vector (normalized Gaussian). */
static void unit_vector(gsl_rng *r, double *u, size_t d)
{
  double s = 0.0;
  for (size_t j = 0; j < d; j++) { u[j] = gsl_ran_gaussian(r, 1.0); s += u[j] * u[j]; }
  s = sqrt(s);
  for (size_t j = 0; j < d; j++) u[j] /= s;
}

int ob_dataset_synthetic_direction(const ob_synth_spec *spec, double *w, ob_error *err)
{
  gsl_rng *r = synth_rng(spec);
  if (!r) return ob_error_set(err, OB_ENOMEM, "out of memory");
  unit_vector(r, w, spec->d);
  gsl_rng_free(r);
  return OB_OK;
}

/* Sample i into row (length d) and returns its label. */
static double synth_row(const ob_synth_spec *s, gsl_rng *r, const double *u, const double *scale, size_t i,
                        double *row)
{
  size_t d = s->d;
  double y = gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0;
  if (!s->separable) {
    for (size_t j = 0; j < d; j++)
      row[j] = scale[j] * (y * 0.5 * s->separation * u[j] + gsl_ran_gaussian(r, 1.0));
    if (s->density < 1.0)
      for (size_t j = 0; j < d; j++)
        if (gsl_rng_uniform(r) >= s->density) row[j] = 0.0;
    return y;
  }
  /* along u: a in [gamma, R), exactly gamma for sample 0; across: a random
   * direction orthogonal to u with length uniform in [0, sqrt(R^2 - a^2)) */
  double a = s->margin + (s->radius - s->margin) * gsl_rng_uniform(r);
  if (i == 0) a = s->margin;
  double zu = 0.0, zz = 0.0;
  for (size_t j = 0; j < d; j++) { row[j] = gsl_ran_gaussian(r, 1.0); zu += row[j] * u[j]; }
  for (size_t j = 0; j < d; j++) { row[j] -= zu * u[j]; zz += row[j] * row[j]; }
  double len = sqrt(fmax(0.0, s->radius * s->radius - a * a)) * gsl_rng_uniform(r);
  double f = zz > 0.0 ? len / sqrt(zz) : 0.0;
  for (size_t j = 0; j < d; j++) row[j] = y * a * u[j] + f * row[j];
  return y;
}

int ob_dataset_synthetic(const ob_synth_spec *s, bool sparse, ob_memtier *mem, ob_dataset *out, ob_error *err)
{
  size_t n = s->n, d = s->d;
  int rc = OB_OK;
  memset(out, 0, sizeof *out);
  if (n < 1 || d < 1) return ob_error_set(err, OB_EINVAL, "n and d must be at least 1");
  if (s->separable && !(s->margin > 0.0 && s->margin <= s->radius))
    return ob_error_set(err, OB_EINVAL, "margin %g must be in (0, radius = %g]", s->margin, s->radius);
  if (!sparse && n > ((size_t)1 << 40) / d)
    return ob_error_set(err, OB_ENOMEM, "%zu x %zu dense features do not fit in memory", n, d);
  gsl_rng *r = synth_rng(s);
  double *u = malloc(d * sizeof *u), *scale = malloc(d * sizeof *scale), *row = malloc(d * sizeof *row);
  builder b;
  int have_b = 0;
  if (!r || !u || !scale || !row) { rc = ob_error_set(err, OB_ENOMEM, "out of memory"); goto done; }
  unit_vector(r, u, d);
  for (size_t j = 0; j < d; j++)
    scale[j] = d == 1 ? 1.0 : pow(s->condition, -0.5 * (double)j / (double)(d - 1));
  out->n = n;
  out->d = d;
  out->sparse = sparse;
  if (!sparse) {
    out->y = ob_memtier_alloc(mem, OB_MEM_DATA, n, err);
    out->x = out->y ? ob_memtier_alloc(mem, OB_MEM_DATA, n * d, err) : NULL;
    if (!out->x) { rc = err ? err->code : OB_ENOMEM; goto done; }
    for (size_t i = 0; i < n; i++) out->y[i] = synth_row(s, r, u, scale, i, out->x + i * d);
  } else {
    if (builder_init(&b) < 0) { rc = ob_error_set(err, OB_ENOMEM, "out of memory"); goto done; }
    have_b = 1;
    for (size_t i = 0; i < n; i++) {
      double y = synth_row(s, r, u, scale, i, row);
      for (size_t j = 0; j < d; j++)
        if (row[j] != 0.0 && builder_push(&b, (uint32_t)j, row[j]) < 0) {
          rc = ob_error_set(err, OB_ENOMEM, "out of memory");
          goto done;
        }
      if (builder_end_row(&b, y) < 0) { rc = ob_error_set(err, OB_ENOMEM, "out of memory"); goto done; }
    }
    rc = builder_finish(&b, false, d, mem, out, err);
    if (rc < 0) goto done;
  }
  if (s->noise > 0.0) {
    /* flip exactly round(noise * n) labels, chosen without replacement */
    size_t k = (size_t)llround(s->noise * (double)n);
    if (k > 0) {
      size_t *all = malloc(n * sizeof *all), *pick = malloc(k * sizeof *pick);
      if (!all || !pick) {
        free(all);
        free(pick);
        rc = ob_error_set(err, OB_ENOMEM, "out of memory");
        goto done;
      }
      for (size_t i = 0; i < n; i++) all[i] = i;
      gsl_ran_choose(r, pick, k, all, n, sizeof *all);
      for (size_t i = 0; i < k; i++) out->y[pick[i]] = -out->y[pick[i]];
      free(all);
      free(pick);
    }
  }
done:
  if (have_b) builder_free(&b);
  free(u);
  free(scale);
  free(row);
  gsl_rng_free(r);
  return rc;
}

/* ---- row access ------------------------------------------------------------------ */

double ob_dataset_dot(const ob_dataset *ds, size_t i, const double *w)
{
  double acc = 0.0;
  if (ds->sparse) {
    for (size_t k = ds->rowptr[i]; k < ds->rowptr[i + 1]; k++) acc += ds->val[k] * w[ds->col[k]];
  } else {
    const double *row = ds->x + i * ds->d;
    for (size_t j = 0; j < ds->d; j++) acc += row[j] * w[j];
  }
  return acc;
}

void ob_dataset_axpy(const ob_dataset *ds, size_t i, double a, double *acc)
{
  if (ds->sparse) {
    for (size_t k = ds->rowptr[i]; k < ds->rowptr[i + 1]; k++) acc[ds->col[k]] += a * ds->val[k];
  } else {
    const double *row = ds->x + i * ds->d;
    for (size_t j = 0; j < ds->d; j++) acc[j] += a * row[j];
  }
}
