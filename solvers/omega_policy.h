/* omega_policy.h -- how the relaxed solvers (sor, ssor, sor_redblack, ssor_cg)
 * choose the relaxation omega, for one system or for each instance of a
 * sequence (Khodak, Chow, Balcan & Talwalkar, "Learning to Relax", ICLR 2024).
 *
 * A policy is asked for omega before each instance is solved (choose) and told
 * the instance's cost, the iteration count, afterwards (feedback): bandit
 * feedback only, no extra matrix computations -- except the two comparators
 * the paper defines with hindsight or extra information: best_fixed (the
 * sequence's hindsight cost table) and young (rho of the Jacobi iteration of
 * each instance). Policies that learn (tsallis_inf, chebcb, epsilon_greedy,
 * ucb) choose among the problem's omega grid (ob_linsys_seq.grid) and draw
 * their randomness from their own mt19937 seeded by the solver's `seed`
 * parameter plus the run seed times 0x9E3779B97F4A7C15 (low 32 bits; the
 * solver adds it), so a run is exactly reproducible and the trials of a suite
 * (its seeds) draw independent streams.
 *
 * Library code: never prints or exits; not thread-safe per policy (one per run).
 */
#ifndef OB_OMEGA_POLICY_H
#define OB_OMEGA_POLICY_H

#include <stdint.h>

#include "bench/ob_error.h"
#include "bench/ob_params.h"
#include "problems/linsys.h"

typedef struct ob_omega_policy ob_omega_policy;

/* "fixed|young|best_fixed|tsallis_inf|chebcb|epsilon_greedy|ucb" */
#define OB_OMEGA_POLICY_CHOICES "fixed|young|best_fixed|tsallis_inf|chebcb|epsilon_greedy|ucb"

/* The parameter-table rows every relaxed solver shares. */
#define OB_OMEGA_POLICY_PARAMS \
  { "omega", OB_PARAM_REAL, "1.5", 0.0, 2.0, OB_PARAM_MIN_OPEN | OB_PARAM_MAX_OPEN, NULL, "w", \
    "relaxation omega in (0, 2) (policy fixed)" }, \
  { "policy", OB_PARAM_STRING, "\"fixed\"", 0, 0, 0, OB_OMEGA_POLICY_CHOICES, NULL, \
    "how omega is chosen per instance (learning policies need a sequence problem)" }, \
  { "seed", OB_PARAM_INT, "0", 0, 4294967295.0, 0, NULL, NULL, "seed of the policy's random draws" }, \
  { "epsilon", OB_PARAM_REAL, "0.1", 0.0, 1.0, 0, NULL, "eps", "exploration rate (epsilon_greedy)" }, \
  { "gamma", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, \
    "inverse-gap weighting scale: gamma_t = gamma sqrt(K t) (chebcb)" }

typedef struct {
  char name[32];          /* one of the choices (copied: params may be freed after configure) */
  double omega;           /* fixed */
  uint64_t seed;
  double epsilon, gamma;
} ob_omega_policy_config;

/* Reads the OB_OMEGA_POLICY_PARAMS rows of a normalized params object. */
void ob_omega_policy_config_read(ob_omega_policy_config *c, const json_t *params);

/* Binds a policy to a problem's view. OB_EUNSUPPORTED when the policy needs
 * what the problem lacks (a sequence, or rho(J) for young). */
int ob_omega_policy_alloc(const ob_omega_policy_config *c, const struct ob_linsys_view *v,
                          ob_omega_policy **out, ob_error *err);
/* omega for the view's current instance. */
double ob_omega_policy_choose(ob_omega_policy *p);
/* The cost (iterations) of the instance just solved with the last choice. */
void ob_omega_policy_feedback(ob_omega_policy *p, double cost);
void ob_omega_policy_free(ob_omega_policy *p);

#endif
