/* matrix_market.c -- a linear system read from a Matrix Market file.
 *
 * Format: NIST Matrix Market exchange format (Boisvert, Pozo & Remington,
 * "The Matrix Market Exchange Formats: Initial Design", NISTIR 5935, 1996):
 *   %%MatrixMarket matrix coordinate real|integer general|symmetric
 *   % comments
 *   M N NNZ
 *   i j a_ij        (NNZ lines, 1-based; symmetric files list the lower triangle)
 * Only square coordinate matrices are accepted; pattern, complex, array and
 * skew/hermitian files are refused with a message naming file:line. Duplicate
 * entries are summed. A symmetric file with spd = true (default) is the
 * quadratic 1/2 x'Ax - b'x (CG checks definiteness: an indefinite matrix is an
 * error); otherwise the problem is 1/2 ||Ax - b||^2 with f_opt unknown.
 * Every diagonal entry must be nonzero (Jacobi, Gauss-Seidel and SOR divide by it).
 * Without `file` the problem is the 5 x 5 1-D Laplacian tridiag(-1, 2, -1)
 * (the same matrix as tests/data/linsys/sym5.mtx), so that it has defaults.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "problems/linsys.h"

typedef struct {
  ob_linsys_sys sys;
} mm_state;

static const ob_param_spec mm_params[] = {
  { "file", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_PATH | OB_PARAM_NULLABLE, NULL, NULL,
    "the .mtx file (coordinate real, square); null: the built-in 5 x 5 tridiag(-1, 2, -1)" },
  { "spd", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, NULL,
    "treat a symmetric matrix as SPD (quadratic objective, CG reference solution)" },
  { "rhs", OB_PARAM_STRING, "\"ones\"", 0, 0, 0, "ones|random|file", NULL, "right-hand side" },
  { "rhs_file", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE | OB_PARAM_PATH | OB_PARAM_HIDE_IN_ID, NULL, NULL,
    "file with one number per line (rhs = file)" },
  { "instance", OB_PARAM_INT, "1", 1, 1e6, 0, NULL, "i", "instance number (seeds a random rhs with the run seed)" },
  OB_LINSYS_COMMON_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* Reads the next line that is not a comment or blank; 0 at end of file. */
static int mm_next(FILE *f, char *buf, size_t size, int *lineno)
{
  while (fgets(buf, (int)size, f)) {
    (*lineno)++;
    const char *p = buf;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '%' || *p == '\n' || *p == '\r' || *p == '\0') continue;
    return 1;
  }
  return 0;
}

/* Adds file:line to the error just set and returns its code. */
static int mm_where(ob_error *err, const char *path, int line, int code)
{
  ob_error_source(err, path);
  if (err) err->line = line;
  return code;
}
#define MM_FAIL(line_, code_, ...) mm_where(err, path, (line_), ob_error_set(err, (code_), __VA_ARGS__))

static int mm_read(ob_linsys_sys *s, const char *path, bool *symmetric, ob_memtier *mem, ob_error *err)
{
  FILE *f = fopen(path, "r");
  if (!f) {
    int saved = errno;
    ob_error_source(err, path);
    return ob_error_set(err, saved == ENOENT ? OB_ENOINPUT : OB_EIO, "cannot open: %s", strerror(saved));
  }
  char line[1024], w[5][64];
  int lineno = 1, rc = OB_OK;
  size_t *ri = NULL, *ci = NULL;
  double *v = NULL;
  if (!fgets(line, sizeof line, f)) { rc = MM_FAIL(1, OB_EDATA, "empty file"); goto done; }
  if (sscanf(line, "%63s %63s %63s %63s %63s", w[0], w[1], w[2], w[3], w[4]) != 5 ||
      strcmp(w[0], "%%MatrixMarket") != 0 || strcasecmp(w[1], "matrix") != 0) {
    rc = MM_FAIL(1, OB_EDATA, "expected a '%%%%MatrixMarket matrix ...' header");
    goto done;
  }
  if (strcasecmp(w[2], "coordinate") != 0) {
    rc = MM_FAIL(1, OB_EDATA, "format '%s' is not supported (only coordinate)", w[2]);
    goto done;
  }
  if (strcasecmp(w[3], "real") != 0 && strcasecmp(w[3], "integer") != 0) {
    rc = MM_FAIL(1, OB_EDATA, "field '%s' is not supported (only real or integer)", w[3]);
    goto done;
  }
  if (strcasecmp(w[4], "general") == 0) *symmetric = false;
  else if (strcasecmp(w[4], "symmetric") == 0) *symmetric = true;
  else { rc = MM_FAIL(1, OB_EDATA, "symmetry '%s' is not supported (only general or symmetric)", w[4]); goto done; }

  if (!mm_next(f, line, sizeof line, &lineno)) {
    rc = MM_FAIL(lineno, OB_EDATA, "missing the size line 'M N NNZ'");
    goto done;
  }
  long long m, n, nnz;
  char extra;
  if (sscanf(line, "%lld %lld %lld %c", &m, &n, &nnz, &extra) != 3 || m < 1 || n < 1 || nnz < 0) {
    rc = MM_FAIL(lineno, OB_EDATA, "expected the size line 'M N NNZ' with M, N >= 1 and NNZ >= 0");
    goto done;
  }
  if (m != n) {
    char dims[64];
    snprintf(dims, sizeof dims, "%lld x %lld", m, n);
    rc = MM_FAIL(lineno, OB_EDATA, "the matrix is not square (%s)", dims);
    goto done;
  }
  if (n > 100000000LL || nnz > 1000000000LL) {
    rc = MM_FAIL(lineno, OB_EDATA, "the matrix is too large for this build");
    goto done;
  }
  rc = ob_linsys_alloc(s, (size_t)n, mem, err);
  if (rc < 0) goto done;
  size_t cap = (size_t)nnz * (*symmetric ? 2 : 1), k = 0;
  ri = malloc((cap ? cap : 1) * sizeof *ri);
  ci = malloc((cap ? cap : 1) * sizeof *ci);
  v = malloc((cap ? cap : 1) * sizeof *v);
  if (!ri || !ci || !v) { rc = ob_error_set(err, OB_ENOMEM, "out of memory for %lld entries", nnz); goto done; }
  for (long long e = 0; e < nnz; e++) {
    if (!mm_next(f, line, sizeof line, &lineno)) {
      char msg[96];
      snprintf(msg, sizeof msg, "%lld of %lld", e, nnz);
      rc = MM_FAIL(lineno, OB_EDATA, "unexpected end of file: %s entries read", msg);
      goto done;
    }
    long long i, j;
    double a;
    char *end;
    errno = 0;
    i = strtoll(line, &end, 10);
    j = strtoll(end, &end, 10);
    const char *vs = end;
    a = strtod(vs, &end);
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
    if (end == vs || *end != '\0' || errno == ERANGE || !isfinite(a)) {
      rc = MM_FAIL(lineno, OB_EDATA, "expected 'i j value' with a finite value");
      goto done;
    }
    if (i < 1 || i > n || j < 1 || j > n) {
      char msg[96];
      snprintf(msg, sizeof msg, "(%lld, %lld) lies outside the %lld x %lld matrix", i, j, n, n);
      rc = MM_FAIL(lineno, OB_EDATA, "entry %s", msg);
      goto done;
    }
    if (*symmetric && j > i) {
      rc = MM_FAIL(lineno, OB_EDATA, "a symmetric file must list the lower triangle only (i >= j)");
      goto done;
    }
    ri[k] = (size_t)(i - 1); ci[k] = (size_t)(j - 1); v[k] = a; k++;
    if (*symmetric && i != j) { ri[k] = (size_t)(j - 1); ci[k] = (size_t)(i - 1); v[k] = a; k++; }
  }
  if (mm_next(f, line, sizeof line, &lineno)) {
    rc = MM_FAIL(lineno, OB_EDATA, "more entries than the %s announced on the size line", "NNZ");
    goto done;
  }
  if (ferror(f)) { rc = MM_FAIL(lineno, OB_EIO, "read error"); goto done; }
  rc = ob_linsys_from_triplets(s, k, ri, ci, v, err);
done:
  free(ri);
  free(ci);
  free(v);
  fclose(f);
  return rc;
}

