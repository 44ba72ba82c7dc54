/* bandwidth.c -- STREAM-like kernels, pointer-chasing latency, and the sweep
 * over (cpu node, memory node, threads) behind `optbench bandwidth`.
 *
 * The kernels follow McCalpin's STREAM (jeffhammond/STREAM stream.c, v5.10):
 * same four kernels, same order, same scalar q = 3, same initial values,
 * the first iteration not timed, best time reported, and results validated by
 * replaying the recurrence in scalar code. A read-only sum is added as the
 * "all reads" point of Intel MLC's mixes. Every loop is a static OpenMP
 * partition, the same partition memtier's first touch uses, so each thread
 * streams the pages it placed. The latency chain visits every 64-byte line of
 * a buffer in a random cyclic order (Sattolo's algorithm on a GSL RNG), so
 * hardware prefetchers cannot follow it; like MLC in a VM (prefetchers left
 * on) this is a random-access latency and includes TLB misses.
 */
#include "config.h"

#include <float.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/bandwidth.h"
#include "bench/context.h"
#include "bench/ob_clock.h"
#include "bench/ob_json.h"
#include "memtier/memtier.h"

#define Q 3.0

static const char *const names[OB_BW_NKERNELS] = { "copy", "scale", "add", "triad", "sum" };
static const double bytes_per_elem[OB_BW_NKERNELS] = { 16, 16, 24, 24, 8 };

const char *ob_bw_kernel_name(int k) { return k >= 0 && k < OB_BW_NKERNELS ? names[k] : "?"; }
double ob_bw_kernel_bytes(int k) { return k >= 0 && k < OB_BW_NKERNELS ? bytes_per_elem[k] : 0; }

int ob_bw_validate(const double *a, const double *b, const double *c, size_t n, int iters, double sum,
                   ob_error *err)
{
  double aj = 1.0, bj = 2.0, cj = 0.0, sj = 0.0;
  for (int k = 0; k < iters; k++) {
    cj = aj;
    bj = Q * cj;
    cj = aj + bj;
    aj = bj + Q * cj;
    sj = aj * (double)n;
  }
  double ea = 0, eb = 0, ec = 0;
  for (size_t j = 0; j < n; j++) {
    ea += fabs(a[j] - aj);
    eb += fabs(b[j] - bj);
    ec += fabs(c[j] - cj);
  }
  ea /= (double)n;
  eb /= (double)n;
  ec /= (double)n;
  const double eps = 1e-13;
  if (ea / fabs(aj) > eps) return ob_error_set(err, OB_ENUMERIC, "validation failed: array a, average relative error %g > %g", ea / fabs(aj), eps);
  if (eb / fabs(bj) > eps) return ob_error_set(err, OB_ENUMERIC, "validation failed: array b, average relative error %g > %g", eb / fabs(bj), eps);
  if (ec / fabs(cj) > eps) return ob_error_set(err, OB_ENUMERIC, "validation failed: array c, average relative error %g > %g", ec / fabs(cj), eps);
  /* a sum of n terms may lose up to about n ulps to rounding */
  const double sum_tol = (double)n * DBL_EPSILON + 1e-13;
  if (iters > 0 && fabs(sum - sj) / fabs(sj) > sum_tol)
    return ob_error_set(err, OB_ENUMERIC, "validation failed: sum %.17g, expected %.17g (relative tolerance %g)", sum, sj,
                        sum_tol);
  return OB_OK;
}

