/* compare.c -- the checks behind `optbench compare` (see compare.h).
 *
 * Convergence quantities of a run (steps, evaluations, final gap, status) are
 * deterministic functions of the cell and seed (DESIGN 5: placement and thread
 * count change time, never numbers), so they are compared run by run, exactly
 * unless a tolerance is given: one seed needing more steps is a regression
 * even when another needs fewer. Step time and bandwidth are noisy, so they
 * are compared as two samples across the seeds of a group with the
 * Mann-Whitney U test (reports/stats.h) and must also move by more than the
 * relative threshold -- google-benchmark's compare.py reports the U test but
 * has no threshold and never fails; this closes both gaps.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ob_json.h"
#include "reports/compare.h"
#include "reports/stats.h"

void ob_compare_opts_default(ob_compare_opts *o)
{
  o->threshold = 0.10;
  o->alpha = 0.05;
  o->gap_tol = 0;
  o->steps_tol = 0;
  o->success_tol = 0;
  o->fail_on = OB_COMPARE_ALL;
}

int ob_compare_parse_fail_on(const char *s, unsigned *out, ob_error *err)
{
  static const struct { const char *name; unsigned bit; } kinds[] = {
    { "convergence", OB_COMPARE_CONVERGENCE }, { "time", OB_COMPARE_TIME },
    { "bandwidth", OB_COMPARE_BANDWIDTH },     { "all", OB_COMPARE_ALL },
    { "none", 0 },
  };
  unsigned bits = 0;
  const char *p = s;
  if (!*s) return ob_error_set(err, OB_EINVAL, "--fail-on needs a list: convergence,time,bandwidth, all or none");
  for (;;) {
    size_t len = strcspn(p, ",");
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
      if (strlen(kinds[i].name) == len && strncmp(p, kinds[i].name, len) == 0) break;
    if (i == sizeof kinds / sizeof kinds[0])
      return ob_error_set(err, OB_EINVAL,
                          "--fail-on: unknown kind '%.*s' (expected convergence, time, bandwidth, all or none)",
                          (int)len, p);
    bits |= kinds[i].bit;
    if (!p[len]) break;
    p += len + 1;
  }
  *out = bits;
  return OB_OK;
}

static int check_doc(const json_t *doc, ob_error *err)
{
  if (!json_is_object(doc)) return ob_error_set(err, OB_EDATA, "not an optbench results file: expected a JSON object");
  const json_t *v = json_object_get(doc, "schema_version");
  if (!v) return ob_error_at(err, OB_EDATA, "schema_version", "not an optbench results file: no schema_version");
  if (!json_is_integer(v))
    return ob_error_at(err, OB_EDATA, "schema_version", "schema_version must be an integer");
  if (json_integer_value(v) != 1)
    return ob_error_at(err, OB_EDATA, "schema_version",
                       "results schema version %lld is not supported (this optbench reads version 1)",
                       (long long)json_integer_value(v));
  const json_t *runs = json_object_get(doc, "runs");
  if (!json_is_array(runs))
    return ob_error_at(err, OB_EDATA, "runs", "expected an array of runs%s",
                       json_object_get(doc, "problems") ? " (this looks like a suite file, not a results file)" : "");
  json_t *seen = json_object();
  if (!seen) return ob_error_set(err, OB_ENOMEM, "out of memory");
  size_t i;
  const json_t *run;
  char path[64];
  int rc = OB_OK;
  json_array_foreach(runs, i, run) {
    const json_t *id = json_object_get(run, "id");
    if (!json_is_object(run)) {
      snprintf(path, sizeof path, "runs[%zu]", i);
      rc = ob_error_at(err, OB_EDATA, path, "expected a run object");
      break;
    }
    snprintf(path, sizeof path, "runs[%zu].id", i);
    if (!json_is_string(id) || !json_string_value(id)[0]) {
      rc = ob_error_at(err, OB_EDATA, path, "expected the run's id (a non-empty string)");
      break;
    }
    const json_t *prev = json_object_get(seen, json_string_value(id));
    if (prev) {
      rc = ob_error_at(err, OB_EDATA, path, "duplicate run id '%s' (first at runs[%lld])", json_string_value(id),
                       (long long)json_integer_value(prev));
      break;
    }
    json_object_set_new(seen, json_string_value(id), json_integer((json_int_t)i));
  }
  json_decref(seen);
  return rc;
}

int ob_compare_check_doc(const json_t *doc, const char *name, ob_error *err)
{
  int rc = check_doc(doc, err);
  if (rc < 0) ob_error_source(err, name);
  return rc;
}

/* ---- reading run records (absent or null fields read as NaN / NULL) ---- */

static double num(const json_t *v)
{
  return json_is_number(v) ? json_number_value(v) : NAN;
}

static double num2(const json_t *run, const char *k1, const char *k2)
{
  return num(json_object_get(json_object_get(run, k1), k2));
}

static const char *status_of(const json_t *run)
{
  const char *s = json_string_value(json_object_get(run, "status"));
  return s ? s : "";
}

