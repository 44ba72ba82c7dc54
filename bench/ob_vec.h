/* ob_vec.h -- deterministic vector kernels shared by problems and optimizers.
 *
 * Reductions are computed in fixed blocks of OB_VEC_BLOCK elements: each block
 * is summed left to right, and the block partial sums are then added in block
 * order by one thread. The result therefore depends only on n, never on the
 * number of OpenMP threads or the schedule -- the determinism contract of
 * DESIGN section 5. Element-wise loops parallelize only above OB_VEC_PAR_MIN
 * elements, where a parallel region pays for itself.
 */
#ifndef OB_VEC_H
#define OB_VEC_H

#include <stdbool.h>
#include <stddef.h>

#define OB_VEC_BLOCK 2048
#define OB_VEC_PAR_MIN 32768

/* OB_VEC_FOR(i, n, body...): the element-wise loop `for (size_t i = 0; i < n;
 * i++) { body }`, OpenMP-parallel (static schedule, simd) from OB_VEC_PAR_MIN
 * elements and a plain `omp simd` loop below. Below the threshold it does not
 * enter a parallel region at all: libgomp allocates and frees a team for
 * every region, also one that an if clause keeps on one thread, which cost a
 * 2-dimensional step twenty times its arithmetic. Both branches vectorize the
 * same body, and vector and scalar code perform the same IEEE operations, so
 * the results do not depend on the branch or the thread count. */
#define OB_VEC_FOR(i, n, ...)                                                           \
  do {                                                                                  \
    const size_t ob_vec_n_ = (n);                                                       \
    if (ob_vec_n_ >= OB_VEC_PAR_MIN) {                                                  \
      _Pragma("omp parallel for simd schedule(static)")                                 \
      for (size_t i = 0; i < ob_vec_n_; i++) { __VA_ARGS__ }                            \
    } else {                                                                            \
      _Pragma("omp simd")                                                               \
      for (size_t i = 0; i < ob_vec_n_; i++) { __VA_ARGS__ }                            \
    }                                                                                   \
  } while (0)

/* OB_KERNEL marks a function whose loops are element-wise update kernels: the
 * compiler emits an AVX clone beside the baseline one and the loader picks the
 * best for the CPU (target_clones; configure's --disable-kernel-clones turns
 * it off). OpenMP regions inside the function are cloned with it. Every clone
 * performs the same IEEE operations (no contraction: -ffp-contract=off in C11
 * mode; vector sqrt and division are exactly rounded), so results do not
 * depend on the clone the CPU gets. Baseline x86-64 has 2-wide SSE2 vectors,
 * on which an Adam step (a square root and two divisions per coordinate) runs
 * at about half the memory speed; tests/perf/adam_ratios.sh measures it. */
#if defined(OB_HAVE_TARGET_CLONES) && (defined(__x86_64__) || defined(__i386__))
#define OB_KERNEL __attribute__((target_clones("avx", "default")))
#else
#define OB_KERNEL
#endif

/* sum_i a[i] * b[i] */
double ob_vec_dot(const double *a, const double *b, size_t n);
/* sum_i a[i] */
double ob_vec_sum(const double *a, size_t n);
/* sum_i |a[i]| */
double ob_vec_asum(const double *a, size_t n);
/* ||a||_2 */
double ob_vec_nrm2(const double *a, size_t n);
/* true when every a[i] is finite */
bool ob_vec_all_finite(const double *a, size_t n);
/* Fixed-block reduction of a block function: returns sum over blocks
 * [lo, hi) of block(ctx, lo, hi), blocks of OB_VEC_BLOCK taken in order.
 * `block` may also write to per-index outputs in [lo, hi) (a gradient), and is
 * called from several threads when n >= OB_VEC_PAR_MIN. */
typedef double (*ob_vec_block_fn)(void *ctx, size_t lo, size_t hi);
double ob_vec_reduce(ob_vec_block_fn block, void *ctx, size_t n);

#endif
