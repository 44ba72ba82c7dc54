/* runner.c -- one cell: set up, iterate under a budget, measure, record.
 *
 * Order of a run: threads are fixed (omp_set_num_threads), the placement's
 * arena is opened (skipped if the machine cannot provide it), the problem
 * instance is built from (params, seed) only, the optimizer is configured and
 * its state vectors come from the arena, placement is verified, then steps run
 * until a target, budget, divergence, stall or error ends the run.
 *
 * Timing: each step is bracketed by CLOCK_MONOTONIC reads; the oracle keeps
 * its own time, so the optimizer's own update time (step minus oracle) gives
 * the bandwidth figure. Per-step durations are kept so medians and
 * percentiles are exact. Everything evaluated for measurement (f at trace
 * points and for targets, the final gradient norm) is computed with the
 * clock paused and outside the oracle's counters (AlgoPerf's rule).
 */
#include "config.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/ob_clock.h"
#include "bench/ob_json.h"
#include "bench/ob_vec.h"
#include "bench/runner.h"

#define RECORD_X_MAX_DIM 64

typedef struct {
  json_t *step, *seconds, *evals, *f, *grad_norm;
} trace_t;

typedef struct {
  const ob_suite *s;
  const ob_cell *c;
  const ob_suite_problem *sp;
  const ob_suite_optimizer *so;
  /* outcome */
  const char *status;
  char reason[1024];
  long long steps;
  double clock;                 /* step clock, seconds */
  double *dt, *dt_update;       /* per-step durations */
  size_t ndt, capdt;
  long long *hit_step;          /* per target; -1 = not reached */
  double *hit_seconds;
  long long *hit_evals;
  size_t nhit;
  trace_t tr;
  double f_last, gap_last, gnorm_last;
} run_t;

static long long evals_total(const ob_oracle *o)
{
  return (long long)(o->n_f + o->n_grad + o->n_hvp + o->n_gnvp + o->n_upper_f + o->n_upper_grad +
                     o->n_lower_f + o->n_lower_grad + o->n_hyy + o->n_hxy + o->n_cons);
}

