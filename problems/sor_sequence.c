/* sor_sequence.c -- a sequence of T related linear systems, the setting of
 * Khodak, Chow, Balcan & Talwalkar, "Learning to Relax: Setting Solver
 * Parameters Across a Sequence of Linear System Instances", ICLR 2024:
 *
 *   A_t = A + c_t I,  A = delsq on an n x n interior grid (n = 10 in the paper:
 *   delsq(numgrid('S', 12)), 100 unknowns),  x_0 = 0,
 *   c_t = -0.15 + 0.6 Beta(0.5, 1.5)  ("high" variance, c in [-0.15, 0.45]) or
 *   c_t = Beta(2, 6)                  ("low" variance,  c in [0, 1]) or
 *   c_t = shift_lo + shift_scale Beta(beta_a, beta_b)  ("beta"),
 *   b_t = standard Gaussian radially truncated to ||b_t|| <= sqrt(n).
 *
 * c_t and b_t come from mt19937 streams seeded by (instance, run seed), so a
 * sequence depends only on its parameters and seed. The view (problems/
 * linsys.h) describes the current instance; a solver that meets the tol test
 * (or max_iters) calls seq->advance. rho(J_t) = 4 cos(pi h) / (4 + c_t) in
 * closed form gives Young's omega*_t, the paper's instance-optimal comparator.
 *
 * metrics adds final.sequence: per-instance iterations and omegas, the total,
 * and the comparators over the instances completed -- the hindsight best
 * fixed omega of the grid linspace(omega_min, omega_max, omega_count) (the
 * paper: 20 points in [1, 1.95]), Young's instance-optimal policy, and the
 * per-instance best grid point -- each as a total and a ratio. The hindsight
 * table (T x K natural-order SOR solves with the same kernel as the sor solver,
 * hence the same iteration counts) is computed once, outside the step clock.
 * It is a pure function of the sequence (n, T, distribution, grid, instance,
 * run seed, tol, max_iters), and a suite runs many solvers and policies on one
 * sequence, so a process keeps the last few tables (up to TABLE_CACHE entries
 * of at most TABLE_CACHE_MAX cells each) keyed by exactly those values, under
 * a mutex (cells may run in several threads); a hit copies the table.
 * f is the quadratic of the current instance; f_opt is unknown (NAN).
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/ob_json.h"
#include "problems/linsys.h"

/* Everything the hindsight table depends on (memset before filling: it is
 * compared with memcmp). */
struct table_key {
  uint64_t iseed;
  size_t m, T, K;
  long long max_iters;
  double a, b, lo, scale, wmin, wmax, tol;
};

typedef struct {
  ob_linsys_sys sys;       /* first: the generic hooks cast the state to it */
  ob_linsys_seq seq;
  size_t T, t;
  bool done;
  uint64_t bseed;
  double *c;               /* c_t (malloc) */
  long long *iters;        /* per instance, -1 until solved */
  double *omega_used;
  double *seconds;         /* solver time per instance */
  double *grid;
  size_t ngrid;
  long long *table;        /* T x ngrid, lazily */
  long long *young;        /* T, lazily with the table */
  double cos_pih;
  struct table_key key;    /* what the table depends on */
} seq_state;