static int is_skipped(const json_t *run)
{
  return strcmp(status_of(run), "skipped") == 0;
}

/* The targets[] entry of a run for gap value t, or NULL. */
static const json_t *target_at(const json_t *run, double t)
{
  size_t i;
  const json_t *e;
  json_array_foreach(json_object_get(run, "targets"), i, e)
    if (num(json_object_get(e, "f_gap")) == t) return e;
  return NULL;
}

/* Final objective quality: the gap when f_opt is known, else f itself; a
 * missing or non-finite value (divergence, error) is +inf, the worst. */
static double final_quality(const json_t *run)
{
  double g = num2(run, "final", "f_gap");
  if (isnan(g)) g = num2(run, "final", "f");
  return isfinite(g) ? g : INFINITY;
}

/* ---- grouping ------------------------------------------------------------ */

typedef struct {
  const json_t *old, *cur;
} pair;

typedef struct {
  char key[512];
  size_t *pairs; /* indices into the pair array */
  size_t n;
} group;

/* The group of a run id: the id without a trailing "/s<digits>". */
static void group_key(const char *id, char *buf, size_t size)
{
  snprintf(buf, size, "%s", id);
  char *slash = strrchr(buf, '/');
  if (slash && slash[1] == 's' && slash[2]) {
    const char *d = slash + 2;
    while (*d >= '0' && *d <= '9') d++;
    if (!*d) *slash = '\0';
  }
}

/* ---- building check rows ---------------------------------------------------- */

typedef struct {
  const ob_compare_opts *o;
  json_t *checks;
  double *ratio[3]; /* new/old ratios for the geometric means: time, bandwidth, steps */
  size_t nratio[3];
  size_t skipped_pairs;
} ctx;

enum { R_TIME, R_BW, R_STEPS };

static int push_ratio(ctx *c, int which, double r)
{
  if (!(r > 0) || !isfinite(r)) return 0;
  double *p = realloc(c->ratio[which], (c->nratio[which] + 1) * sizeof *p);
  if (!p) return -1;
  c->ratio[which] = p;
  p[c->nratio[which]++] = r;
  return 0;
}

static unsigned kind_bit(const char *kind)
{
  return strcmp(kind, "time") == 0 ? OB_COMPARE_TIME
         : strcmp(kind, "bandwidth") == 0 ? OB_COMPARE_BANDWIDTH
                                          : OB_COMPARE_CONVERGENCE;
}

/* Sets key to a copy of v's reference, or null when v is NULL. */
static void set_or_null(json_t *o, const char *key, const json_t *v)
{
  json_object_set_new(o, key, v ? json_incref((json_t *)v) : json_null());
}

static json_t *row_new(const group *g, const pair *pairs, const char *kind, const char *metric, double target)
{
  const json_t *r = pairs[g->pairs[0]].old;
  json_t *row = json_object();
  if (!row) return NULL;
  json_object_set_new(row, "group", json_string(g->key));
  set_or_null(row, "problem", json_object_get(json_object_get(r, "problem"), "id"));
  set_or_null(row, "optimizer", json_object_get(json_object_get(r, "optimizer"), "id"));
  set_or_null(row, "placement", json_object_get(json_object_get(r, "placement"), "name"));
  set_or_null(row, "threads", json_object_get(r, "threads"));
  json_object_set_new(row, "kind", json_string(kind));
  json_object_set_new(row, "metric", json_string(metric));
  json_object_set_new(row, "target", isnan(target) ? json_null() : ob_json_num(target));
  return row;
}

static int row_finish(ctx *c, json_t *row, double old, double cur, double change, const char *verdict,
                      const char *note)
{
  json_object_set_new(row, "old", ob_json_num(old));
  json_object_set_new(row, "new", ob_json_num(cur));
  json_object_set_new(row, "change", ob_json_num(change));
  if (!json_object_get(row, "p_value")) json_object_set_new(row, "p_value", json_null());
  if (!json_object_get(row, "test")) json_object_set_new(row, "test", json_null());
  json_object_set_new(row, "verdict", json_string(verdict));
  const char *kind = json_string_value(json_object_get(row, "kind"));
  int fails = strcmp(verdict, "regressed") == 0 && (c->o->fail_on & kind_bit(kind));
  json_object_set_new(row, "fails", json_boolean(fails));
  json_object_set_new(row, "note", note && *note ? json_string(note) : json_null());
  return json_array_append_new(c->checks, row) == 0 ? 0 : -1;
}

static double rel_change(double old, double cur)
{
  if (old == cur) return 0; /* covers inf == inf */
  if (!isfinite(old) || !isfinite(cur) || old == 0) return NAN;
  return cur / old - 1.0;
}

/* Median of n values copied into scratch (NaN when n == 0). */
static double median_of(const double *v, size_t n, double *scratch)
{
  if (n == 0) return NAN;
  memcpy(scratch, v, n * sizeof *v);
  return ob_stats_median(scratch, n);
}

