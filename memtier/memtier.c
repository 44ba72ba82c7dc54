/* memtier.c -- placements, per-cell arenas and placement verification.
 *
 * Every block is a fresh anonymous mmap. The class's NUMA policy is applied
 * with mbind before any page is touched (a policy set after the first fault
 * moves nothing), then the block is zeroed by the OpenMP threads in the same
 * static partition the compute loops use, so first touch puts each page where
 * its user runs. Placement is then verified by sampling pages with move_pages
 * (status pre-filled, return code checked): the observed per-node fractions
 * go into the results, and a bound class whose pages are not where they were
 * asked to be makes the arena fail with OB_EUNSUPPORTED, so the run is
 * skipped rather than reported as if placed.
 *
 * libnuma prints on some failures (numa_error, numa_warn); library code must
 * not print, so both are overridden here to record the failure instead.
 * Implemented: local, node:N, cxl, interleave[:set], split. weighted is parsed
 * and reported as unsupported until the kernel probe and sysfs weights exist.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <numa.h>
#include <numaif.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/ob_params.h"
#include "bench/ob_vec.h"
#include "memtier/memtier.h"

#define MAX_NODES 64
#define MAX_PARTS 8
#define VERIFY_SAMPLES 512
#define PLACEMENT_TOLERANCE 0.99   /* fraction of sampled pages that must obey a binding */

static int libnuma_failed;   /* set by the overrides below */

void numa_error(char *where);
void numa_warn(int num, char *fmt, ...);
void numa_error(char *where) { (void)where; libnuma_failed = errno ? errno : EINVAL; }
void numa_warn(int num, char *fmt, ...) { (void)num; (void)fmt; }

typedef enum { POL_LOCAL, POL_NODE, POL_CXL, POL_INTERLEAVE, POL_WEIGHTED, POL_SPLIT } pol_kind;

typedef struct {
  pol_kind kind;
  int nnodes;                    /* node:N, interleave:set, weighted */
  int nodes[MAX_NODES];
  int weights[MAX_NODES];
  int nparts;                    /* split */
  char part_target[MAX_PARTS][24];
  double part_frac[MAX_PARTS];
  char text[128];                /* normalized spelling */
} ob_policy;

struct ob_placement {
  char name[64];
  ob_policy cls[OB_MEM_NCLASSES];
};

static const char *const class_names[OB_MEM_NCLASSES] = { "params", "grads", "state", "data" };

const char *ob_memclass_name(ob_memclass c)
{
  return (unsigned)c < OB_MEM_NCLASSES ? class_names[c] : "?";
}

/* ---- parsing --------------------------------------------------------- */

static int parse_nodelist(const char *s, ob_policy *p, int with_weights, const char *path, ob_error *err)
{
  const char *q = s;
  p->nnodes = 0;
  while (*q) {
    char *end;
    long v = isdigit((unsigned char)*q) ? strtol(q, &end, 10) : -1;
    if (v < 0) end = (char *)q;
    if (end == q || v < 0 || v >= MAX_NODES)
      return ob_error_at(err, OB_EINVAL, path, "bad node list '%s': expected node ids 0..%d separated by commas",
                         s, MAX_NODES - 1);
    if (p->nnodes == MAX_NODES) return ob_error_at(err, OB_EINVAL, path, "too many nodes in '%s'", s);
    for (int k = 0; k < p->nnodes; k++)
      if (p->nodes[k] == (int)v) return ob_error_at(err, OB_EINVAL, path, "node %ld is listed twice in '%s'", v, s);
    p->nodes[p->nnodes] = (int)v;
    p->weights[p->nnodes] = 1;
    q = end;
    if (with_weights) {
      if (*q != '=')
        return ob_error_at(err, OB_EINVAL, path, "bad weight list '%s': expected NODE=WEIGHT pairs", s);
      long w = strtol(q + 1, &end, 10);
      if (end == q + 1 || w < 1 || w > 255)
        return ob_error_at(err, OB_EINVAL, path, "bad weight in '%s': weights are integers in [1, 255]", s);
      p->weights[p->nnodes] = (int)w;
      q = end;
    }
    p->nnodes++;
    if (*q == ',' && q[1]) q++;
    else if (*q) return ob_error_at(err, OB_EINVAL, path, "bad node list '%s'", s);
  }
  if (p->nnodes == 0) return ob_error_at(err, OB_EINVAL, path, "empty node list in '%s'", s);
  return OB_OK;
}