static const ob_param_spec seq_params[] = {
  { "n", OB_PARAM_INT, "10", 1, 2048, 0, NULL, NULL, "interior grid points per side (10: the paper's 100 unknowns)" },
  { "T", OB_PARAM_INT, "100", 1, 1e6, 0, NULL, NULL, "number of systems in the sequence" },
  { "distribution", OB_PARAM_STRING, "\"high\"", 0, 0, 0, "high|low|beta", "dist",
    "shift law: high = -0.15 + 0.6 Beta(0.5,1.5), low = Beta(2,6), beta = shift_lo + shift_scale Beta(a,b)" },
  { "beta_a", OB_PARAM_REAL, "2", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "Beta a (distribution beta)" },
  { "beta_b", OB_PARAM_REAL, "6", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "Beta b (distribution beta)" },
  { "shift_lo", OB_PARAM_REAL, "0", -1.0, HUGE_VAL, 0, NULL, NULL, "lowest shift (distribution beta)" },
  { "shift_scale", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, 0, NULL, NULL, "shift range (distribution beta)" },
  { "omega_min", OB_PARAM_REAL, "1", 0.0, 2.0, OB_PARAM_MIN_OPEN | OB_PARAM_MAX_OPEN, NULL, NULL, "first grid omega" },
  { "omega_max", OB_PARAM_REAL, "1.95", 0.0, 2.0, OB_PARAM_MIN_OPEN | OB_PARAM_MAX_OPEN, NULL, NULL, "last grid omega" },
  { "omega_count", OB_PARAM_INT, "20", 1, 1000, 0, NULL, NULL, "grid points (learners' arms)" },
  { "instance", OB_PARAM_INT, "1", 1, 1e6, 0, NULL, "i", "instance number (seeds c_t and b_t with the run seed)" },
  OB_LINSYS_COMMON_PARAMS,
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* Makes instance t current: diagonal 4 + c_t, b_t, rho(J_t). */
static void seq_set(seq_state *s, size_t t)
{
  ob_linsys_sys *y = &s->sys;
  double d = 4.0 + s->c[t];
  for (size_t i = 0; i < y->n; i++) y->diag[i] = d;
  for (size_t i = 0; i < y->n; i++) y->inv_diag[i] = 1.0 / d;
  y->shift = s->c[t];
  ob_linsys_rhs(y, "random", NULL, s->bseed + 7919u * (uint64_t)(t + 1), NULL);   /* cannot fail */
  y->view.jacobi_rho = 4.0 * s->cos_pih / d;
}

static size_t seq_index(void *ctx) { return ((seq_state *)ctx)->t; }
static double seq_context(void *ctx) { seq_state *s = ctx; return s->c[s->t]; }

static int seq_advance(void *ctx, long long iters, double omega, double seconds)
{
  seq_state *s = ctx;
  if (s->done) return 1;
  s->iters[s->t] = iters;
  s->omega_used[s->t] = omega;
  s->seconds[s->t] = seconds;
  if (s->t + 1 == s->T) {
    s->done = true;
    return 1;
  }
  seq_set(s, ++s->t);
  return 0;
}

/* The process-wide table cache (see the top comment): up to TABLE_CACHE
 * entries and TABLE_CACHE_BYTES in all (the oldest entries go first), each
 * table at most TABLE_CACHE_MAX cells; entries are reachable until exit. A
 * suite with many seeds needs one table per (sequence, seed) -- the 40 trials
 * of suites/learning-to-relax.json need 80 of 0.8 MB -- and cells run in
 * problem x optimizer x ... x seed order, so the cache must hold all of them
 * or every cell recomputes its table. */
#define TABLE_CACHE 256
#define TABLE_CACHE_MAX ((size_t)1 << 19)
#define TABLE_CACHE_BYTES ((size_t)256 << 20)
static struct {
  struct table_key key;
  long long *tab, *young;   /* T x K and T; NULL: empty slot */
} table_cache[TABLE_CACHE];
static size_t table_cache_next, table_cache_bytes;
static pthread_mutex_t table_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* Copies a cached table into tab/yg; 1 on a hit. */
static int cache_get(const struct table_key *k, long long *tab, long long *yg)
{
  int hit = 0;
  pthread_mutex_lock(&table_cache_lock);
  for (size_t i = 0; i < TABLE_CACHE && !hit; i++)
    if (table_cache[i].tab && memcmp(&table_cache[i].key, k, sizeof *k) == 0) {
      memcpy(tab, table_cache[i].tab, k->T * k->K * sizeof *tab);
      memcpy(yg, table_cache[i].young, k->T * sizeof *yg);
      hit = 1;
    }
  pthread_mutex_unlock(&table_cache_lock);
  return hit;
}

/* Stores a copy (round robin); silently skipped when too big or out of memory. */
static void cache_put(const struct table_key *k, const long long *tab, const long long *yg)
{
  if (k->T * k->K > TABLE_CACHE_MAX) return;
  long long *ct = malloc(k->T * k->K * sizeof *ct), *cy = malloc(k->T * sizeof *cy);
  if (!ct || !cy) {
    free(ct);
    free(cy);
    return;
  }
  memcpy(ct, tab, k->T * k->K * sizeof *ct);
  memcpy(cy, yg, k->T * sizeof *cy);
  const size_t bytes = (k->T * k->K + k->T) * sizeof *ct;
  pthread_mutex_lock(&table_cache_lock);
  /* round robin: evict from the next slot on until the new table fits */
  size_t i = table_cache_next;
  for (size_t tries = 0; tries < TABLE_CACHE; tries++) {
    size_t j = (table_cache_next + tries) % TABLE_CACHE;
    if (tries == 0 || table_cache_bytes + bytes > TABLE_CACHE_BYTES) {
      if (table_cache[j].tab) {
        table_cache_bytes -= (table_cache[j].key.T * table_cache[j].key.K + table_cache[j].key.T) * sizeof *ct;
        free(table_cache[j].tab);
        free(table_cache[j].young);
        table_cache[j].tab = table_cache[j].young = NULL;
      }
    }
    if (table_cache_bytes + bytes <= TABLE_CACHE_BYTES) break;
  }
  table_cache_next = (i + 1) % TABLE_CACHE;
  table_cache[i].key = *k;
  table_cache[i].tab = ct;
  table_cache[i].young = cy;
  table_cache_bytes += bytes;
  pthread_mutex_unlock(&table_cache_lock);
}

static const long long *seq_cost_table(void *ctx, ob_error *err)
{
  seq_state *s = ctx;
  if (s->table) return s->table;
  size_t n = s->sys.n, K = s->ngrid;
  long long *tab = malloc(s->T * K * sizeof *tab), *yg = malloc(s->T * sizeof *yg);
  if (!tab || !yg) {
    free(tab); free(yg);
    ob_error_set(err, OB_ENOMEM, "out of memory for the %zu x %zu hindsight table", s->T, K);
    return NULL;
  }
  if (cache_get(&s->key, tab, yg)) {
    s->table = tab;
    s->young = yg;
    return tab;
  }
  double *x = malloc(n * sizeof *x), *r = malloc(n * sizeof *r);
  if (!x || !r) {
    free(tab); free(yg); free(x); free(r);
    ob_error_set(err, OB_ENOMEM, "out of memory for the %zu x %zu hindsight table", s->T, K);
    return NULL;
  }
  const struct ob_linsys_view *v = &s->sys.view;
  for (size_t t = 0; t < s->T; t++) {
    seq_set(s, t);
    for (size_t k = 0; k < K; k++) tab[t * K + k] = ob_linsys_sor_count(v, s->grid[k], v->tol, v->max_iters, x, r);
    yg[t] = ob_linsys_sor_count(v, ob_linsys_young_omega(v->jacobi_rho), v->tol, v->max_iters, x, r);
  }
  seq_set(s, s->t);
  free(x);
  free(r);
  cache_put(&s->key, tab, yg);
  s->table = tab;
  s->young = yg;
  return tab;
}

static int seq_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  seq_state *s = vs;
  ob_linsys_sys *y = &s->sys;
  size_t m = (size_t)ob_params_int(params, "n");
  s->T = (size_t)ob_params_int(params, "T");
  const char *dist = ob_params_string(params, "distribution");
  double a = 0.5, b = 1.5, lo = -0.15, scale = 0.6;
  if (strcmp(dist, "low") == 0) { a = 2; b = 6; lo = 0; scale = 1; }
  else if (strcmp(dist, "beta") == 0) {
    a = ob_params_real(params, "beta_a");
    b = ob_params_real(params, "beta_b");
    lo = ob_params_real(params, "shift_lo");
    scale = ob_params_real(params, "shift_scale");
  }
  double h = 1.0 / (double)(m + 1), lam = 8.0 * pow(sin(M_PI * h / 2.0), 2);
  if (!(lo + lam > 0))
    return ob_error_at(err, OB_EINVAL, "shift_lo", "%g makes some A_t singular or indefinite for n = %zu "
                       "(the lowest shift must exceed %.6g)", lo, m, -lam);
  double wmin = ob_params_real(params, "omega_min"), wmax = ob_params_real(params, "omega_max");
  s->ngrid = (size_t)ob_params_int(params, "omega_count");
  if (wmax < wmin) return ob_error_at(err, OB_EINVAL, "omega_max", "is below omega_min");
  s->cos_pih = cos(M_PI * h);
  y->dims = 2;
  y->nx = y->ny = m;
  y->nz = 1;
  y->storage = OB_LINSYS_STENCIL;
  int rc = ob_linsys_alloc(y, m * m, mem, err);
  if (rc < 0) return rc;
  s->c = malloc(s->T * sizeof *s->c);
  s->iters = malloc(s->T * sizeof *s->iters);
  s->omega_used = malloc(s->T * sizeof *s->omega_used);
  s->seconds = malloc(s->T * sizeof *s->seconds);
  s->grid = malloc(s->ngrid * sizeof *s->grid);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!s->c || !s->iters || !s->omega_used || !s->seconds || !s->grid || !rng) {
    gsl_rng_free(rng);
    return ob_error_set(err, OB_ENOMEM, "out of memory for a sequence of %zu systems", s->T);
  }
  uint64_t iseed = seed * 1000003u + (uint64_t)ob_params_int(params, "instance");
  gsl_rng_set(rng, (unsigned long)(iseed & 0xffffffffu));
  for (size_t t = 0; t < s->T; t++) {
    s->c[t] = lo + scale * gsl_ran_beta(rng, a, b);
    s->iters[t] = -1;
    s->omega_used[t] = NAN;
    s->seconds[t] = NAN;
  }
  gsl_rng_free(rng);
  s->bseed = iseed * 2654435761u;
  for (size_t k = 0; k < s->ngrid; k++)
    s->grid[k] = s->ngrid == 1 ? wmin : wmin + (wmax - wmin) * (double)k / (double)(s->ngrid - 1);
  s->seq = (ob_linsys_seq){
    .count = s->T, .context_lo = lo, .context_hi = lo + scale, .grid = s->grid, .ngrid = s->ngrid,
    .index = seq_index, .context = seq_context, .advance = seq_advance, .cost_table = seq_cost_table,
  };
  seq_set(s, 0);
  /* no reference CG: the instances change; f_opt is unknown */
  rc = ob_linsys_finish(y, params, false, 4.0 * s->cos_pih / (4.0 + s->c[0]), mem, err);
  if (rc < 0) return rc;
  y->view.spd = true;
  y->view.ctx = s;            /* the callbacks get the sequence (its sys is its first member) */
  y->view.seq = &s->seq;
  struct table_key *k = &s->key;
  memset(k, 0, sizeof *k);   /* padding too (memcmp) */
  k->iseed = iseed;
  k->m = m;
  k->T = s->T;
  k->K = s->ngrid;
  k->max_iters = y->view.max_iters;
  k->a = a;
  k->b = b;
  k->lo = lo;
  k->scale = scale;
  k->wmin = wmin;
  k->wmax = wmax;
  k->tol = y->view.tol;
  return OB_OK;
}