int ob_bw_kernels(double *restrict a, double *restrict b, double *restrict c, size_t n, int reps,
                  ob_bw_timing out[OB_BW_NKERNELS], ob_error *err)
{
  if (reps < 1 || reps > OB_BW_MAX_REPS)
    return ob_error_set(err, OB_EINVAL, "repetitions must be in [1, %d], got %d", OB_BW_MAX_REPS, reps);
  if (n == 0) return ob_error_set(err, OB_EINVAL, "arrays must not be empty");
  const long long nn = (long long)n;
#pragma omp parallel for simd schedule(static)
  for (long long j = 0; j < nn; j++) {
    a[j] = 1.0;
    b[j] = 2.0;
    c[j] = 0.0;
  }
  for (int k = 0; k < OB_BW_NKERNELS; k++) {
    out[k].best_s = HUGE_VAL;
    out[k].avg_s = out[k].max_s = 0;
    out[k].bytes = bytes_per_elem[k] * (double)n;
  }
  double sum = 0, t[OB_BW_NKERNELS];
  for (int it = 0; it <= reps; it++) {
    t[OB_BW_COPY] = ob_clock_now();
#pragma omp parallel for simd schedule(static)
    for (long long j = 0; j < nn; j++) c[j] = a[j];
    t[OB_BW_COPY] = ob_clock_now() - t[OB_BW_COPY];
    t[OB_BW_SCALE] = ob_clock_now();
#pragma omp parallel for simd schedule(static)
    for (long long j = 0; j < nn; j++) b[j] = Q * c[j];
    t[OB_BW_SCALE] = ob_clock_now() - t[OB_BW_SCALE];
    t[OB_BW_ADD] = ob_clock_now();
#pragma omp parallel for simd schedule(static)
    for (long long j = 0; j < nn; j++) c[j] = a[j] + b[j];
    t[OB_BW_ADD] = ob_clock_now() - t[OB_BW_ADD];
    t[OB_BW_TRIAD] = ob_clock_now();
#pragma omp parallel for simd schedule(static)
    for (long long j = 0; j < nn; j++) a[j] = b[j] + Q * c[j];
    t[OB_BW_TRIAD] = ob_clock_now() - t[OB_BW_TRIAD];
    double s = 0;
    t[OB_BW_SUM] = ob_clock_now();
#pragma omp parallel for simd schedule(static) reduction(+ : s)
    for (long long j = 0; j < nn; j++) s += a[j];
    t[OB_BW_SUM] = ob_clock_now() - t[OB_BW_SUM];
    sum = s;
    if (it == 0) continue;                     /* warm-up: not timed (STREAM skips it too) */
    for (int k = 0; k < OB_BW_NKERNELS; k++) {
      if (t[k] < out[k].best_s) out[k].best_s = t[k];
      if (t[k] > out[k].max_s) out[k].max_s = t[k];
      out[k].avg_s += t[k] / reps;
    }
  }
  return ob_bw_validate(a, b, c, n, reps + 1, sum, err);
}

double ob_bw_latency_ns(void *buf, size_t bytes, size_t loads, unsigned long seed)
{
  const size_t line = 64, lines = bytes / line;
  if (lines < 2 || loads == 0) return -1;
  size_t *perm = malloc(lines * sizeof *perm);
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!perm || !r) {
    free(perm);
    if (r) gsl_rng_free(r);
    return -1;
  }
  gsl_rng_set(r, seed);
  for (size_t i = 0; i < lines; i++) perm[i] = i;
  /* Sattolo: a uniformly random permutation that is one single cycle */
  for (size_t i = lines - 1; i > 0; i--) {
    size_t j = gsl_rng_uniform_int(r, i);
    size_t tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  char *base = buf;
  for (size_t i = 0; i < lines; i++) *(void **)(base + i * line) = base + perm[i] * line;
  free(perm);
  gsl_rng_free(r);
  void *volatile sink;
  void *p = base;
  size_t warm = loads < lines ? loads : lines;
  for (size_t i = 0; i < warm; i++) p = *(void **)p;     /* TLB and cache state as in the timed part */
  double t0 = ob_clock_now();
  for (size_t i = 0; i < loads; i++) p = *(void **)p;
  double dt = ob_clock_now() - t0;
  sink = p;
  (void)sink;
  return dt * 1e9 / (double)loads;
}

size_t ob_bw_llc_bytes(const char *sysroot)
{
  char path[1024], buf[64];
  size_t best = 0;
  int best_level = -1;
  for (int i = 0; i < 16; i++) {
    snprintf(path, sizeof path, "%s/devices/system/cpu/cpu0/cache/index%d/level", sysroot, i);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    int level = fgets(buf, sizeof buf, f) ? atoi(buf) : -1;
    fclose(f);
    snprintf(path, sizeof path, "%s/devices/system/cpu/cpu0/cache/index%d/size", sysroot, i);
    f = fopen(path, "r");
    if (!f) continue;
    size_t size = 0;
    if (fgets(buf, sizeof buf, f)) {
      char *end;
      size = strtoull(buf, &end, 10);
      if (*end == 'K') size <<= 10;
      else if (*end == 'M') size <<= 20;
    }
    fclose(f);
    if (level > best_level || (level == best_level && size > best)) {
      best_level = level;
      best = size;
    }
  }
  return best;
}

/* ---- the sweep --------------------------------------------------------- */