static const char *const policy_words[] = { "local", "node:", "cxl", "interleave", "weighted:", NULL };

static int parse_policy_string(const char *s, ob_policy *p, const char *path, ob_error *err)
{
  memset(p, 0, sizeof *p);
  snprintf(p->text, sizeof p->text, "%s", s);
  if (strcmp(s, "local") == 0) { p->kind = POL_LOCAL; return OB_OK; }
  if (strcmp(s, "cxl") == 0) { p->kind = POL_CXL; return OB_OK; }
  if (strcmp(s, "interleave") == 0) { p->kind = POL_INTERLEAVE; p->nnodes = 0; return OB_OK; }
  if (strncmp(s, "interleave:", 11) == 0) { p->kind = POL_INTERLEAVE; return parse_nodelist(s + 11, p, 0, path, err); }
  if (strncmp(s, "node:", 5) == 0) {
    p->kind = POL_NODE;
    int rc = parse_nodelist(s + 5, p, 0, path, err);
    if (rc == OB_OK && p->nnodes != 1)
      return ob_error_at(err, OB_EINVAL, path, "'%s' names more than one node (use interleave:%s)", s, s + 5);
    return rc;
  }
  if (strncmp(s, "weighted:", 9) == 0) { p->kind = POL_WEIGHTED; return parse_nodelist(s + 9, p, 1, path, err); }
  const char *hint = ob_did_you_mean(s, policy_words);
  if (hint)
    return ob_error_at(err, OB_EINVAL, path, "unknown placement '%s' (did you mean '%s'?)", s, hint);
  return ob_error_at(err, OB_EINVAL, path,
                     "unknown placement '%s' (valid: local, node:N, cxl, interleave, interleave:N,M, "
                     "weighted:N=W,..., or an object naming classes)", s);
}

static int parse_split(const json_t *obj, ob_policy *p, const char *path, ob_error *err)
{
  const char *key;
  json_t *v;
  char kp[256];
  double sum = 0;
  memset(p, 0, sizeof *p);
  p->kind = POL_SPLIT;
  if (!json_is_object(obj) || json_object_size(obj) < 1)
    return ob_error_at(err, OB_EINVAL, path, "split must be an object of target: fraction, e.g. {\"local\": 0.75, \"cxl\": 0.25}");
  size_t used = (size_t)snprintf(p->text, sizeof p->text, "split");
  json_object_foreach((json_t *)obj, key, v) {
    snprintf(kp, sizeof kp, "%s.%s", path, key);
    ob_policy probe;
    int rc = parse_policy_string(key, &probe, kp, err);
    if (rc < 0) return rc;
    if (probe.kind != POL_LOCAL && probe.kind != POL_NODE && probe.kind != POL_CXL)
      return ob_error_at(err, OB_EINVAL, kp, "split targets are local, cxl or node:N");
    if (!json_is_number(v) || !(json_number_value(v) > 0) || json_number_value(v) > 1)
      return ob_error_at(err, OB_EINVAL, kp, "a split fraction must be a number in (0, 1]");
    if (p->nparts == MAX_PARTS) return ob_error_at(err, OB_EINVAL, kp, "too many split targets");
    snprintf(p->part_target[p->nparts], sizeof p->part_target[0], "%s", key);
    p->part_frac[p->nparts++] = json_number_value(v);
    sum += json_number_value(v);
    if (used < sizeof p->text)
      used += (size_t)snprintf(p->text + used, sizeof p->text - used, "%s%s=%g", p->nparts == 1 ? ":" : ",",
                               key, json_number_value(v));
  }
  if (fabs(sum - 1.0) > 1e-9)
    return ob_error_at(err, OB_EINVAL, path, "split fractions add up to %g, not 1", sum);
  return OB_OK;
}

