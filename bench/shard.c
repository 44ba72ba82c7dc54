/* shard.c -- cost-balanced shard assignment of a suite's cells (see shard.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/shard.h"
#include "optimizers/optimizer.h"

#define ORACLE_BYTES 16.0       /* x read + g written per coordinate */
#define NOMINAL_BYTES_PER_S 1e9 /* converts a time budget into bytes */

static int parse_size(const char *p, const char **end, size_t *out)
{
  if (!isdigit((unsigned char)*p)) return -1;
  errno = 0;
  char *e;
  unsigned long long v = strtoull(p, &e, 10);
  if (errno || v > OB_SHARD_MAX) return -1;
  *out = (size_t)v;
  *end = e;
  return 0;
}

int ob_shard_parse(const char *text, size_t *index, size_t *count, ob_error *err)
{
  const char *p = text, *e;
  size_t i = 0, n = 0;
  if (parse_size(p, &e, &i) < 0 || *e != '/' || parse_size(e + 1, &e, &n) < 0 || *e)
    return ob_error_set(err, OB_EINVAL, "--shard '%s': expected I/N with integers 1 <= I <= N <= %d, e.g. 2/8",
                        text, OB_SHARD_MAX);
  if (n == 0) return ob_error_set(err, OB_EINVAL, "--shard '%s': the number of shards must be at least 1", text);
  if (i == 0 || i > n)
    return ob_error_set(err, OB_EINVAL, "--shard '%s': shard number %zu is not in 1..%zu", text, i, n);
  *index = i;
  *count = n;
  return OB_OK;
}

int ob_shard_costs(const ob_suite *s, double *cost, ob_error *err)
{
  double *traffic = calloc(s->noptimizers ? s->noptimizers : 1, sizeof *traffic);
  if (!traffic) return ob_error_set(err, OB_ENOMEM, "out of memory");
  for (size_t o = 0; o < s->noptimizers; o++) {
    ob_optimizer *opt = NULL;
    ob_error e2;
    ob_error_clear(&e2);
    /* The suite loader already configured every optimizer once; a failure here
     * would be a bug, and the cell then simply gets the oracle cost only. */
    if (ob_optimizer_alloc(s->optimizers[o].type, s->optimizers[o].params, &opt, &e2) == OB_OK) {
      traffic[o] = ob_optimizer_traffic(opt);
      ob_optimizer_free(opt);
    }
  }
  for (size_t i = 0; i < s->ncells; i++) {
    const ob_cell *c = &s->cells[i];
    double per_step = (double)s->problems[c->problem].n * (traffic[c->optimizer] + ORACLE_BYTES);
    double bytes = s->max_steps ? per_step * (double)s->max_steps : s->max_seconds * NOMINAL_BYTES_PER_S;
    if (s->max_seconds && bytes > s->max_seconds * NOMINAL_BYTES_PER_S) bytes = s->max_seconds * NOMINAL_BYTES_PER_S;
    cost[i] = bytes;
  }
  free(traffic);
  return OB_OK;
}

static const double *sort_cost;   /* qsort has no context argument; single-threaded use only */

static int by_cost_desc(const void *a, const void *b)
{
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  if (sort_cost[i] > sort_cost[j]) return -1;
  if (sort_cost[i] < sort_cost[j]) return 1;
  return (i > j) - (i < j);
}

static int lighter(const double *load, size_t a, size_t b)
{
  return load[a] < load[b] || (load[a] == load[b] && a < b);
}

/* Restores the min-heap after heap[0]'s load grew. */
static void sift_down(size_t *heap, size_t n, const double *load)
{
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && lighter(load, heap[l], heap[m])) m = l;
    if (r < n && lighter(load, heap[r], heap[m])) m = r;
    if (m == i) return;
    size_t t = heap[i];
    heap[i] = heap[m];
    heap[m] = t;
    i = m;
  }
}

int ob_shard_assign(const ob_suite *s, size_t count, size_t *shard_of, ob_error *err)
{
  if (count == 0) return ob_error_set(err, OB_EINVAL, "shard count must be at least 1");
  size_t n = s->ncells;
  double *cost = malloc((n ? n : 1) * sizeof *cost);
  size_t *order = malloc((n ? n : 1) * sizeof *order);
  double *load = calloc(count, sizeof *load);
  size_t *heap = malloc(count * sizeof *heap);
  int rc = OB_OK;
  if (!cost || !order || !load || !heap) {
    rc = ob_error_set(err, OB_ENOMEM, "out of memory");
    goto out;
  }
  if ((rc = ob_shard_costs(s, cost, err)) < 0) goto out;
  for (size_t i = 0; i < n; i++) order[i] = i;
  sort_cost = cost;
  qsort(order, n, sizeof *order, by_cost_desc);
  sort_cost = NULL;
  /* heap[0] is the shard with the least load (ties: the lowest number). */
  for (size_t j = 0; j < count; j++) heap[j] = j;
  for (size_t k = 0; k < n; k++) {
    size_t best = heap[0];
    shard_of[order[k]] = best;
    load[best] += cost[order[k]];
    sift_down(heap, count, load);
  }
out:
  free(cost);
  free(order);
  free(load);
  free(heap);
  return rc;
}