static void say(ob_bw_progress progress, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(ob_bw_progress progress, void *ctx, const char *fmt, ...)
{
  char buf[256];
  va_list ap;
  if (!progress) return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  progress(buf, ctx);
}

static int open_pair(int cpu, int mem, ob_placement **pl, ob_memtier **m, ob_error *err)
{
  char node[32], cpun[32];
  snprintf(node, sizeof node, "node:%d", mem);
  snprintf(cpun, sizeof cpun, "node:%d", cpu);
  json_t *spec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", "bandwidth", "params", node, "grads", node,
                           "state", node, "data", node, "cpu", cpun);
  int rc = ob_placement_parse(spec, "bandwidth", pl, err);
  json_decref(spec);
  if (rc < 0) return rc;
  rc = ob_memtier_open(*pl, m, err);
  if (rc < 0) {
    ob_placement_free(*pl);
    *pl = NULL;
  }
  return rc;
}

static json_t *timing_json(const ob_bw_timing *t)
{
  json_t *o = json_object();
  for (int k = 0; k < OB_BW_NKERNELS; k++)
    json_object_set_new(o, names[k], json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
                        "best_gbs", ob_json_num(t[k].bytes / t[k].best_s / 1e9),
                        "avg_gbs", ob_json_num(t[k].bytes / t[k].avg_s / 1e9),
                        "best_s", ob_json_num(t[k].best_s), "avg_s", ob_json_num(t[k].avg_s),
                        "max_s", ob_json_num(t[k].max_s), "bytes", ob_json_num(t[k].bytes)));
  return o;
}