int ob_placement_parse(const json_t *spec, const char *path, ob_placement **out, ob_error *err)
{
  ob_placement *pl = calloc(1, sizeof *pl);
  char kp[256];
  int rc = OB_OK;
  *out = NULL;
  if (!pl) return ob_error_set(err, OB_ENOMEM, "out of memory");
  if (json_is_string(spec)) {
    const char *s = json_string_value(spec);
    rc = parse_policy_string(s, &pl->cls[0], path, err);
    if (rc == OB_OK && pl->cls[0].kind == POL_SPLIT) rc = OB_EINVAL;
    for (int c = 1; rc == OB_OK && c < OB_MEM_NCLASSES; c++) pl->cls[c] = pl->cls[0];
    if (rc == OB_OK && strlen(s) >= sizeof pl->name)
      rc = ob_error_at(err, OB_EINVAL, path, "placement '%.40s...' is longer than %zu characters; use an object "
                       "with a short \"name\"", s, sizeof pl->name - 1);
    snprintf(pl->name, sizeof pl->name, "%s", s);
  } else if (json_is_object(spec)) {
    const char *key;
    json_t *v;
    for (int c = 0; c < OB_MEM_NCLASSES; c++) parse_policy_string("local", &pl->cls[c], path, NULL);
    static const char *const keys[] = { "name", "params", "grads", "state", "data", "cpu", NULL };
    json_t *name = json_object_get(spec, "name");
    if (!name || !json_is_string(name) || !json_string_length(name)) {
      rc = ob_error_at(err, OB_EINVAL, path, "a placement object needs a \"name\" (a non-empty string)");
      goto done;
    }
    if (json_string_length(name) >= sizeof pl->name) {
      rc = ob_error_at(err, OB_EINVAL, path, "placement name must be at most %zu characters", sizeof pl->name - 1);
      goto done;
    }
    snprintf(pl->name, sizeof pl->name, "%s", json_string_value(name));
    for (const char *p = pl->name; *p; p++)
      if (*p == '/' || isspace((unsigned char)*p)) {
        rc = ob_error_at(err, OB_EINVAL, path, "placement name '%s' may not contain '/' or spaces", pl->name);
        goto done;
      }
    json_object_foreach((json_t *)spec, key, v) {
      snprintf(kp, sizeof kp, "%s.%s", path, key);
      if (strcmp(key, "name") == 0) continue;
      int c;
      for (c = 0; c < OB_MEM_NCLASSES; c++) if (strcmp(key, class_names[c]) == 0) break;
      if (strcmp(key, "cpu") == 0) {
        if (!json_is_string(v) || strcmp(json_string_value(v), "local") != 0) {
          rc = ob_error_at(err, OB_EINVAL, kp, "only \"local\" is supported for cpu in this version");
          goto done;
        }
        continue;
      }
      if (c == OB_MEM_NCLASSES) {
        const char *hint = ob_did_you_mean(key, keys);
        rc = hint ? ob_error_at(err, OB_EINVAL, kp, "unknown key '%s' (did you mean '%s'?)", key, hint)
                  : ob_error_at(err, OB_EINVAL, kp, "unknown key '%s' (valid keys: name, params, grads, state, data, cpu)", key);
        goto done;
      }
      if (json_is_string(v)) rc = parse_policy_string(json_string_value(v), &pl->cls[c], kp, err);
      else if (json_is_object(v) && json_object_get(v, "split") && json_object_size(v) == 1) {
        snprintf(kp, sizeof kp, "%s.%s.split", path, key);
        rc = parse_split(json_object_get(v, "split"), &pl->cls[c], kp, err);
      } else rc = ob_error_at(err, OB_EINVAL, kp, "expected a placement string or {\"split\": {...}}");
      if (rc < 0) goto done;
    }
  } else {
    rc = ob_error_at(err, OB_EINVAL, path, "expected a placement string or object");
  }
done:
  if (rc < 0) { free(pl); return rc; }
  *out = pl;
  return OB_OK;
}

void ob_placement_free(ob_placement *pl) { free(pl); }

const char *ob_placement_name(const ob_placement *pl) { return pl->name; }

json_t *ob_placement_request_json(const ob_placement *pl)
{
  json_t *o = json_object();
  for (int c = 0; c < OB_MEM_NCLASSES; c++)
    json_object_set_new(o, class_names[c], json_string(pl->cls[c].text));
  json_object_set_new(o, "cpu", json_string("local"));
  return o;
}