static void set_reason(run_t *r, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_reason(run_t *r, const char *status, const char *fmt, ...)
{
  va_list ap;
  r->status = status;
  va_start(ap, fmt);
  vsnprintf(r->reason, sizeof r->reason, fmt, ap);
  va_end(ap);
}

static int push_dt(run_t *r, double dt, double upd)
{
  if (r->ndt == r->capdt) {
    size_t cap = r->capdt ? 2 * r->capdt : 1024;
    double *a = realloc(r->dt, cap * sizeof *a);
    if (!a) return -1;
    r->dt = a;
    double *b = realloc(r->dt_update, cap * sizeof *b);
    if (!b) return -1;
    r->dt_update = b;
    r->capdt = cap;
  }
  r->dt[r->ndt] = dt;
  r->dt_update[r->ndt++] = upd;
  return 0;
}

/* Paused measurement: f and ||g|| at x, outside the oracle's counters. */
static int measure(ob_problem *p, const double *x, double *gbuf, double *f, double *gn, ob_error *err)
{
  int rc = p->type->eval(p->state, x, f, gbuf, err);
  if (rc < 0) return rc;
  *gn = gbuf ? ob_vec_nrm2(gbuf, p->n) : NAN;
  return OB_OK;
}

static void trace_add(run_t *r, long long step, double secs, long long evals, double f, double gn)
{
  json_array_append_new(r->tr.step, json_integer(step));
  json_array_append_new(r->tr.seconds, ob_json_num(secs));
  json_array_append_new(r->tr.evals, json_integer(evals));
  json_array_append_new(r->tr.f, ob_json_num(f));
  json_array_append_new(r->tr.grad_norm, ob_json_num(gn));
}

/* Step index of trace point k: points spread log-uniformly over [1, max_steps]
 * (10 per decade when only a time budget is given). */
static long long trace_step(const ob_suite *s, long long k)
{
  double ratio = s->max_steps > 1 ? pow((double)s->max_steps, 1.0 / (s->trace_points - 1)) : pow(10.0, 0.1);
  double v = pow(ratio, (double)k);
  return v > 9e18 ? (long long)9e18 : llround(v);
}

static json_t *median_quantiles(const double *a, size_t n, double *med, double *p10, double *p90)
{
  *med = *p10 = *p90 = NAN;
  if (!n) return NULL;
  double *c = malloc(n * sizeof *c);
  if (!c) return NULL;
  memcpy(c, a, n * sizeof *c);
  gsl_sort(c, 1, n);
  *med = gsl_stats_median_from_sorted_data(c, 1, n);
  *p10 = gsl_stats_quantile_from_sorted_data(c, 1, n, 0.10);
  *p90 = gsl_stats_quantile_from_sorted_data(c, 1, n, 0.90);
  free(c);
  return NULL;
}

static json_t *build_record(run_t *r, ob_problem *prob, ob_optimizer *opt, ob_oracle *orc,
                            ob_memtier *mem, const double *x)
{
  const ob_suite *s = r->s;
  const ob_cell *c = r->c;
  const ob_placement *pl = s->placements[c->placement];
  double f_opt = prob ? prob->f_opt : NAN;
  json_t *rec = json_object();
  json_object_set_new(rec, "id", json_string(c->id));
  json_object_set_new(rec, "problem", json_pack("{s:s, s:s, s:I, s:O, s:o}", "type", r->sp->type->name,
                      "id", r->sp->id, "dim", (json_int_t)r->sp->n, "params", r->sp->params,
                      "f_opt", ob_json_num(f_opt)));
  json_object_set_new(rec, "optimizer", json_pack("{s:s, s:s, s:O}", "type", r->so->type->name,
                      "id", r->so->id, "params", r->so->params));
  json_object_set_new(rec, "placement", json_pack("{s:s, s:o, s:o}", "name", ob_placement_name(pl),
                      "requested", ob_placement_request_json(pl),
                      "observed", mem ? ob_memtier_observed(mem) : json_object()));
  if (mem) json_object_set_new(json_object_get(rec, "placement"), "expected", ob_memtier_expected(mem));
  json_object_set_new(rec, "threads", json_integer(c->threads));
  json_object_set_new(rec, "seed", json_integer((json_int_t)c->seed));
  json_object_set_new(rec, "status", json_string(r->status));
  json_object_set_new(rec, "reason", strcmp(r->status, OB_STATUS_TARGET_REACHED) == 0 ? json_null()
                                                                                     : json_string(r->reason));
  json_object_set_new(rec, "steps", json_integer(r->steps));
  json_object_set_new(rec, "evals", json_pack("{s:I, s:I, s:I, s:I, s:I}",
                      "f", (json_int_t)(orc ? orc->n_f : 0), "grad", (json_int_t)(orc ? orc->n_grad : 0),
                      "hvp", (json_int_t)(orc ? orc->n_hvp : 0), "gnvp", (json_int_t)(orc ? orc->n_gnvp : 0),
                      "total", (json_int_t)(orc ? evals_total(orc) : 0)));
  if (orc && orc->p && orc->p->type->bilevel)
    json_object_set_new(json_object_get(rec, "evals"), "bilevel",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                                  "upper_f", (json_int_t)orc->n_upper_f,
                                  "upper_grad", (json_int_t)orc->n_upper_grad,
                                  "lower_f", (json_int_t)orc->n_lower_f,
                                  "lower_grad", (json_int_t)orc->n_lower_grad,
                                  "hyy", (json_int_t)orc->n_hyy, "hxy", (json_int_t)orc->n_hxy,
                                  "cons", (json_int_t)orc->n_cons));
  double med, p10, p90, umed, u10, u90;
  median_quantiles(r->dt, r->ndt, &med, &p10, &p90);
  median_quantiles(r->dt_update, r->ndt, &umed, &u10, &u90);
  json_object_set_new(rec, "time", json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
                      "total_s", ob_json_num(r->ndt ? r->clock : NAN), "step_median_s", ob_json_num(med),
                      "step_p10_s", ob_json_num(p10), "step_p90_s", ob_json_num(p90),
                      "update_median_s", ob_json_num(umed), "oracle_s", ob_json_num(orc && r->ndt ? orc->seconds : NAN)));
  double traffic = opt ? ob_optimizer_traffic(opt) : 0.0;
  double bytes = traffic * (double)r->sp->n;
  json_object_set_new(rec, "memory", json_pack("{s:o, s:o, s:I}",
                      "bytes_per_step", ob_json_num(bytes > 0 ? bytes : NAN),
                      "bandwidth_gbs", ob_json_num(bytes > 0 && umed > 0 ? bytes / umed / 1e9 : NAN),
                      "state_bytes", (json_int_t)(opt ? ob_optimizer_state_bytes(opt) : 0)));
  json_t *tg = json_array();
  for (size_t i = 0; i < s->ntargets; i++) {
    int hit = r->hit_step && r->hit_step[i] >= 0;
    json_array_append_new(tg, json_pack("{s:o, s:o, s:o, s:o}", "f_gap", json_real(s->targets[i]),
                          "steps", hit ? json_integer(r->hit_step[i]) : json_null(),
                          "seconds", hit ? ob_json_num(r->hit_seconds[i]) : json_null(),
                          "evals", hit ? json_integer(r->hit_evals[i]) : json_null()));
  }
  json_object_set_new(rec, "targets", tg);
  json_t *fin = json_pack("{s:o, s:o, s:o}", "f", ob_json_num(r->f_last), "f_gap", ob_json_num(r->gap_last),
                          "grad_norm", ob_json_num(r->gnorm_last));
  if (x && (r->sp->n <= RECORD_X_MAX_DIM || s->record_x))
    json_object_set_new(fin, "x", ob_json_vec(x, r->sp->n));
  if (x && prob && prob->type->metrics) {
    ob_error merr;
    ob_error_clear(&merr);
    if (prob->type->metrics(prob->state, x, fin, &merr) < 0)
      json_object_set_new(fin, "metrics_error", json_string(merr.text));
  }
  json_object_set_new(rec, "final", fin);
  json_object_set_new(rec, "trace", json_pack("{s:O, s:O, s:O, s:O, s:O}", "step", r->tr.step,
                      "seconds", r->tr.seconds, "evals", r->tr.evals, "f", r->tr.f, "grad_norm", r->tr.grad_norm));
  return rec;
}