/* success rate: runs with status target_reached among pairs not skipped */
static int check_success(ctx *c, const group *g, const pair *pairs)
{
  size_t n = 0, ko = 0, kn = 0;
  for (size_t i = 0; i < g->n; i++) {
    const pair *p = &pairs[g->pairs[i]];
    if (is_skipped(p->old) || is_skipped(p->cur)) continue;
    n++;
    ko += strcmp(status_of(p->old), "target_reached") == 0;
    kn += strcmp(status_of(p->cur), "target_reached") == 0;
  }
  if (n == 0) return 0;
  double ro = (double)ko / (double)n, rn = (double)kn / (double)n;
  const char *verdict = "same";
  char note[160] = "";
  if (rn < ro - c->o->success_tol - 1e-12) {
    verdict = "regressed";
    snprintf(note, sizeof note, "%zu of %zu runs reached every target, was %zu", kn, n, ko);
  } else if (rn > ro + c->o->success_tol + 1e-12) {
    verdict = "improved";
    snprintf(note, sizeof note, "%zu of %zu runs reached every target, was %zu", kn, n, ko);
  }
  json_t *row = row_new(g, pairs, "convergence", "success", NAN);
  if (!row) return -1;
  json_object_set_new(row, "n_old", json_integer((json_int_t)n));
  json_object_set_new(row, "n_new", json_integer((json_int_t)n));
  json_object_set_new(row, "old_count", json_integer((json_int_t)ko));
  json_object_set_new(row, "new_count", json_integer((json_int_t)kn));
  return row_finish(c, row, ro, rn, rn - ro, verdict, note);
}

/* steps or evals to one target, run by run */
static int check_target(ctx *c, const group *g, const pair *pairs, double t, const char *field, double *vo,
                        double *vn, double *scratch)
{
  size_t n = 0, both = 0, ro = 0, rn = 0, worse = 0, better = 0, lost = 0, gained = 0;
  double tol = c->o->steps_tol;
  for (size_t i = 0; i < g->n; i++) {
    const pair *p = &pairs[g->pairs[i]];
    if (is_skipped(p->old) || is_skipped(p->cur)) continue;
    const json_t *eo = target_at(p->old, t), *en = target_at(p->cur, t);
    if (!eo || !en) continue; /* the target is not in both suites */
    n++;
    double so = num(json_object_get(eo, field)), sn = num(json_object_get(en, field));
    int ho = !isnan(so), hn = !isnan(sn);
    ro += ho;
    rn += hn;
    if (ho && hn) {
      vo[both] = so;
      vn[both] = sn;
      both++;
      if (sn > so * (1 + tol)) worse++;
      else if (sn * (1 + tol) < so) better++;
    } else if (ho) {
      lost++;
    } else if (hn) {
      gained++;
    }
  }
  if (n == 0) return 0;
  double mo = median_of(vo, both, scratch), mn = median_of(vn, both, scratch);
  const char *verdict = "same";
  char note[200] = "";
  const char *what = strcmp(field, "steps") == 0 ? "steps" : "evaluations";
  if (worse || lost) {
    verdict = "regressed";
    if (worse && lost)
      snprintf(note, sizeof note, "%zu of %zu runs need more %s; %zu lost the target", worse, n, what,
               lost);
    else if (worse)
      snprintf(note, sizeof note, "%zu of %zu runs need more %s", worse, n, what);
    else
      snprintf(note, sizeof note, "%zu of %zu runs no longer reach the target", lost, n);
  } else if (better || gained) {
    verdict = "improved";
    if (gained)
      snprintf(note, sizeof note, "%zu of %zu runs reach the target now; %zu need fewer %s", gained, n, better,
               what);
    else
      snprintf(note, sizeof note, "%zu of %zu runs need fewer %s", better, n, what);
  }
  json_t *row = row_new(g, pairs, "convergence", field, t);
  if (!row) return -1;
  json_object_set_new(row, "n_old", json_integer((json_int_t)n));
  json_object_set_new(row, "n_new", json_integer((json_int_t)n));
  json_object_set_new(row, "old_count", json_integer((json_int_t)ro));
  json_object_set_new(row, "new_count", json_integer((json_int_t)rn));
  double ch = rel_change(mo, mn);
  if (strcmp(field, "steps") == 0 && both > 0 && push_ratio(c, R_STEPS, mn / mo) < 0) {
    json_decref(row);
    return -1;
  }
  return row_finish(c, row, mo, mn, ch, verdict, note);
}

