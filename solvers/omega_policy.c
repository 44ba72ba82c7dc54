/* omega_policy.c -- omega selection for SOR-type solvers over a sequence of
 * systems: fixed, Young's instance-optimal omega, the hindsight best fixed
 * grid point, and four bandits over the grid omega_1..omega_K.
 *
 * Costs are iteration counts; learners see the normalized loss
 * l_t = cost_t / mean(cost_1..cost_t) (Khodak et al. 2024, experiments:
 * "losses normalized by the running mean cost").
 *
 * tsallis_inf -- 1/2-Tsallis-INF (Zimmert & Seldin, "Tsallis-INF: An Optimal
 *   Algorithm for Stochastic and Adversarial Bandits", JMLR 22, 2021, Alg. 1):
 *   w_{t,i} = 4 (eta_t (Lhat_i - x))^-2 with x < min_i Lhat_i the normalizer
 *   making sum_i w_{t,i} = 1 (found by Newton's method, their Alg. 2),
 *   eta_t = 2 / sqrt(t), importance-weighted loss estimates
 *   Lhat_i += l_t / w_{t,i} for the drawn arm i.
 * chebcb -- the contextual bandit of Khodak et al. (ChebCB): the context is
 *   the shift c_t mapped to z in [-1, 1]; each arm's loss is regressed on the
 *   Chebyshev features T_0(z)..T_5(z) (ridge, lambda = 1, GSL Cholesky), and
 *   the arm is drawn by inverse-gap weighting (Foster & Rakhlin, "Beyond UCB",
 *   ICML 2020, SquareCB): p_a = 1 / (K + gamma_t (yhat_a - yhat_best)) for
 *   a != best, the rest on the best arm, gamma_t = gamma sqrt(K t).
 * epsilon_greedy -- with probability epsilon a uniform arm, else the arm of
 *   lowest mean loss (unplayed arms count as 0: each is tried early).
 * ucb -- UCB1 (Auer, Cesa-Bianchi & Fischer 2002) on losses: every arm once,
 *   then argmin mean_a - sqrt(2 ln t / n_a).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "solvers/omega_policy.h"

#define CHEB_M 6      /* Chebyshev features T_0..T_5 (degree <= 5), as the paper */

typedef enum { P_FIXED, P_YOUNG, P_BEST_FIXED, P_TSALLIS, P_CHEBCB, P_EGREEDY, P_UCB } pkind;

struct ob_omega_policy {
  pkind kind;
  ob_omega_policy_config cfg;
  const struct ob_linsys_view *v;
  const ob_linsys_seq *seq;
  size_t k;                 /* arms */
  size_t last;              /* arm of the last choice */
  double last_omega;
  long long t;              /* instances seen (feedbacks) */
  double cost_sum;
  double *lhat;             /* tsallis: cumulative loss estimates; greedy/ucb: loss sums */
  double *w;                /* tsallis / chebcb: the sampling distribution */
  long long *plays;
  double best_omega;        /* best_fixed */
  double feat[CHEB_M];      /* chebcb: features of the last context */
  double *gram, *rhs;       /* chebcb: per arm M x M and M */
  gsl_rng *rng;
};

void ob_omega_policy_config_read(ob_omega_policy_config *c, const json_t *params)
{
  snprintf(c->name, sizeof c->name, "%s", ob_params_string(params, "policy"));
  c->omega = ob_params_real(params, "omega");
  c->seed = (uint64_t)ob_params_int(params, "seed");
  c->epsilon = ob_params_real(params, "epsilon");
  c->gamma = ob_params_real(params, "gamma");
}

