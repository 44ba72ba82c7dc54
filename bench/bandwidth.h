/* bandwidth.h -- the machine's memory limits: STREAM-like kernels and idle latency.
 *
 * `optbench bandwidth` measures, for every (cpu node, memory node, thread
 * count), the STREAM kernels copy, scale, add and triad plus a read-only sum,
 * and the idle latency of dependent loads (pointer chasing). The rules are
 * McCalpin's STREAM rules (jeffhammond/STREAM stream.c): arrays of at least 4x
 * the last-level cache, one untimed warm-up iteration then the best of N,
 * results validated by replaying the recurrence, and bytes counted as STREAM
 * counts them (copy/scale 16, add/triad 24, sum 8 bytes per element; write-
 * allocate traffic not counted). These are "STREAM-like" figures, not STREAM
 * results. Memory comes from memtier arenas, so placement and thread binding
 * are applied and verified exactly as for optimizer runs. Library code: no
 * printing; errors through ob_error.
 */
#ifndef OB_BANDWIDTH_H
#define OB_BANDWIDTH_H

#include <jansson.h>
#include <stddef.h>

#include "bench/ob_error.h"

enum { OB_BW_COPY, OB_BW_SCALE, OB_BW_ADD, OB_BW_TRIAD, OB_BW_SUM, OB_BW_NKERNELS };

/* "copy", "scale", "add", "triad", "sum". */
const char *ob_bw_kernel_name(int k);
/* Bytes per element as STREAM counts them (16, 16, 24, 24, 8). */
double ob_bw_kernel_bytes(int k);

typedef struct {
  double best_s, avg_s, max_s;   /* over the timed iterations (warm-up excluded) */
  double bytes;                  /* per iteration */
} ob_bw_timing;

#define OB_BW_MAX_REPS 200       /* the recurrence grows 15x per iteration: 15^200 < DBL_MAX */

/* Runs reps + 1 iterations of copy, scale, add, triad, sum (STREAM order,
 * q = 3) over a, b, c of n elements each with the current OpenMP threads;
 * the first iteration is a warm-up. Initialises a = 1, b = 2, c = 0 in
 * parallel first. Then validates (ob_bw_validate); OB_ENUMERIC when the
 * results are wrong. */
int ob_bw_kernels(double *a, double *b, double *c, size_t n, int reps, ob_bw_timing out[OB_BW_NKERNELS],
                  ob_error *err);

/* STREAM's check: replays the scalar recurrence for `iters` iterations and
 * compares the average absolute error of each array, relative to the expected
 * value, with 1e-13; the last sum (of a, taken after triad) with n x DBL_EPSILON
 * + 1e-13 relative (a sum of n terms may lose about n ulps). */
int ob_bw_validate(const double *a, const double *b, const double *c, size_t n, int iters, double sum,
                   ob_error *err);

/* Idle latency: a random cyclic chain through the 64-byte lines of `buf`
 * (bytes long, written here), followed for `loads` dependent loads by the
 * calling thread. Returns nanoseconds per load, or a negative value when the
 * buffer is too small. */
double ob_bw_latency_ns(void *buf, size_t bytes, size_t loads, unsigned long seed);

/* The largest cache reported for cpu0 under ROOT/devices/system/cpu/cpu0/cache
 * (the last-level cache), in bytes; 0 when unknown. */
size_t ob_bw_llc_bytes(const char *sysroot);

typedef struct {
  size_t array_bytes;            /* per array; 0: max(4 x LLC, 64 MiB) */
  int reps;                      /* timed iterations (default 10) */
  int nthreads;
  int threads[16];
  int latency;                   /* measure idle latency too */
  size_t latency_loads;          /* 0: default (2^22) */
} ob_bw_config;

/* Progress callback: one line of text (what is measured now), or NULL. */
typedef void (*ob_bw_progress)(const char *what, void *ctx);

/* Measures every (cpu node, memory node, threads) of the live topology and
 * returns the document described in docs/bandwidth.md (a new reference):
 * {"schema_version": 1, ..., "results": [...], "latency": [...],
 *  "kernels": {"triad": {"local/t1": GBps, "node:0/t1": GBps}, ...}}.
 * Pairs the machine cannot provide are listed with "status": "skipped". */
int ob_bandwidth_measure(const ob_bw_config *cfg, ob_bw_progress progress, void *ctx, json_t **out, ob_error *err);

#endif