static int check_gap(ctx *c, const group *g, const pair *pairs, double *vo, double *vn, double *scratch)
{
  size_t n = 0, worse = 0, better = 0;
  double tol = c->o->gap_tol;
  for (size_t i = 0; i < g->n; i++) {
    const pair *p = &pairs[g->pairs[i]];
    if (is_skipped(p->old) || is_skipped(p->cur)) continue;
    double qo = final_quality(p->old), qn = final_quality(p->cur);
    vo[n] = qo;
    vn[n] = qn;
    n++;
    if (qn == qo) continue;
    double slack = tol * fabs(qo);
    if (qn > qo + slack || (isinf(qn) && !isinf(qo))) worse++;
    else if (qn < qo - slack || (isinf(qo) && !isinf(qn))) better++;
  }
  if (n == 0) return 0;
  double mo = median_of(vo, n, scratch), mn = median_of(vn, n, scratch);
  const char *verdict = "same";
  char note[160] = "";
  if (worse) {
    verdict = "regressed";
    snprintf(note, sizeof note, "%zu of %zu runs end with a worse gap", worse, n);
  } else if (better) {
    verdict = "improved";
    snprintf(note, sizeof note, "%zu of %zu runs end with a better gap", better, n);
  }
  json_t *row = row_new(g, pairs, "convergence", "final_gap", NAN);
  if (!row) return -1;
  json_object_set_new(row, "n_old", json_integer((json_int_t)n));
  json_object_set_new(row, "n_new", json_integer((json_int_t)n));
  return row_finish(c, row, mo, mn, rel_change(mo, mn), verdict, note);
}

/* step time (higher is worse) or bandwidth (lower is worse), as two samples */
static int check_perf(ctx *c, const group *g, const pair *pairs, int bw, double *vo, double *vn, double *scratch)
{
  const char *k1 = bw ? "memory" : "time", *k2 = bw ? "bandwidth_gbs" : "step_median_s";
  size_t no = 0, nn = 0;
  for (size_t i = 0; i < g->n; i++) {
    const pair *p = &pairs[g->pairs[i]];
    if (is_skipped(p->old) || is_skipped(p->cur)) continue;
    double a = strcmp(status_of(p->old), "error") ? num2(p->old, k1, k2) : NAN;
    double b = strcmp(status_of(p->cur), "error") ? num2(p->cur, k1, k2) : NAN;
    if (a > 0 && isfinite(a)) vo[no++] = a;
    if (b > 0 && isfinite(b)) vn[nn++] = b;
  }
  if (no == 0 || nn == 0) return 0;
  double u, pval;
  int exact = ob_stats_mannwhitney_is_exact(vo, no, vn, nn);
  int rc = ob_stats_mannwhitney(vo, no, vn, nn, &u, &pval);
  if (rc != OB_OK) return -1;
  double mo = median_of(vo, no, scratch), mn = median_of(vn, nn, scratch);
  double ch = mn / mo - 1.0;
  const char *verdict = "same";
  char note[200] = "";
  int worse_dir = bw ? ch < -c->o->threshold : ch > c->o->threshold;
  int better_dir = bw ? ch > c->o->threshold : ch < -c->o->threshold;
  if (no < OB_COMPARE_MIN_SAMPLES || nn < OB_COMPARE_MIN_SAMPLES) {
    verdict = "weak";
    snprintf(note, sizeof note, "%zu vs %zu samples: too few for a significance test (need %d per side)%s", no,
             nn, OB_COMPARE_MIN_SAMPLES,
             worse_dir ? (bw ? "; lower beyond the threshold" : "; slower beyond the threshold")
             : better_dir ? (bw ? "; higher beyond the threshold" : "; faster beyond the threshold")
                          : "");
  } else if (pval < c->o->alpha && worse_dir) {
    verdict = "regressed";
  } else if (pval < c->o->alpha && better_dir) {
    verdict = "improved";
  } else if (worse_dir || better_dir) {
    snprintf(note, sizeof note, "beyond the threshold but not significant (p >= %g)", c->o->alpha);
  } else if (pval < c->o->alpha) {
    snprintf(note, sizeof note, "significant but within the %g%% threshold", 100 * c->o->threshold);
  }
  json_t *row = row_new(g, pairs, bw ? "bandwidth" : "time", bw ? "bandwidth" : "step_time", NAN);
  if (!row) return -1;
  json_object_set_new(row, "n_old", json_integer((json_int_t)no));
  json_object_set_new(row, "n_new", json_integer((json_int_t)nn));
  json_object_set_new(row, "u", ob_json_num(u));
  json_object_set_new(row, "p_value", ob_json_num(pval));
  json_object_set_new(row, "test", json_string(exact ? "exact" : "normal"));
  if (push_ratio(c, bw ? R_BW : R_TIME, mn / mo) < 0) {
    json_decref(row);
    return -1;
  }
  return row_finish(c, row, mo, mn, ch, verdict, note);
}

static int check_group(ctx *c, const group *g, const pair *pairs)
{
  double *vo = malloc(3 * g->n * sizeof *vo);
  if (!vo) return -1;
  double *vn = vo + g->n, *scratch = vo + 2 * g->n;
  int rc = check_success(c, g, pairs);
  /* targets: those of the group's first baseline run that is not skipped */
  const json_t *targets = NULL;
  for (size_t i = 0; i < g->n && !targets; i++) {
    const pair *p = &pairs[g->pairs[i]];
    if (!is_skipped(p->old) && !is_skipped(p->cur)) targets = json_object_get(p->old, "targets");
  }
  size_t k;
  const json_t *e;
  json_array_foreach(targets, k, e) {
    double t = num(json_object_get(e, "f_gap"));
    if (rc < 0 || isnan(t)) continue;
    rc = check_target(c, g, pairs, t, "steps", vo, vn, scratch);
    if (rc >= 0) rc = check_target(c, g, pairs, t, "evals", vo, vn, scratch);
  }
  if (rc >= 0) rc = check_gap(c, g, pairs, vo, vn, scratch);
  if (rc >= 0) rc = check_perf(c, g, pairs, 0, vo, vn, scratch);
  if (rc >= 0) rc = check_perf(c, g, pairs, 1, vo, vn, scratch);
  for (size_t i = 0; i < g->n; i++) {
    const pair *p = &pairs[g->pairs[i]];
    if (is_skipped(p->old) != is_skipped(p->cur)) c->skipped_pairs++;
  }
  free(vo);
  return rc;
}