json_t *ob_placement_catalog(void)
{
  static const char *const rows[][2] = {
    { "local", "every class on the node of the running CPU (first touch)" },
    { "node:N", "every class bound to memory node N" },
    { "cxl", "every class bound to the CPU-less memory nodes (CXL-like); skipped when none" },
    { "interleave", "pages interleaved over all memory nodes" },
    { "interleave:N,M", "pages interleaved over the listed nodes" },
    { "weighted:N=W,...", "weighted interleave (MPOL_WEIGHTED_INTERLEAVE); not implemented yet: skipped" },
    { "{\"split\": {\"local\": F, \"cxl\": G}}", "page ranges of one class bound to targets in proportion (class objects only)" },
    { "{\"name\": ..., \"params\": ..., \"grads\": ..., \"state\": ..., \"data\": ...}", "per-class placement; missing classes are local" },
  };
  json_t *a = json_array();
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    json_array_append_new(a, json_pack("{s:s, s:s}", "name", rows[i][0], "summary", rows[i][1]));
  return a;
}

/* ---- topology --------------------------------------------------------- */

static int numa_ok(void)
{
  static int state = -2;
  if (state == -2) state = numa_available();
  return state != -1;
}

static int node_has_memory(int n)
{
  if (!numa_ok() || n < 0 || n > numa_max_node()) return 0;
  long long sz = numa_node_size64(n, NULL);
  if (sz <= 0) return 0;
  struct bitmask *m = numa_get_mems_allowed();
  int ok = m && numa_bitmask_isbitset(m, (unsigned)n);
  if (m) numa_bitmask_free(m);
  return ok;
}

static int node_cpu_count(int n)
{
  struct bitmask *cpus = numa_allocate_cpumask();
  int count = 0;
  if (cpus && numa_node_to_cpus(n, cpus) == 0) count = (int)numa_bitmask_weight(cpus);
  if (cpus) numa_bitmask_free(cpus);
  return count;
}

json_t *ob_memtier_topology_json(void)
{
  json_t *o = json_object();
  json_object_set_new(o, "available", json_boolean(numa_ok()));
  if (!numa_ok()) return o;
  json_t *nodes = json_array(), *dist = json_array();
  int max = numa_max_node();
  for (int n = 0; n <= max; n++) {
    if (!numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned)n)) continue;
    json_t *cpus = json_array();
    struct bitmask *cm = numa_allocate_cpumask();
    if (cm && numa_node_to_cpus(n, cm) == 0)
      for (unsigned c = 0; c < cm->size; c++)
        if (numa_bitmask_isbitset(cm, c)) json_array_append_new(cpus, json_integer(c));
    if (cm) numa_bitmask_free(cm);
    long long freeb = 0, size = numa_node_size64(n, &freeb);
    json_array_append_new(nodes, json_pack("{s:i, s:o, s:I, s:b}", "id", n, "cpus", cpus,
                                           "mem_mb", (json_int_t)(size > 0 ? size >> 20 : 0),
                                           "cpu_less", json_array_size(cpus) == 0));
    json_t *row = json_array();
    for (int m = 0; m <= max; m++)
      if (numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned)m))
        json_array_append_new(row, json_integer(numa_distance(n, m)));
    json_array_append_new(dist, row);
  }
  json_object_set_new(o, "nodes", nodes);
  json_object_set_new(o, "distances", dist);
  return o;
}

/* ---- arenas ----------------------------------------------------------- */

typedef struct block {
  struct block *next;
  void *ptr;
  size_t bytes;
  ob_memclass cls;
} block;

struct ob_memtier {
  const ob_placement *pl;
  block *blocks;
  long page;
  long long pages_seen[OB_MEM_NCLASSES][MAX_NODES];
  long long pages_sampled[OB_MEM_NCLASSES];
  int verify_failed;             /* move_pages refused: observed is unknown */
};