static void seq_free(void *vs)
{
  seq_state *s = vs;
  free(s->c);
  free(s->iters);
  free(s->omega_used);
  free(s->seconds);
  free(s->grid);
  free(s->table);
  free(s->young);
}

static int seq_metrics(void *vs, const double *x, json_t *final, ob_error *err)
{
  seq_state *s = vs;
  int rc = ob_linsys_hook_metrics(vs, x, final, err);
  if (rc < 0) return rc;
  size_t done = 0;
  while (done < s->T && s->iters[done] >= 0) done++;
  json_t *it = json_array(), *om = json_array(), *cs = json_array(), *sec = json_array();
  long long total = 0;
  double total_s = 0.0;
  for (size_t t = 0; t < done; t++) {
    total += s->iters[t];
    total_s += s->seconds[t];
    json_array_append_new(it, json_integer(s->iters[t]));
    json_array_append_new(om, ob_json_num(s->omega_used[t]));
    json_array_append_new(cs, json_real(s->c[t]));
    json_array_append_new(sec, ob_json_num(s->seconds[t]));
  }
  json_t *q = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:I, s:o}", "instances", (json_int_t)s->T,
                        "completed", (json_int_t)done, "iterations", it, "omega", om, "shift", cs,
                        "seconds", sec, "total_iterations", (json_int_t)total,
                        "total_seconds", ob_json_num(total_s));
  const long long *tab = seq_cost_table(s, err);
  if (!tab) { json_decref(q); return err ? err->code : OB_ENOMEM; }
  size_t K = s->ngrid, kbest = 0;
  long long best = -1, young = 0, oracle = 0;
  for (size_t k = 0; k < K; k++) {
    long long sum = 0;
    for (size_t t = 0; t < done; t++) sum += tab[t * K + k];
    if (best < 0 || sum < best) { best = sum; kbest = k; }
  }
  json_t *fixed = json_object();
  for (size_t k = 0; k < K; k++) {
    long long sum = 0;
    for (size_t t = 0; t < done; t++) sum += tab[t * K + k];
    char key[32];
    snprintf(key, sizeof key, "%.4g", s->grid[k]);
    json_object_set_new(fixed, key, json_integer(sum));
  }
  json_t *bfi = json_array(), *yi = json_array();
  for (size_t t = 0; t < done; t++) {
    long long mn = tab[t * K];
    for (size_t k = 1; k < K; k++) mn = tab[t * K + k] < mn ? tab[t * K + k] : mn;
    oracle += mn;
    young += s->young[t];
    json_array_append_new(bfi, json_integer(tab[t * K + kbest]));
    json_array_append_new(yi, json_integer(s->young[t]));
  }
  /* per instance, so reports draw the comparators' exact cumulative curves */
  json_object_set_new(q, "best_fixed_iterations", bfi);
  json_object_set_new(q, "instance_optimal_iterations", yi);
  json_object_set_new(q, "fixed_totals", fixed);
  json_object_set_new(q, "best_fixed_omega", json_real(s->grid[kbest]));
  json_object_set_new(q, "best_fixed_total", json_integer(best));
  json_object_set_new(q, "instance_optimal_total", json_integer(young));
  json_object_set_new(q, "grid_oracle_total", json_integer(oracle));
  json_object_set_new(q, "ratio_best_fixed", ob_json_num(best > 0 ? (double)total / (double)best : NAN));
  json_object_set_new(q, "ratio_instance_optimal", ob_json_num(young > 0 ? (double)total / (double)young : NAN));
  json_object_set_new(final, "sequence", q);
  return OB_OK;
}

const ob_problem_type ob_problem_sor_sequence = {
  .name = "sor_sequence",
  .summary = "T shifted Poisson systems A + c_t I, b_t (Learning to Relax): omega policies across a sequence",
  .reference = "Khodak, Chow, Balcan & Talwalkar, Learning to Relax, ICLR 2024 (arXiv 2310.02246); Young 1950",
  .params = seq_params,
  .state_size = sizeof(seq_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_LINSYS,
  .configure = seq_configure,
  .dim = ob_linsys_hook_dim,
  .eval = ob_linsys_hook_eval,
  .hvp = ob_linsys_hook_hvp,
  .x0 = ob_linsys_hook_x0,
  .f_opt = ob_linsys_hook_f_opt,   /* NAN: unknown */
  .x_opt = NULL,
  .free = seq_free,
  .linsys = ob_linsys_hook_view,
  .metrics = seq_metrics,
};