/* ---- the document ---------------------------------------------------------- */

static json_t *side_info(const json_t *doc, const char *name)
{
  const json_t *tool = json_object_get(doc, "tool"), *ctxt = json_object_get(doc, "context");
  json_t *o = json_object();
  json_object_set_new(o, "file", json_string(name));
  json_object_set_new(o, "runs", json_integer((json_int_t)json_array_size(json_object_get(doc, "runs"))));
  set_or_null(o, "version", json_object_get(tool, "version"));
  set_or_null(o, "git", json_object_get(tool, "git"));
  set_or_null(o, "date", json_object_get(ctxt, "date"));
  set_or_null(o, "cpu", json_object_get(ctxt, "cpu"));
  set_or_null(o, "cores", json_object_get(ctxt, "cores"));
  return o;
}

static json_t *summary_row(const char *metric, const double *r, size_t n)
{
  json_t *o = json_object();
  json_object_set_new(o, "metric", json_string(metric));
  json_object_set_new(o, "groups", json_integer((json_int_t)n));
  double gm = n ? ob_stats_geomean(r, n) : NAN;
  json_object_set_new(o, "geomean_ratio", ob_json_num(gm));
  json_object_set_new(o, "change", ob_json_num(gm - 1.0));
  return o;
}

int ob_compare_docs(const json_t *base, const char *base_name, const json_t *cur, const char *cur_name,
                    const ob_compare_opts *o, json_t **out, ob_error *err)
{
  *out = NULL;
  const json_t *bruns = json_object_get(base, "runs"), *cruns = json_object_get(cur, "runs");
  size_t nb = json_array_size(bruns);
  json_t *cur_index = json_object(), *only_base = json_array(), *only_cur = json_array(), *gindex = json_object();
  pair *pairs = malloc((nb + 1) * sizeof *pairs);
  size_t *pgroup = malloc((nb + 1) * sizeof *pgroup);
  group *groups = NULL;
  size_t npairs = 0, ngroups = 0;
  ctx c = { .o = o, .checks = json_array() };
  json_t *res = NULL;
  int rc = OB_ENOMEM;
  if (!cur_index || !only_base || !only_cur || !gindex || !pairs || !pgroup || !c.checks) goto done;

  size_t i;
  const json_t *run;
  json_array_foreach(cruns, i, run)
    json_object_set_new(cur_index, json_string_value(json_object_get(run, "id")), json_integer((json_int_t)i));
  json_array_foreach(bruns, i, run) {
    const char *id = json_string_value(json_object_get(run, "id"));
    const json_t *ci = json_object_get(cur_index, id);
    if (!ci) {
      json_array_append_new(only_base, json_string(id));
      continue;
    }
    pairs[npairs].old = run;
    pairs[npairs].cur = json_array_get(cruns, (size_t)json_integer_value(ci));
    char key[512];
    group_key(id, key, sizeof key);
    const json_t *gi = json_object_get(gindex, key);
    if (!gi) {
      group *ng = realloc(groups, (ngroups + 1) * sizeof *groups);
      if (!ng) goto done;
      groups = ng;
      memset(&groups[ngroups], 0, sizeof groups[ngroups]);
      snprintf(groups[ngroups].key, sizeof groups[ngroups].key, "%s", key);
      json_object_set_new(gindex, key, json_integer((json_int_t)ngroups));
      pgroup[npairs] = ngroups++;
    } else {
      pgroup[npairs] = (size_t)json_integer_value(gi);
    }
    groups[pgroup[npairs]].n++;
    npairs++;
  }
  {
    json_t *base_index = json_object();
    if (!base_index) goto done;
    json_array_foreach(bruns, i, run)
      json_object_set_new(base_index, json_string_value(json_object_get(run, "id")), json_true());
    json_array_foreach(cruns, i, run) {
      const char *id = json_string_value(json_object_get(run, "id"));
      if (!json_object_get(base_index, id)) json_array_append_new(only_cur, json_string(id));
    }
    json_decref(base_index);
  }
  for (size_t g = 0; g < ngroups; g++) {
    groups[g].pairs = malloc(groups[g].n * sizeof *groups[g].pairs);
    if (!groups[g].pairs) goto done;
    groups[g].n = 0;
  }
  for (size_t p = 0; p < npairs; p++) groups[pgroup[p]].pairs[groups[pgroup[p]].n++] = p;
  for (size_t g = 0; g < ngroups; g++)
    if (check_group(&c, &groups[g], pairs) < 0) goto done;

  res = json_object();
  if (!res) goto done;
  json_object_set_new(res, "schema_version", json_integer(OB_COMPARE_SCHEMA_VERSION));
  json_object_set_new(res, "baseline", side_info(base, base_name));
  json_object_set_new(res, "current", side_info(cur, cur_name));
  json_t *fail_on = json_array();
  if (o->fail_on & OB_COMPARE_CONVERGENCE) json_array_append_new(fail_on, json_string("convergence"));
  if (o->fail_on & OB_COMPARE_TIME) json_array_append_new(fail_on, json_string("time"));
  if (o->fail_on & OB_COMPARE_BANDWIDTH) json_array_append_new(fail_on, json_string("bandwidth"));
  json_object_set_new(res, "settings",
                      json_pack("{s:f, s:f, s:f, s:f, s:f, s:i, s:o}", "threshold", o->threshold, "alpha", o->alpha,
                                "gap_tol", o->gap_tol, "steps_tol", o->steps_tol, "success_tol", o->success_tol,
                                "min_samples", OB_COMPARE_MIN_SAMPLES, "fail_on", fail_on));
  json_object_set_new(res, "paired", json_integer((json_int_t)npairs));
  json_object_set_new(res, "groups", json_integer((json_int_t)ngroups));
  json_object_set(res, "only_in_baseline", only_base);
  json_object_set(res, "only_in_current", only_cur);
  json_object_set(res, "checks", c.checks);
  json_t *summary = json_array();
  json_array_append_new(summary, summary_row("step_time", c.ratio[R_TIME], c.nratio[R_TIME]));
  json_array_append_new(summary, summary_row("bandwidth", c.ratio[R_BW], c.nratio[R_BW]));
  json_array_append_new(summary, summary_row("steps", c.ratio[R_STEPS], c.nratio[R_STEPS]));
  json_object_set_new(res, "summary", summary);

  size_t nreg = 0, nfail = 0, nimp = 0, nweak = 0, nsame = 0;
  const json_t *row;
  json_array_foreach(c.checks, i, row) {
    const char *v = json_string_value(json_object_get(row, "verdict"));
    if (strcmp(v, "regressed") == 0) nreg++;
    else if (strcmp(v, "improved") == 0) nimp++;
    else if (strcmp(v, "weak") == 0) nweak++;
    else nsame++;
    if (json_is_true(json_object_get(row, "fails"))) nfail++;
  }
  json_object_set_new(res, "counts",
                      json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "checks", (json_int_t)json_array_size(c.checks),
                                "regressed", (json_int_t)nreg, "failing", (json_int_t)nfail, "improved",
                                (json_int_t)nimp, "weak", (json_int_t)nweak, "same", (json_int_t)nsame));

  json_t *notes = json_array();
  const json_t *bctx = json_object_get(base, "context"), *cctx = json_object_get(cur, "context");
  const char *bcpu = json_string_value(json_object_get(bctx, "cpu"));
  const char *ccpu = json_string_value(json_object_get(cctx, "cpu"));
  json_int_t bcores = json_integer_value(json_object_get(bctx, "cores"));
  json_int_t ccores = json_integer_value(json_object_get(cctx, "cores"));
  if (!bcpu || !ccpu || strcmp(bcpu, ccpu) != 0 || bcores != ccores) {
    char buf[512];
    snprintf(buf, sizeof buf,
             "baseline and current ran on different machines ('%s', %lld cores vs '%s', %lld cores): time and "
             "bandwidth changes mix code and machine",
             bcpu ? bcpu : "?", (long long)bcores, ccpu ? ccpu : "?", (long long)ccores);
    json_array_append_new(notes, json_string(buf));
  }
  if (nweak) {
    char buf[256];
    snprintf(buf, sizeof buf,
             "%zu time/bandwidth checks have fewer than %d samples per side (seeds): reported, never judged; "
             "use more seeds for a test",
             nweak, OB_COMPARE_MIN_SAMPLES);
    json_array_append_new(notes, json_string(buf));
  }
  if (c.skipped_pairs) {
    char buf[200];
    snprintf(buf, sizeof buf, "%zu paired runs were skipped in only one of the files and are not compared",
             c.skipped_pairs);
    json_array_append_new(notes, json_string(buf));
  }
  json_object_set_new(res, "notes", notes);
  rc = OB_OK;