/* Resolves a non-split policy into a mempolicy mode and node mask. */
static int resolve(const ob_policy *p, int *mode, unsigned long *mask, const char *cls, ob_error *err)
{
  *mask = 0;
  switch (p->kind) {
  case POL_LOCAL:
    *mode = MPOL_DEFAULT;
    return OB_OK;
  case POL_NODE:
  case POL_INTERLEAVE:
    if (!numa_ok())
      return ob_error_set(err, OB_EUNSUPPORTED, "%s: '%s' needs NUMA support, which this machine does not offer",
                          cls, p->text);
    if (p->kind == POL_INTERLEAVE && p->nnodes == 0) {
      for (int n = 0; n <= numa_max_node() && n < MAX_NODES; n++)
        if (node_has_memory(n)) *mask |= 1ul << n;
    } else {
      for (int i = 0; i < p->nnodes; i++) {
        if (!node_has_memory(p->nodes[i]))
          return ob_error_set(err, OB_EUNSUPPORTED, "%s: node %d has no memory this process may use "
                              "(this machine's highest node is %d)", cls, p->nodes[i], numa_max_node());
        *mask |= 1ul << p->nodes[i];
      }
    }
    *mode = p->kind == POL_NODE ? MPOL_BIND : MPOL_INTERLEAVE;
    return OB_OK;
  case POL_CXL:
    if (numa_ok())
      for (int n = 0; n <= numa_max_node() && n < MAX_NODES; n++)
        if (node_has_memory(n) && node_cpu_count(n) == 0) *mask |= 1ul << n;
    if (!*mask)
      return ob_error_set(err, OB_EUNSUPPORTED, "%s: 'cxl' needs a CPU-less memory node and this machine has none", cls);
    *mode = __builtin_popcountl(*mask) > 1 ? MPOL_INTERLEAVE : MPOL_BIND;
    return OB_OK;
  case POL_WEIGHTED:
    return ob_error_set(err, OB_EUNSUPPORTED, "%s: weighted interleave is not implemented in this version", cls);
  case POL_SPLIT:
    break;
  }
  return ob_error_set(err, OB_EINTERNAL, "%s: split resolved as a single policy", cls);
}

int ob_memtier_open(const ob_placement *pl, ob_memtier **out, ob_error *err)
{
  *out = NULL;
  /* Reject what the machine cannot provide before anything is allocated. */
  for (int c = 0; c < OB_MEM_NCLASSES; c++) {
    const ob_policy *p = &pl->cls[c];
    int mode;
    unsigned long mask;
    if (p->kind != POL_SPLIT) {
      int rc = resolve(p, &mode, &mask, class_names[c], err);
      if (rc < 0) return rc;
      continue;
    }
    for (int k = 0; k < p->nparts; k++) {
      ob_policy part;
      parse_policy_string(p->part_target[k], &part, "", NULL);
      int rc = resolve(&part, &mode, &mask, class_names[c], err);
      if (rc < 0) return rc;
    }
  }
  ob_memtier *m = calloc(1, sizeof *m);
  if (!m) return ob_error_set(err, OB_ENOMEM, "out of memory");
  m->pl = pl;
  m->page = sysconf(_SC_PAGESIZE);
  *out = m;
  return OB_OK;
}

static int apply(void *addr, size_t len, const ob_policy *p, const char *cls, ob_error *err)
{
  int mode;
  unsigned long mask;
  int rc = resolve(p, &mode, &mask, cls, err);
  if (rc < 0) return rc;
  if (mode == MPOL_DEFAULT || len == 0) return OB_OK;
  if (mbind(addr, len, mode, &mask, MAX_NODES + 1, 0) != 0) {
    int e = errno;
    return ob_error_set(err, OB_EUNSUPPORTED, "%s: mbind(%s) refused: %s", cls, p->text, strerror(e));
  }
  return OB_OK;
}

static void sample(ob_memtier *m, block *b)
{
  size_t npages = (b->bytes + (size_t)m->page - 1) / (size_t)m->page;
  size_t ns = npages < VERIFY_SAMPLES ? npages : VERIFY_SAMPLES;
  void *pages[VERIFY_SAMPLES];
  int status[VERIFY_SAMPLES];
  for (size_t i = 0; i < ns; i++) {
    size_t pg = ns == 1 ? 0 : i * (npages - 1) / (ns - 1);
    pages[i] = (char *)b->ptr + pg * (size_t)m->page;
    status[i] = INT_MIN;                       /* pitfall 4: never read a zero as node 0 */
  }
  if (move_pages(0, (unsigned long)ns, pages, NULL, status, 0) != 0) {
    m->verify_failed = 1;
    return;
  }
  for (size_t i = 0; i < ns; i++) {
    if (status[i] >= 0 && status[i] < MAX_NODES) m->pages_seen[b->cls][status[i]]++;
    m->pages_sampled[b->cls]++;
  }
}

