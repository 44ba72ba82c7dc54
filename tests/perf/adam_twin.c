/* adam_twin.c -- the memory-only twin of optbench's Adam update, for
 * tests/perf/adam_ratios.sh (a benchmark, not a unit test).
 *
 * Per coordinate it makes the same loads and stores as Adam's one-pass update
 * (optimizers/adam_kernel.h): read x, g, m, v; write x, m, v = 7 x 8 bytes,
 * with one multiply-add per stream instead of Adam's sqrt and division, so its
 * time is the memory time of that access pattern. The arrays are first touched
 * by the same OpenMP static partition that computes on them (as optbench's
 * arena does for a `local` placement); the thread count comes from
 * OMP_NUM_THREADS.
 *
 * usage: adam_twin N REPS
 * prints one line: "twin n=N threads=T reps=R median_s=S gbs=G" where
 * G = 56 N / S / 1e9 and S is the median time of one pass over REPS timed
 * passes after one untimed warm-up pass. Exits 1 when the arrays cannot be
 * allocated or a result is not finite (a sanity check of the arithmetic).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void pass(size_t n, double *restrict x, const double *restrict g, double *restrict m,
                 double *restrict v)
{
#pragma omp parallel for simd schedule(static)
  for (size_t i = 0; i < n; i++) {
    const double gi = g[i];
    m[i] = 0.5 * m[i] + gi;
    v[i] = 0.25 * v[i] + gi;
    x[i] = 0.75 * x[i] - gi;
  }
}

int main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: adam_twin N REPS\n");
    return 64;
  }
  const size_t n = (size_t)strtoull(argv[1], NULL, 10);
  const int reps = atoi(argv[2]);
  if (n == 0 || reps < 1) {
    fprintf(stderr, "adam_twin: N and REPS must be positive\n");
    return 64;
  }
  double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
  double *m = malloc(n * sizeof *m), *v = malloc(n * sizeof *v);
  double *t = malloc((size_t)reps * sizeof *t);
  if (!x || !g || !m || !v || !t) {
    fprintf(stderr, "adam_twin: out of memory for n=%zu\n", n);
    return 1;
  }
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; i++) {
    x[i] = 1.0;
    g[i] = 1e-3;
    m[i] = 0.0;
    v[i] = 0.0;
  }
  pass(n, x, g, m, v); /* warm-up */
  for (int r = 0; r < reps; r++) {
    const double t0 = now();
    pass(n, x, g, m, v);
    t[r] = now() - t0;
  }
  if (!isfinite(x[n / 2] + m[n - 1] + v[0])) {
    fprintf(stderr, "adam_twin: non-finite result\n");
    return 1;
  }
  qsort(t, (size_t)reps, sizeof *t, cmp_double);
  const double med = reps % 2 ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2]);
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  printf("twin n=%zu threads=%d reps=%d median_s=%.6g gbs=%.4f\n", n, threads, reps, med,
         56.0 * (double)n / med / 1e9);
  free(x);
  free(g);
  free(m);
  free(v);
  free(t);
  return 0;
}