done:
  if (rc != OB_OK) {
    json_decref(res);
    res = NULL;
    ob_error_set(err, rc, "out of memory");
  }
  for (size_t g = 0; g < ngroups; g++) free(groups[g].pairs);
  free(groups);
  free(pairs);
  free(pgroup);
  for (int k = 0; k < 3; k++) free(c.ratio[k]);
  json_decref(c.checks);
  json_decref(cur_index);
  json_decref(only_base);
  json_decref(only_cur);
  json_decref(gindex);
  *out = res;
  return rc;
}

int ob_compare_files(const char *base_path, const char *cur_path, const ob_compare_opts *o, json_t **out,
                     ob_error *err)
{
  json_t *base = NULL, *cur = NULL;
  *out = NULL;
  int rc = ob_json_load_file(base_path, &base, err);
  if (rc == OB_OK) rc = ob_json_load_file(cur_path, &cur, err);
  if (rc == OB_OK) rc = ob_compare_check_doc(base, base_path, err);
  if (rc == OB_OK) rc = ob_compare_check_doc(cur, cur_path, err);
  if (rc == OB_OK) rc = ob_compare_docs(base, base_path, cur, cur_path, o, out, err);
  json_decref(base);
  json_decref(cur);
  return rc;
}

size_t ob_compare_failing(const json_t *cmp)
{
  return (size_t)json_integer_value(json_object_get(json_object_get(cmp, "counts"), "failing"));
}