static void error_reason(run_t *r, const char *status, const char *what, const ob_error *e)
{
  char msg[900];
  ob_error_format(e, msg, sizeof msg);
  set_reason(r, status, "%s%s", what, msg);
}

/* Checks pending targets at f; returns the number of targets reached so far. */
static size_t check_targets(run_t *r, double gap, long long evals)
{
  size_t reached = 0;
  for (size_t i = 0; i < r->nhit; i++) {
    if (r->hit_step[i] < 0 && gap <= r->s->targets[i]) {
      r->hit_step[i] = r->steps;
      r->hit_seconds[i] = r->clock;
      r->hit_evals[i] = evals;
    }
    if (r->hit_step[i] >= 0) reached++;
  }
  return reached;
}

int ob_runner_cell(const ob_suite *s, size_t cell, const volatile sig_atomic_t *stop, json_t **record)
{
  run_t r;
  ob_error err;
  ob_memtier *mem = NULL;
  ob_problem *prob = NULL;
  ob_optimizer *opt = NULL;
  ob_oracle orc;
  ob_oracle *orcp = NULL;
  double *x = NULL, *g = NULL, *gm = NULL;
  int interrupted = 0;

  memset(&r, 0, sizeof r);
  ob_error_clear(&err);
  r.s = s;
  r.c = &s->cells[cell];
  r.sp = &s->problems[r.c->problem];
  r.so = &s->optimizers[r.c->optimizer];
  r.f_last = r.gap_last = r.gnorm_last = NAN;
  r.tr.step = json_array();
  r.tr.seconds = json_array();
  r.tr.evals = json_array();
  r.tr.f = json_array();
  r.tr.grad_norm = json_array();
  r.nhit = s->ntargets;
  r.hit_step = malloc(r.nhit * sizeof *r.hit_step);
  r.hit_seconds = malloc(r.nhit * sizeof *r.hit_seconds);
  r.hit_evals = malloc(r.nhit * sizeof *r.hit_evals);
  if (!r.hit_step || !r.hit_seconds || !r.hit_evals) {
    set_reason(&r, OB_STATUS_ERROR, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < r.nhit; i++) r.hit_step[i] = -1;

#ifdef _OPENMP
  omp_set_num_threads(r.c->threads);
#else
  if (r.c->threads > 1) {
    set_reason(&r, OB_STATUS_SKIPPED, "this optbench was built without OpenMP: only 1 thread is available");
    goto done;
  }
#endif

  int rc = ob_memtier_open(s->placements[r.c->placement], &mem, &err);
  if (rc == OB_EUNSUPPORTED) { error_reason(&r, OB_STATUS_SKIPPED, "placement unavailable: ", &err); goto done; }
  if (rc < 0) { error_reason(&r, OB_STATUS_ERROR, "", &err); goto done; }

  rc = ob_problem_alloc(r.sp->type, r.sp->params, r.c->seed, mem, &prob, &err);
  if (rc == OB_EUNSUPPORTED) { error_reason(&r, OB_STATUS_SKIPPED, "", &err); goto done; }
  if (rc < 0) { error_reason(&r, OB_STATUS_ERROR, "problem: ", &err); goto done; }

  const char *why = ob_optimizer_incompatible(r.so->type, prob);
  if (why) { set_reason(&r, OB_STATUS_SKIPPED, "%s", why); goto done; }
  rc = ob_optimizer_alloc(r.so->type, r.so->params, &opt, &err);
  if (rc == OB_OK) rc = ob_optimizer_init(opt, prob, mem, &err);
  if (rc == OB_EUNSUPPORTED) { error_reason(&r, OB_STATUS_SKIPPED, "", &err); goto done; }
  if (rc < 0) { error_reason(&r, OB_STATUS_ERROR, "optimizer: ", &err); goto done; }

  x = ob_memtier_alloc(mem, OB_MEM_PARAMS, prob->n, &err);
  g = x ? ob_memtier_alloc(mem, OB_MEM_GRADS, prob->n, &err) : NULL;
  gm = g ? ob_memtier_alloc(mem, OB_MEM_GRADS, prob->n, &err) : NULL;   /* measurement only */
  if (!gm) {
    if (err.code == OB_EUNSUPPORTED) error_reason(&r, OB_STATUS_SKIPPED, "placement unavailable: ", &err);
    else error_reason(&r, OB_STATUS_ERROR, "", &err);
    goto done;
  }
  memcpy(x, prob->x0, prob->n * sizeof *x);
  rc = ob_memtier_verify(mem, &err);
  if (rc < 0) { error_reason(&r, OB_STATUS_SKIPPED, "placement not honoured: ", &err); goto done; }

  ob_oracle_init(&orc, prob);
  orcp = &orc;
  int have_fopt = isfinite(prob->f_opt);
  double f, gn;
  rc = measure(prob, x, gm, &f, &gn, &err);
  if (rc < 0) { error_reason(&r, OB_STATUS_ERROR, "problem: ", &err); goto done; }
  r.f_last = f;
  r.gap_last = have_fopt ? f - prob->f_opt : NAN;
  r.gnorm_last = gn;
  trace_add(&r, 0, 0.0, 0, f, gn);
  long long next_k = 1, next_trace = trace_step(s, 1);
  size_t reached = have_fopt ? check_targets(&r, r.gap_last, 0) : 0;
  if (!isfinite(f)) {
    set_reason(&r, OB_STATUS_DIVERGED, "f is not finite at the start point");
    goto done;
  }
  if (have_fopt && reached == r.nhit && s->stop_at_target) {
    set_reason(&r, OB_STATUS_TARGET_REACHED, "every target is met at the start point");
    goto done;
  }

  for (;;) {
    if (stop && *stop) { interrupted = 1; goto done; }
    orc.step = (uint64_t)r.steps + 1;
    double t_oracle = orc.seconds;
    double t0 = ob_clock_now();
    rc = ob_optimizer_step(opt, &orc, x, g, &err);
    double dt = ob_clock_now() - t0;
    if (rc < 0) {
      char what[64];
      snprintf(what, sizeof what, "step %lld: ", r.steps + 1);
      error_reason(&r, OB_STATUS_ERROR, what, &err);
      break;
    }
    r.steps++;
    r.clock += dt;
    if (push_dt(&r, dt, dt - (orc.seconds - t_oracle)) < 0) { set_reason(&r, OB_STATUS_ERROR, "out of memory"); break; }
    if (rc == OB_STALLED) {
      set_reason(&r, OB_STATUS_STALLED, "no progress at step %lld: %s", r.steps, err.text[0] ? err.text : "the optimizer stopped");
      break;
    }
    /* ---- clock paused from here ---- */
    /* OB_CONVERGED: a linear solver met the problem's residual tolerance
     * (docs/linsys.md); the run ends as target_reached after this measurement. */
    int converged = rc == OB_CONVERGED;
    int at_trace = r.steps >= next_trace;
    int need_f = at_trace || converged || (have_fopt && reached < r.nhit);
    if (!ob_vec_all_finite(x, prob->n)) {
      set_reason(&r, OB_STATUS_DIVERGED, "x has a non-finite entry after step %lld", r.steps);
      r.f_last = r.gap_last = r.gnorm_last = NAN;
      trace_add(&r, r.steps, r.clock, evals_total(&orc), NAN, NAN);
      break;
    }
    if (need_f) {
      rc = measure(prob, x, at_trace ? gm : NULL, &f, &gn, &err);
      if (rc < 0) { error_reason(&r, OB_STATUS_ERROR, "problem: ", &err); break; }
      r.f_last = f;
      r.gap_last = have_fopt ? f - prob->f_opt : NAN;
      if (at_trace) {
        r.gnorm_last = gn;
        trace_add(&r, r.steps, r.clock, evals_total(&orc), f, gn);
        while (next_trace <= r.steps) next_trace = trace_step(s, ++next_k);
      }
      if (!isfinite(f)) {
        set_reason(&r, OB_STATUS_DIVERGED, "f is not finite after step %lld", r.steps);
        if (!at_trace) trace_add(&r, r.steps, r.clock, evals_total(&orc), f, NAN);
        r.gnorm_last = at_trace ? gn : NAN;
        break;
      }
      if (have_fopt) reached = check_targets(&r, r.gap_last, evals_total(&orc));
      if (have_fopt && reached == r.nhit && s->stop_at_target) {
        r.status = OB_STATUS_TARGET_REACHED;
        break;
      }
    }
    if (converged) {
      r.status = OB_STATUS_TARGET_REACHED;
      break;
    }
    if (s->max_steps && r.steps >= s->max_steps) {
      set_reason(&r, OB_STATUS_MAX_STEPS, "step budget of %lld steps used up", s->max_steps);
      break;
    }
    if (s->max_seconds && r.clock >= s->max_seconds) {
      set_reason(&r, OB_STATUS_MAX_SECONDS, "time budget of %g s used up after %lld steps", s->max_seconds, r.steps);
      break;
    }
  }
  /* Final state: one more paused measurement unless the last step was traced. */
  if (strcmp(r.status, OB_STATUS_DIVERGED) != 0 && strcmp(r.status, OB_STATUS_ERROR) != 0) {
    json_int_t last = json_integer_value(json_array_get(r.tr.step, json_array_size(r.tr.step) - 1));
    if (last != r.steps && measure(prob, x, gm, &f, &gn, &err) == OB_OK) {
      r.f_last = f;
      r.gap_last = have_fopt ? f - prob->f_opt : NAN;
      r.gnorm_last = gn;
      trace_add(&r, r.steps, r.clock, evals_total(&orc), f, gn);
    }
  }
  if ((strcmp(r.status, OB_STATUS_MAX_STEPS) == 0 || strcmp(r.status, OB_STATUS_MAX_SECONDS) == 0)) {
    size_t len = strlen(r.reason);
    if (have_fopt)
      snprintf(r.reason + len, sizeof r.reason - len, "; %zu of %zu targets reached", reached, r.nhit);
    else
      snprintf(r.reason + len, sizeof r.reason - len, "; targets not evaluated: the problem's optimum is unknown");
  }

done:
  if (!interrupted) {
    if (!r.status) set_reason(&r, OB_STATUS_ERROR, "internal error: run ended without a status");
    *record = build_record(&r, prob, opt, orcp, mem, x && r.steps >= 0 && orcp ? x : NULL);
  }
  ob_optimizer_free(opt);
  ob_problem_free(prob);
  ob_memtier_close(mem);
  json_decref(r.tr.step);
  json_decref(r.tr.seconds);
  json_decref(r.tr.evals);
  json_decref(r.tr.f);
  json_decref(r.tr.grad_norm);
  free(r.dt);
  free(r.dt_update);
  free(r.hit_step);
  free(r.hit_seconds);
  free(r.hit_evals);
  return interrupted ? OB_RUN_INTERRUPTED : OB_OK;
}