int ob_omega_policy_alloc(const ob_omega_policy_config *c, const struct ob_linsys_view *v,
                          ob_omega_policy **out, ob_error *err)
{
  static const char *const names[] = { "fixed", "young", "best_fixed", "tsallis_inf", "chebcb",
                                       "epsilon_greedy", "ucb" };
  *out = NULL;
  int kind = -1;
  for (int i = 0; i < 7; i++)
    if (strcmp(c->name, names[i]) == 0) kind = i;
  if (kind < 0) return ob_error_at(err, OB_EINVAL, "policy", "unknown policy '%s'", c->name);
  if (kind == P_YOUNG && !isfinite(v->jacobi_rho))
    return ob_error_set(err, OB_EUNSUPPORTED, "policy 'young' needs the Jacobi spectral radius in closed form, "
                        "which this problem does not provide");
  if (kind == P_YOUNG && !(v->jacobi_rho < 1.0))
    return ob_error_set(err, OB_EUNSUPPORTED, "policy 'young': rho(J) = %g >= 1, Young's formula does not apply",
                        v->jacobi_rho);
  if (kind >= P_BEST_FIXED && !v->seq)
    return ob_error_set(err, OB_EUNSUPPORTED, "policy '%s' chooses omega across a sequence of systems "
                        "(problem sor_sequence); this problem is a single system", c->name);
  ob_omega_policy *p = calloc(1, sizeof *p);
  if (!p) return ob_error_set(err, OB_ENOMEM, "out of memory");
  p->kind = (pkind)kind;
  p->cfg = *c;
  p->v = v;
  p->seq = v->seq;
  p->k = v->seq ? v->seq->ngrid : 0;
  if (p->k) {
    p->lhat = calloc(p->k, sizeof *p->lhat);
    p->w = calloc(p->k, sizeof *p->w);
    p->plays = calloc(p->k, sizeof *p->plays);
    p->gram = calloc(p->k * CHEB_M * CHEB_M, sizeof *p->gram);
    p->rhs = calloc(p->k * CHEB_M, sizeof *p->rhs);
    p->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!p->lhat || !p->w || !p->plays || !p->gram || !p->rhs || !p->rng) {
      ob_omega_policy_free(p);
      return ob_error_set(err, OB_ENOMEM, "out of memory");
    }
    gsl_rng_set(p->rng, (unsigned long)(c->seed & 0xffffffffu));
    for (size_t a = 0; a < p->k; a++)
      for (size_t i = 0; i < CHEB_M; i++) p->gram[(a * CHEB_M + i) * CHEB_M + i] = 1.0;   /* ridge lambda = 1 */
  }
  if (p->kind == P_BEST_FIXED) {
    const long long *tab = v->seq->cost_table(v->ctx, err);
    if (!tab) {
      ob_omega_policy_free(p);
      return err ? err->code : OB_ENOMEM;
    }
    double best = HUGE_VAL;
    for (size_t a = 0; a < p->k; a++) {
      double sum = 0;
      for (size_t t = 0; t < v->seq->count; t++) sum += (double)tab[t * p->k + a];
      if (sum < best) { best = sum; p->best_omega = v->seq->grid[a]; }
    }
  }
  *out = p;
  return OB_OK;
}

/* Draws an arm from the distribution w (sums to 1 up to rounding). */
static size_t draw(ob_omega_policy *p)
{
  double u = gsl_rng_uniform(p->rng), acc = 0.0;
  for (size_t a = 0; a < p->k; a++) {
    acc += p->w[a];
    if (u < acc) return a;
  }
  return p->k - 1;
}

static void tsallis_weights(ob_omega_policy *p)
{
  double eta = 2.0 / sqrt((double)(p->t + 1));
  double lmin = p->lhat[0];
  for (size_t a = 1; a < p->k; a++) lmin = fmin(lmin, p->lhat[a]);
  double x = lmin - 2.0 / eta;        /* here sum w >= 1; Newton increases x monotonically */
  for (int it = 0; it < 100; it++) {
    double sw = 0.0, sw32 = 0.0;
    for (size_t a = 0; a < p->k; a++) {
      double w = 4.0 / pow(eta * (p->lhat[a] - x), 2);
      p->w[a] = w;
      sw += w;
      sw32 += pow(w, 1.5);
    }
    if (fabs(sw - 1.0) < 1e-12) break;
    x -= (sw - 1.0) / (eta * sw32);
    if (!(x < lmin)) x = 0.5 * (x + lmin);
  }
  double sw = 0.0;
  for (size_t a = 0; a < p->k; a++) sw += p->w[a];
  for (size_t a = 0; a < p->k; a++) p->w[a] /= sw;
}

static void cheb_features(ob_omega_policy *p)
{
  const ob_linsys_seq *s = p->seq;
  double c = s->context(p->v->ctx), span = s->context_hi - s->context_lo;
  double z = span > 0 ? 2.0 * (c - s->context_lo) / span - 1.0 : 0.0;
  z = fmax(-1.0, fmin(1.0, z));
  p->feat[0] = 1.0;
  p->feat[1] = z;
  for (int i = 2; i < CHEB_M; i++) p->feat[i] = 2.0 * z * p->feat[i - 1] - p->feat[i - 2];
}