static int mm_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  ob_linsys_sys *s = &((mm_state *)vs)->sys;
  bool sym = false;
  int rc;
  const char *path = ob_params_is_null(params, "file") ? NULL : ob_params_string(params, "file");
  if (path) {
    rc = mm_read(s, path, &sym, mem, err);
  } else {
    /* the documented default: the 1-D Laplacian of order 5 (tests/data/linsys/sym5.mtx) */
    size_t ri[13], ci[13], k = 0;
    double v[13];
    path = "(built-in)";
    sym = true;
    rc = ob_linsys_alloc(s, 5, mem, err);
    for (size_t i = 0; i < 5 && rc == OB_OK; i++) {
      ri[k] = i; ci[k] = i; v[k++] = 2.0;
      if (i > 0) { ri[k] = i; ci[k] = i - 1; v[k++] = -1.0; ri[k] = i - 1; ci[k] = i; v[k++] = -1.0; }
    }
    if (rc == OB_OK) rc = ob_linsys_from_triplets(s, k, ri, ci, v, err);
  }
  if (rc < 0) return rc;
  for (size_t i = 0; i < s->n; i++)
    if (s->diag[i] == 0.0) {
      ob_error_source(err, path);
      return ob_error_set(err, OB_EDATA, "diagonal entry (%zu, %zu) is zero: Jacobi, Gauss-Seidel and SOR divide by it",
                          i + 1, i + 1);
    }
  const char *rf = ob_params_is_null(params, "rhs_file") ? NULL : ob_params_string(params, "rhs_file");
  rc = ob_linsys_rhs(s, ob_params_string(params, "rhs"), rf, seed * 1000003u + (uint64_t)ob_params_int(params, "instance"), err);
  if (rc < 0) return rc;
  return ob_linsys_finish(s, params, sym && ob_params_bool(params, "spd"), NAN, mem, err);
}

static void mm_free(void *vs)
{
  ob_linsys_sys_free(&((mm_state *)vs)->sys);
}

const ob_problem_type ob_problem_matrix_market = {
  .name = "matrix_market",
  .summary = "a square sparse system from a Matrix Market .mtx file (coordinate real, general or symmetric)",
  .reference = "Boisvert, Pozo & Remington, The Matrix Market Exchange Formats, NISTIR 5935 (1996)",
  .params = mm_params,
  .state_size = sizeof(mm_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_FOPT | OB_PROVIDES_LINSYS,
  .configure = mm_configure,
  .dim = ob_linsys_hook_dim,
  .eval = ob_linsys_hook_eval,
  .hvp = ob_linsys_hook_hvp,
  .x0 = ob_linsys_hook_x0,
  .f_opt = ob_linsys_hook_f_opt,
  .x_opt = ob_linsys_hook_x_opt,
  .free = mm_free,
  .linsys = ob_linsys_hook_view,
  .metrics = ob_linsys_hook_metrics,
};