/* ---- Markdown ------------------------------------------------------------------ */

static void fmt_seconds(char *buf, size_t size, double s)
{
  if (s < 1e-6) snprintf(buf, size, "%.3g ns", s * 1e9);
  else if (s < 1e-3) snprintf(buf, size, "%.3g us", s * 1e6);
  else if (s < 1) snprintf(buf, size, "%.3g ms", s * 1e3);
  else snprintf(buf, size, "%.3g s", s);
}

static void fmt_value(char *buf, size_t size, const json_t *row, const char *side)
{
  const char *m = json_string_value(json_object_get(row, "metric"));
  const json_t *v = json_object_get(row, side);
  char count_key[16];
  snprintf(count_key, sizeof count_key, "%s_count", side);
  json_int_t n = json_integer_value(json_object_get(row, strcmp(side, "old") == 0 ? "n_old" : "n_new"));
  json_int_t k = json_integer_value(json_object_get(row, count_key));
  if (strcmp(m, "success") == 0) {
    snprintf(buf, size, "%.0f%% (%lld/%lld)", 100 * num(v), (long long)k, (long long)n);
  } else if (strcmp(m, "steps") == 0 || strcmp(m, "evals") == 0) {
    char reach[48] = "";
    if (k < n) snprintf(reach, sizeof reach, " [%lld/%lld reached]", (long long)k, (long long)n);
    if (json_is_number(v)) snprintf(buf, size, "%g%s", num(v), reach);
    else snprintf(buf, size, "—%s", reach);
  } else if (strcmp(m, "final_gap") == 0) {
    if (json_is_number(v)) snprintf(buf, size, "%.3g", num(v));
    else snprintf(buf, size, "inf");
  } else if (strcmp(m, "step_time") == 0) {
    fmt_seconds(buf, size, num(v));
  } else {
    snprintf(buf, size, "%.3g GB/s", num(v));
  }
}

static void fmt_check(char *buf, size_t size, const json_t *row)
{
  const char *m = json_string_value(json_object_get(row, "metric"));
  double t = num(json_object_get(row, "target"));
  if (strcmp(m, "steps") == 0 || strcmp(m, "evals") == 0) snprintf(buf, size, "%s to %g", m, t);
  else if (strcmp(m, "final_gap") == 0) snprintf(buf, size, "final gap");
  else if (strcmp(m, "step_time") == 0) snprintf(buf, size, "step time");
  else snprintf(buf, size, "%s", m);
}

static void fmt_change(char *buf, size_t size, const json_t *row)
{
  const char *m = json_string_value(json_object_get(row, "metric"));
  const json_t *ch = json_object_get(row, "change");
  if (!json_is_number(ch)) snprintf(buf, size, "—");
  else if (strcmp(m, "success") == 0) snprintf(buf, size, "%+.0f pts", 100 * num(ch));
  else snprintf(buf, size, "%+.1f%%", 100 * num(ch));
}

static void list_ids(FILE *f, const char *label, const json_t *ids)
{
  size_t n = json_array_size(ids), i;
  const json_t *id;
  if (!n) return;
  fprintf(f, "\n%s (%zu, not compared):\n", label, n);
  json_array_foreach(ids, i, id) {
    if (i == 10) {
      fprintf(f, "- ... and %zu more\n", n - 10);
      break;
    }
    fprintf(f, "- `%s`\n", json_string_value(id));
  }
}