int ob_bandwidth_measure(const ob_bw_config *cfg, ob_bw_progress progress, void *ctx, json_t **out, ob_error *err)
{
  *out = NULL;
  const ob_topology *t = ob_memtier_topology(err);
  if (!t) return err ? err->code : OB_EUNSUPPORTED;
  size_t llc = ob_bw_llc_bytes("/sys");
  size_t min_bytes = 4 * llc;
  size_t array_bytes = cfg->array_bytes ? cfg->array_bytes : (min_bytes > (64u << 20) ? min_bytes : (64u << 20));
  size_t n = array_bytes / sizeof(double);
  int reps = cfg->reps ? cfg->reps : 10;
  size_t loads = cfg->latency_loads ? cfg->latency_loads : (size_t)1 << 22;
  if (n < 2) return ob_error_set(err, OB_EINVAL, "arrays of %zu bytes are too small", array_bytes);
  long long avail_kb = t->mem_available_kb;
  if (avail_kb > 0 && (long long)(3 * array_bytes / 1024) > avail_kb / 2)
    return ob_error_set(err, OB_EINVAL, "3 arrays of %zu MB need more than half of MemAvailable (%lld MB)",
                        array_bytes >> 20, avail_kb / 1024);

  json_t *doc = json_object(), *results = json_array(), *lat = json_array(), *kernels = json_object();
  json_t *threads = json_array();
  for (int i = 0; i < cfg->nthreads; i++) json_array_append_new(threads, json_integer(cfg->threads[i]));
  json_object_set_new(doc, "schema_version", json_integer(1));
  json_object_set_new(doc, "kind", json_string("optbench-bandwidth"));
  json_object_set_new(doc, "tool", ob_tool_json());
  json_object_set_new(doc, "topology", ob_topology_json(t));
  json_object_set_new(doc, "config", json_pack("{s:I, s:I, s:i, s:o, s:b, s:I, s:{s:I, s:I, s:b}}",
                      "array_bytes", (json_int_t)array_bytes, "elements", (json_int_t)n, "reps", reps,
                      "threads", threads, "latency", cfg->latency, "latency_loads", (json_int_t)loads,
                      "stream_rule", "llc_bytes", (json_int_t)llc, "min_array_bytes", (json_int_t)min_bytes,
                      "satisfied", llc > 0 && array_bytes >= min_bytes));
  for (int k = 0; k < OB_BW_NKERNELS; k++) json_object_set_new(kernels, names[k], json_object());
  json_t *latmap = json_object();
  int rc = OB_OK;
  for (int cpu = 0; rc == OB_OK && cpu <= t->max_node; cpu++) {
    if (!t->node[cpu].present || t->node[cpu].ncpus == 0) continue;
    for (int mem = 0; rc == OB_OK && mem <= t->max_node; mem++) {
      if (!t->node[mem].present || !t->node[mem].has_memory) continue;
      char key[32];
      if (cpu == t->cpu_node && mem == cpu) snprintf(key, sizeof key, "local");
      else snprintf(key, sizeof key, "node:%d", mem);
      for (int ti = 0; rc == OB_OK && ti < cfg->nthreads; ti++) {
        int nt = cfg->threads[ti];
#ifdef _OPENMP
        omp_set_num_threads(nt);
#endif
        ob_placement *pl = NULL;
        ob_memtier *m = NULL;
        ob_error e;
        ob_error_clear(&e);
        json_t *rec = json_pack("{s:i, s:i, s:i}", "cpu_node", cpu, "mem_node", mem, "threads", nt);
        say(progress, ctx, "cpu node %d, memory node %d, %d thread%s: kernels", cpu, mem, nt, nt == 1 ? "" : "s");
        int r2 = open_pair(cpu, mem, &pl, &m, &e);
        double *a = NULL, *b = NULL, *c = NULL;
        if (r2 == OB_OK) {
          a = ob_memtier_alloc_bytes(m, OB_MEM_DATA, array_bytes, &e);
          b = a ? ob_memtier_alloc_bytes(m, OB_MEM_DATA, array_bytes, &e) : NULL;
          c = b ? ob_memtier_alloc_bytes(m, OB_MEM_DATA, array_bytes, &e) : NULL;
          r2 = c ? ob_memtier_verify(m, &e) : (e.code ? e.code : OB_ENOMEM);
        }
        if (r2 == OB_OK) {
          ob_bw_timing tm[OB_BW_NKERNELS];
          json_object_set_new(rec, "observed", ob_memtier_observed(m));
          r2 = ob_bw_kernels(a, b, c, n, reps, tm, &e);
          if (r2 == OB_OK) {
            json_object_set_new(rec, "status", json_string("ok"));
            json_object_set_new(rec, "validated", json_true());
            json_object_set_new(rec, "kernels", timing_json(tm));
            if (cpu == t->cpu_node) {
              char kk[48];
              snprintf(kk, sizeof kk, "%s/t%d", key, nt);
              for (int k = 0; k < OB_BW_NKERNELS; k++)
                json_object_set_new(json_object_get(kernels, names[k]), kk,
                                    ob_json_num(tm[k].bytes / tm[k].best_s / 1e9));
              if (strcmp(key, "local") == 0) {   /* the same pair under its node name too */
                snprintf(kk, sizeof kk, "node:%d/t%d", mem, nt);
                for (int k = 0; k < OB_BW_NKERNELS; k++)
                  json_object_set_new(json_object_get(kernels, names[k]), kk,
                                      ob_json_num(tm[k].bytes / tm[k].best_s / 1e9));
              }
            }
            if (cfg->latency && ti == 0) {
              say(progress, ctx, "cpu node %d, memory node %d: latency", cpu, mem);
              double ns = ob_bw_latency_ns(c, array_bytes, loads, 1);
              json_array_append_new(lat, json_pack("{s:i, s:i, s:o, s:I, s:I}", "cpu_node", cpu, "mem_node", mem,
                                    "latency_ns", ob_json_num(ns), "buffer_bytes", (json_int_t)array_bytes,
                                    "loads", (json_int_t)loads));
              if (cpu == t->cpu_node) {
                json_object_set_new(latmap, key, ob_json_num(ns));
                if (strcmp(key, "local") == 0) {
                  char kk[32];
                  snprintf(kk, sizeof kk, "node:%d", mem);
                  json_object_set_new(latmap, kk, ob_json_num(ns));
                }
              }
            }
          } else if (r2 == OB_ENUMERIC) {
            json_object_set_new(rec, "status", json_string("error"));
            json_object_set_new(rec, "validated", json_false());
            json_object_set_new(rec, "reason", json_string(e.text));
            r2 = OB_OK;                            /* recorded; the sweep goes on */
          }
        }
        if (r2 == OB_EUNSUPPORTED) {
          json_object_set_new(rec, "status", json_string("skipped"));
          json_object_set_new(rec, "reason", json_string(e.text));
        } else if (r2 < 0) {
          if (err) *err = e;
          rc = r2;
        }
        ob_memtier_close(m);
        ob_placement_free(pl);
        json_array_append_new(results, rec);
      }
    }
  }
  json_object_set_new(doc, "results", results);
  json_object_set_new(doc, "latency", lat);
  json_object_set_new(doc, "kernels", kernels);
  json_object_set_new(doc, "latency_ns", latmap);
  if (rc < 0) {
    json_decref(doc);
    return rc;
  }
  *out = doc;
  return OB_OK;
}