void *ob_memtier_alloc_bytes(ob_memtier *m, ob_memclass cls, size_t bytes, ob_error *err)
{
  size_t len = bytes ? bytes : 1;
  len = (len + (size_t)m->page - 1) / (size_t)m->page * (size_t)m->page;
  block *b = calloc(1, sizeof *b);
  if (!b) { ob_error_set(err, OB_ENOMEM, "out of memory"); return NULL; }
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    free(b);
    ob_error_set(err, OB_ENOMEM, "cannot map %zu bytes for %s", len, class_names[cls]);
    return NULL;
  }
  b->ptr = p;
  b->bytes = len;
  b->cls = cls;
  b->next = m->blocks;
  m->blocks = b;
  const ob_policy *pol = &m->pl->cls[cls];
  int rc;
  if (pol->kind == POL_SPLIT) {
    size_t npages = len / (size_t)m->page, done = 0;
    rc = OB_OK;
    for (int k = 0; k < pol->nparts && rc == OB_OK; k++) {
      ob_policy part;
      parse_policy_string(pol->part_target[k], &part, "", NULL);
      size_t cnt = k == pol->nparts - 1 ? npages - done : (size_t)llround(pol->part_frac[k] * (double)npages);
      if (done + cnt > npages) cnt = npages - done;
      rc = apply((char *)p + done * (size_t)m->page, cnt * (size_t)m->page, &part, class_names[cls], err);
      done += cnt;
    }
  } else {
    rc = apply(p, len, pol, class_names[cls], err);
  }
  if (rc < 0) return NULL;                      /* the block stays listed and is unmapped at close */
  /* First touch: a write by the threads that will use the pages (reads map the zero page). */
  size_t nd = len / sizeof(double);
  double *d = p;
#pragma omp parallel for schedule(static) if (nd >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < nd; i++) d[i] = 0.0;
  sample(m, b);
  return p;
}

double *ob_memtier_alloc(ob_memtier *m, ob_memclass cls, size_t count, ob_error *err)
{
  return ob_memtier_alloc_bytes(m, cls, count * sizeof(double), err);
}

json_t *ob_memtier_observed(ob_memtier *m)
{
  json_t *o = json_object();
  for (int c = 0; c < OB_MEM_NCLASSES; c++) {
    if (!m->pages_sampled[c]) continue;
    if (m->verify_failed) { json_object_set_new(o, class_names[c], json_null()); continue; }
    json_t *fr = json_object();
    for (int n = 0; n < MAX_NODES; n++)
      if (m->pages_seen[c][n]) {
        char key[16];
        snprintf(key, sizeof key, "%d", n);
        json_object_set_new(fr, key, json_real((double)m->pages_seen[c][n] / (double)m->pages_sampled[c]));
      }
    json_object_set_new(o, class_names[c], fr);
  }
  return o;
}

int ob_memtier_verify(ob_memtier *m, ob_error *err)
{
  for (int c = 0; c < OB_MEM_NCLASSES; c++) {
    const ob_policy *p = &m->pl->cls[c];
    if (!m->pages_sampled[c] || p->kind == POL_LOCAL || p->kind == POL_SPLIT) continue;
    if (m->verify_failed)
      return ob_error_set(err, OB_EUNSUPPORTED, "%s: placement cannot be verified (move_pages refused)", class_names[c]);
    int mode;
    unsigned long mask;
    if (resolve(p, &mode, &mask, class_names[c], err) < 0) return err ? err->code : OB_EUNSUPPORTED;
    long long inside = 0;
    for (int n = 0; n < MAX_NODES; n++)
      if (mask & (1ul << n)) inside += m->pages_seen[c][n];
    double frac = (double)inside / (double)m->pages_sampled[c];
    if (frac < PLACEMENT_TOLERANCE)
      return ob_error_set(err, OB_EUNSUPPORTED, "%s: only %.1f%% of sampled pages are on the requested nodes of '%s'",
                          class_names[c], 100 * frac, p->text);
  }
  return OB_OK;
}

void ob_memtier_close(ob_memtier *m)
{
  if (!m) return;
  for (block *b = m->blocks, *next; b; b = next) {
    next = b->next;
    munmap(b->ptr, b->bytes);
    free(b);
  }
  free(m);
}