int ob_compare_write_md(FILE *f, const json_t *cmp, int all)
{
  const json_t *b = json_object_get(cmp, "baseline"), *c = json_object_get(cmp, "current");
  const json_t *s = json_object_get(cmp, "settings"), *counts = json_object_get(cmp, "counts");
  fprintf(f, "# optbench compare\n\n");
  const json_t *sides[2] = { b, c };
  const char *labels[2] = { "baseline", "current" };
  for (int k = 0; k < 2; k++) {
    const char *git = json_string_value(json_object_get(sides[k], "git"));
    const char *ver = json_string_value(json_object_get(sides[k], "version"));
    const char *date = json_string_value(json_object_get(sides[k], "date"));
    fprintf(f, "- %s: `%s` (%lld runs; optbench %s, git %s; %s)\n", labels[k],
            json_string_value(json_object_get(sides[k], "file")),
            (long long)json_integer_value(json_object_get(sides[k], "runs")), ver ? ver : "?", git ? git : "?",
            date ? date : "no date");
  }
  fprintf(f, "- paired: %lld runs in %lld groups (problem/optimizer/placement/threads, across seeds)\n",
          (long long)json_integer_value(json_object_get(cmp, "paired")),
          (long long)json_integer_value(json_object_get(cmp, "groups")));
  char failon[64] = "";
  size_t i;
  const json_t *v;
  json_array_foreach(json_object_get(s, "fail_on"), i, v) {
    size_t used = strlen(failon);
    snprintf(failon + used, sizeof failon - used, "%s%s", i ? "," : "", json_string_value(v));
  }
  fprintf(f,
          "- settings: threshold %g%%, alpha %g, steps tol %g, gap tol %g, success tol %g; fail on: %s\n",
          100 * num(json_object_get(s, "threshold")), num(json_object_get(s, "alpha")),
          num(json_object_get(s, "steps_tol")), num(json_object_get(s, "gap_tol")),
          num(json_object_get(s, "success_tol")), failon[0] ? failon : "none");

  double threshold = num(json_object_get(s, "threshold"));
  fprintf(f, "\n| group | check | old | new | change | p-value | verdict | note |\n");
  fprintf(f, "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  const json_t *row;
  size_t shown = 0;
  json_array_foreach(json_object_get(cmp, "checks"), i, row) {
    const char *verdict = json_string_value(json_object_get(row, "verdict"));
    /* hidden by default: "same" without a note, and weak rows (too few
     * samples) that stayed within the threshold */
    double chg = fabs(num(json_object_get(row, "change")));
    int noted = json_is_string(json_object_get(row, "note"));
    if (!all && ((strcmp(verdict, "same") == 0 && !noted) || (strcmp(verdict, "weak") == 0 && !(chg > threshold))))
      continue;
    char chk[64], o[64], n[64], ch[32], p[32], vd[64];
    fmt_check(chk, sizeof chk, row);
    fmt_value(o, sizeof o, row, "old");
    fmt_value(n, sizeof n, row, "new");
    fmt_change(ch, sizeof ch, row);
    const json_t *pv = json_object_get(row, "p_value");
    /* a weak test's p-value is in the JSON but not shown: it must not read as significance */
    if (json_is_number(pv) && strcmp(verdict, "weak") != 0) snprintf(p, sizeof p, "%.3g", num(pv));
    else snprintf(p, sizeof p, "—");
    if (strcmp(verdict, "regressed") == 0)
      snprintf(vd, sizeof vd, "**regressed**%s", json_is_true(json_object_get(row, "fails")) ? "" : " (not failing)");
    else snprintf(vd, sizeof vd, "%s", verdict);
    const char *note = json_string_value(json_object_get(row, "note"));
    fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", json_string_value(json_object_get(row, "group")), chk,
            o, n, ch, p, vd, note ? note : "");
    shown++;
  }
  json_array_foreach(json_object_get(cmp, "summary"), i, row) {
    json_int_t g = json_integer_value(json_object_get(row, "groups"));
    const char *m = json_string_value(json_object_get(row, "metric"));
    if (g == 0) continue;
    char ch[32];
    fmt_change(ch, sizeof ch, row);
    fprintf(f, "| geomean (%lld) | %s | 1 | %.4g | %s | — | summary | geometric mean of new/old %s |\n",
            (long long)g, strcmp(m, "step_time") == 0 ? "step time" : m,
            num(json_object_get(row, "geomean_ratio")), ch,
            strcmp(m, "steps") == 0 ? "median steps per target" : "medians per group");
  }
  long long nchecks = (long long)json_integer_value(json_object_get(counts, "checks"));
  if (!all && (long long)shown < nchecks)
    fprintf(f, "\n%lld of %lld checks not shown: unchanged, or too few samples and within the threshold "
            "(all rows: --all).\n",
            nchecks - (long long)shown, nchecks);
  list_ids(f, "Only in the baseline", json_object_get(cmp, "only_in_baseline"));
  list_ids(f, "Only in the current file", json_object_get(cmp, "only_in_current"));
  json_array_foreach(json_object_get(cmp, "notes"), i, v) fprintf(f, "\nNote: %s.\n", json_string_value(v));
  long long nreg = (long long)json_integer_value(json_object_get(counts, "regressed"));
  long long nfail = (long long)json_integer_value(json_object_get(counts, "failing"));
  long long nimp = (long long)json_integer_value(json_object_get(counts, "improved"));
  if (nfail)
    fprintf(f, "\nResult: REGRESSION: %lld regressed checks (%lld failing), %lld improved.\n", nreg, nfail, nimp);
  else if (nreg)
    fprintf(f, "\nResult: no failing regression (%lld regressed checks of kinds not in --fail-on), %lld improved.\n",
            nreg, nimp);
  else fprintf(f, "\nResult: no regression, %lld improved.\n", nimp);
  return ferror(f) ? -1 : 0;
}