/* Ridge prediction phi' G_a^-1 r_a of arm a's loss. */
static double cheb_predict(ob_omega_policy *p, size_t a)
{
  double g[CHEB_M * CHEB_M], r[CHEB_M];
  memcpy(g, p->gram + a * CHEB_M * CHEB_M, sizeof g);
  memcpy(r, p->rhs + a * CHEB_M, sizeof r);
  gsl_matrix_view gm = gsl_matrix_view_array(g, CHEB_M, CHEB_M);
  gsl_vector_view rv = gsl_vector_view_array(r, CHEB_M);
  if (gsl_linalg_cholesky_decomp1(&gm.matrix) != GSL_SUCCESS) return 0.0;   /* G >= I: cannot happen */
  gsl_linalg_cholesky_svx(&gm.matrix, &rv.vector);
  double y = 0.0;
  for (int i = 0; i < CHEB_M; i++) y += p->feat[i] * r[i];
  return y;
}

double ob_omega_policy_choose(ob_omega_policy *p)
{
  const double *grid = p->seq ? p->seq->grid : NULL;
  size_t a = 0;
  switch (p->kind) {
  case P_FIXED: p->last_omega = p->cfg.omega; return p->last_omega;
  case P_YOUNG: p->last_omega = ob_linsys_young_omega(p->v->jacobi_rho); return p->last_omega;
  case P_BEST_FIXED: p->last_omega = p->best_omega; return p->last_omega;
  case P_TSALLIS:
    tsallis_weights(p);
    a = draw(p);
    break;
  case P_CHEBCB: {
    cheb_features(p);
    double yb = HUGE_VAL;
    size_t best = 0;
    for (size_t i = 0; i < p->k; i++) {
      p->w[i] = cheb_predict(p, i);
      if (p->w[i] < yb) { yb = p->w[i]; best = i; }
    }
    double gamma = p->cfg.gamma * sqrt((double)p->k * (double)(p->t + 1)), rest = 0.0;
    for (size_t i = 0; i < p->k; i++) {
      if (i == best) continue;
      p->w[i] = 1.0 / ((double)p->k + gamma * (p->w[i] - yb));
      rest += p->w[i];
    }
    p->w[best] = 1.0 - rest;
    a = draw(p);
    break;
  }
  case P_EGREEDY:
    if (gsl_rng_uniform(p->rng) < p->cfg.epsilon) {
      a = (size_t)gsl_rng_uniform_int(p->rng, (unsigned long)p->k);
    } else {
      double best = HUGE_VAL;
      for (size_t i = 0; i < p->k; i++) {
        double m = p->plays[i] ? p->lhat[i] / (double)p->plays[i] : 0.0;
        if (m < best) { best = m; a = i; }
      }
    }
    break;
  case P_UCB: {
    double best = HUGE_VAL;
    for (size_t i = 0; i < p->k; i++) {
      if (!p->plays[i]) { a = i; break; }
      double m = p->lhat[i] / (double)p->plays[i] - sqrt(2.0 * log((double)p->t) / (double)p->plays[i]);
      if (m < best) { best = m; a = i; }
    }
    break;
  }
  }
  p->last = a;
  p->last_omega = grid[a];
  return p->last_omega;
}

void ob_omega_policy_feedback(ob_omega_policy *p, double cost)
{
  p->t++;
  p->cost_sum += cost;
  if (p->kind <= P_BEST_FIXED) return;
  double mean = p->cost_sum / (double)p->t;
  double loss = mean > 0 ? cost / mean : 0.0;
  size_t a = p->last;
  p->plays[a]++;
  switch (p->kind) {
  case P_TSALLIS: p->lhat[a] += loss / p->w[a]; break;
  case P_CHEBCB: {
    double *g = p->gram + a * CHEB_M * CHEB_M, *r = p->rhs + a * CHEB_M;
    for (int i = 0; i < CHEB_M; i++) {
      r[i] += loss * p->feat[i];
      for (int j = 0; j < CHEB_M; j++) g[i * CHEB_M + j] += p->feat[i] * p->feat[j];
    }
    break;
  }
  default: p->lhat[a] += loss; break;
  }
}

void ob_omega_policy_free(ob_omega_policy *p)
{
  if (!p) return;
  free(p->lhat);
  free(p->w);
  free(p->plays);
  free(p->gram);
  free(p->rhs);
  gsl_rng_free(p->rng);
  free(p);
}
