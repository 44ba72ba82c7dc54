/* logreg.h -- classification access to a logreg instance.
 *
 * Two methods of the large-step study (Tyurin, "From Logistic Regression to
 * the Perceptron Algorithm: Exploring Gradient Descent with Large Step Sizes",
 * arXiv 2412.08424, AAAI 2025) need the data set itself, not only f and its
 * gradient: the batch perceptron sums y_i a_i over the misclassified samples,
 * and Normalized LR+GD scales its step by the mean of s(-y_i m_i). Rather than
 * widen the generic problem interface for one problem, logreg exports this
 * one function, and the two optimizers (optimizers/perceptron.c,
 * optimizers/nlr_gd.c) refuse, at init, every other problem with
 * OB_EUNSUPPORTED (the runner then skips the cell with the reason).
 * docs/logreg.md, "Classification access", documents the design.
 */
#ifndef OB_LOGREG_H
#define OB_LOGREG_H

#include <stddef.h>
#include <stdint.h>

#include "bench/ob_error.h"
#include "problems/problem.h"

/* The `needs` bit of optimizers that use this access (perceptron, nlr_gd), set
 * besides OB_NEEDS_GRAD. It lies outside optimizer.h's OB_NEEDS_* values (the
 * generic compatibility check ignores it; init calls ob_logreg_classify_check)
 * and marks the methods as not element-wise, so registry-wide tests that run
 * every plain gradient method on test functions (check_wrappers.c) leave them
 * out. It belongs in optimizer.h's enum when that header is next revised. */
#define OB_NEEDS_LOGREG_DATA (1u << 15)

/* OB_OK when p is a full-batch logreg instance; else OB_EUNSUPPORTED with the
 * reason ("optimizer 'who' needs ..."). Minibatches ("batch" > 0) are refused:
 * these are full-batch methods on the data set. */
int ob_logreg_classify_check(const ob_problem *p, const char *who, ob_error *err);

/* Number of samples n (p must have passed ob_logreg_classify_check). */
size_t ob_logreg_samples(const ob_problem *p);

/* Over all n samples at x, with z_i = y_i m_i (m_i = w.x_i + b as in f):
 *   *nmis = #{i : z_i <= 0}                                      (nmis may be NULL)
 *   dir   = (1/n) sum_i c(z_i) y_i [x_i; 1]   with c = w_neg (z < 0), w_zero (z == 0),
 *           w_pos (z > 0); the bias entry only with "bias"       (dir may be NULL)
 *   *soft = (1/n) sum_i s(-z_i),  s(u) = 1 / (1 + exp(-u))       (soft may be NULL)
 * One serial pass in sample order, so the result does not depend on the thread
 * count. p must have passed ob_logreg_classify_check. `step` > 0 (the
 * oracle's step, whose point is x_{step-1}) feeds the final metric
 * separated_at_step as the full-batch oracle does; 0 leaves it alone. */
void ob_logreg_classify(const ob_problem *p, uint64_t step, const double *x, double w_neg, double w_zero,
                        double w_pos, double *dir, double *soft, size_t *nmis);

#endif
