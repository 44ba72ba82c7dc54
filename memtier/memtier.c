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
 * Planning (can this machine provide the placement, and what fractions per
 * node are expected) works on an ob_topology, so tests can plan against fake
 * sysfs trees; allocation and verification use the live kernel. Threads are
 * pinned to the placement's cpu node for the arena's lifetime (each OpenMP
 * thread saves its affinity when the arena opens and gets it back at close).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/ob_params.h"
#include "bench/ob_vec.h"
#include "memtier/memtier.h"

#define MAX_NODES OB_MAX_NODES
#define MAX_PARTS 8
#define VERIFY_SAMPLES 512
#define PLACEMENT_TOLERANCE 0.99   /* fraction of sampled pages that must obey a binding */
#define FRACTION_TOLERANCE 0.02    /* split/weighted: |observed - requested| per node, plus sampling slack */

#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6  /* Linux 6.9 uapi; not in bookworm's headers */
#endif

static int libnuma_failed;   /* set by the overrides below */

void numa_error(char *where);
void numa_warn(int num, char *fmt, ...);
void numa_error(char *where) { (void)where; libnuma_failed = errno ? errno : EINVAL; }
void numa_warn(int num, char *fmt, ...) { (void)num; (void)fmt; }

typedef enum { POL_LOCAL, POL_NODE, POL_CXL, POL_FAR, POL_INTERLEAVE, POL_WEIGHTED, POL_SPLIT } pol_kind;

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
  int cpu_node;                  /* -1: the node of the first allowed CPU */
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

static const char *const policy_words[] = { "local", "node:", "cxl", "far", "interleave", "weighted:", NULL };

static int parse_policy_string(const char *s, ob_policy *p, const char *path, ob_error *err)
{
  memset(p, 0, sizeof *p);
  snprintf(p->text, sizeof p->text, "%s", s);
  if (strcmp(s, "local") == 0) { p->kind = POL_LOCAL; return OB_OK; }
  if (strcmp(s, "cxl") == 0) { p->kind = POL_CXL; return OB_OK; }
  if (strcmp(s, "far") == 0) { p->kind = POL_FAR; return OB_OK; }
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
                     "unknown placement '%s' (valid: local, node:N, cxl, far, interleave, interleave:N,M, "
                     "weighted:N=W,..., a preset such as @states-far, or an object naming classes)", s);
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
    if (probe.kind != POL_LOCAL && probe.kind != POL_NODE && probe.kind != POL_CXL && probe.kind != POL_FAR)
      return ob_error_at(err, OB_EINVAL, kp, "split targets are local, cxl, far or node:N");
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

/* ---- presets ---------------------------------------------------------- */

/* The seed paper's design points (Liaw & Chen, arXiv 2507.03305): "far" is
 * the CPU-less (CXL-like) memory, or the most distant node when there is no
 * CPU-less node; several far nodes are interleaved. */
static const char *const preset_names[] = {
  "all-local", "all-far", "states-far", "params-grads-far", "split-75-25", "split-50-50", "interleave", NULL
};

static json_t *preset_json(const char *name)
{
  if (!strcmp(name, "all-local")) return json_pack("{s:s}", "name", "all-local");
  if (!strcmp(name, "all-far"))
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "all-far", "params", "far", "grads", "far",
                     "state", "far", "data", "far");
  if (!strcmp(name, "states-far")) return json_pack("{s:s, s:s}", "name", "states-far", "state", "far");
  if (!strcmp(name, "params-grads-far"))
    return json_pack("{s:s, s:s, s:s}", "name", "params-grads-far", "params", "far", "grads", "far");
  if (!strcmp(name, "split-75-25"))
    return json_pack("{s:s, s:{s:{s:f, s:f}}}", "name", "split-75-25", "state", "split", "local", 0.75, "far", 0.25);
  if (!strcmp(name, "split-50-50"))
    return json_pack("{s:s, s:{s:{s:f, s:f}}}", "name", "split-50-50", "state", "split", "local", 0.5, "far", 0.5);
  if (!strcmp(name, "interleave"))
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", "interleave", "params", "interleave",
                     "grads", "interleave", "state", "interleave", "data", "interleave");
  return NULL;
}

const char *const *ob_placement_preset_names(void) { return preset_names; }

json_t *ob_placement_expand_presets(const json_t *pls)
{
  json_t *out = json_array();
  size_t n = json_is_array(pls) ? json_array_size(pls) : 1;
  for (size_t i = 0; i < n; i++) {
    json_t *v = json_is_array(pls) ? json_array_get(pls, i) : (json_t *)pls;
    if (json_is_string(v) && !strcmp(json_string_value(v), "@presets")) {
      for (const char *const *p = preset_names; *p; p++) {
        char b[64];
        snprintf(b, sizeof b, "@%s", *p);
        json_array_append_new(out, json_string(b));
      }
    } else {
      json_array_append(out, v);
    }
  }
  return out;
}

int ob_placement_parse(const json_t *spec, const char *path, ob_placement **out, ob_error *err)
{
  ob_placement *pl = calloc(1, sizeof *pl);
  char kp[256];
  int rc = OB_OK;
  *out = NULL;
  if (!pl) return ob_error_set(err, OB_ENOMEM, "out of memory");
  pl->cpu_node = -1;
  if (json_is_string(spec) && json_string_value(spec)[0] == '@') {
    const char *s = json_string_value(spec);
    json_t *def = preset_json(s + 1);
    if (!def) {
      free(pl);
      const char *hint = ob_did_you_mean(s + 1, preset_names);
      if (hint) return ob_error_at(err, OB_EINVAL, path, "unknown preset '%s' (did you mean '@%s'?)", s, hint);
      return ob_error_at(err, OB_EINVAL, path, "unknown preset '%s' (presets: @presets, @all-local, @all-far, "
                         "@states-far, @params-grads-far, @split-75-25, @split-50-50, @interleave)", s);
    }
    rc = ob_placement_parse(def, path, out, err);
    json_decref(def);
    free(pl);
    return rc;
  } else if (json_is_string(spec)) {
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
        ob_policy cp;
        if (!json_is_string(v)) {
          rc = ob_error_at(err, OB_EINVAL, kp, "cpu must be \"local\" or \"node:N\"");
          goto done;
        }
        rc = parse_policy_string(json_string_value(v), &cp, kp, err);
        if (rc < 0) goto done;
        if (cp.kind != POL_LOCAL && cp.kind != POL_NODE) {
          rc = ob_error_at(err, OB_EINVAL, kp, "cpu must be \"local\" or \"node:N\", not '%s'", cp.text);
          goto done;
        }
        pl->cpu_node = cp.kind == POL_NODE ? cp.nodes[0] : -1;
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
  char cpu[32];
  if (pl->cpu_node >= 0) snprintf(cpu, sizeof cpu, "node:%d", pl->cpu_node);
  else snprintf(cpu, sizeof cpu, "local");
  json_object_set_new(o, "cpu", json_string(cpu));
  return o;
}

json_t *ob_placement_catalog(void)
{
  static const char *const rows[][2] = {
    { "local", "every class on the node of the running CPU (first touch)" },
    { "node:N", "every class bound to memory node N" },
    { "cxl", "every class bound to the CPU-less memory nodes (CXL-like); skipped when none" },
    { "far", "the CPU-less nodes, else the most distant memory node; skipped on one node" },
    { "interleave", "pages interleaved over all memory nodes" },
    { "interleave:N,M", "pages interleaved over the listed nodes" },
    { "weighted:N=W,...", "weighted interleave (MPOL_WEIGHTED_INTERLEAVE, Linux >= 6.9; weights via sysfs)" },
    { "{\"split\": {\"local\": F, \"cxl\": G}}", "page ranges of one class bound to targets in proportion (class objects only)" },
    { "{\"name\", \"params\", ..., \"cpu\"}", "per-class placement (params, grads, state, data); missing classes are local; cpu: local or node:N" },
    { "@presets", "all presets: @all-local @all-far @states-far @params-grads-far @split-75-25 @split-50-50 @interleave" },
  };
  json_t *a = json_array();
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    json_array_append_new(a, json_pack("{s:s, s:s}", "name", rows[i][0], "summary", rows[i][1]));
  return a;
}

/* ---- topology --------------------------------------------------------- */

static const ob_topology *topo_override;
static ob_topology topo_live;
static ob_error topo_err;
static int topo_rc;
static pthread_once_t topo_once = PTHREAD_ONCE_INIT;

static void topo_init(void)
{
  ob_error_clear(&topo_err);
  topo_rc = ob_topology_read("/sys", &topo_live, &topo_err);
  if (topo_rc == OB_OK) topo_rc = ob_topology_probe(&topo_live);
}

const ob_topology *ob_memtier_topology(ob_error *err)
{
  if (topo_override) return topo_override;
  pthread_once(&topo_once, topo_init);
  if (topo_rc < 0) {
    if (err) *err = topo_err;
    return NULL;
  }
  return &topo_live;
}

void ob_memtier_set_topology(const ob_topology *t) { topo_override = t; }

static int numa_ok(void)
{
  static int state = -2;
  if (state == -2) state = numa_available();
  return state != -1;
}

json_t *ob_memtier_topology_json(void)
{
  const ob_topology *t = ob_memtier_topology(NULL);
  if (!t || !numa_ok()) return json_pack("{s:b}", "available", 0);
  return ob_topology_json(t);
}

/* ---- planning --------------------------------------------------------- */

/* A class policy resolved against a topology: the mempolicy mode, the node
 * mask and the fraction of pages expected on each node. */
typedef struct {
  int mode;
  unsigned long mask;
  double expect[MAX_NODES];
} resolved;

static int node_usable(const ob_topology *t, int n)
{
  return n >= 0 && n <= t->max_node && t->node[n].present && t->node[n].has_memory && t->node[n].allowed;
}

static int cpu_node_of(const ob_placement *pl, const ob_topology *t)
{
  return pl->cpu_node >= 0 ? pl->cpu_node : t->cpu_node;
}

static void spread(resolved *r, const int *weights)
{
  int sum = 0;
  for (int n = 0; n < MAX_NODES; n++)
    if (r->mask & (1ul << n)) sum += weights ? weights[n] : 1;
  for (int n = 0; n < MAX_NODES; n++)
    if (r->mask & (1ul << n)) r->expect[n] = (double)(weights ? weights[n] : 1) / sum;
}

static int far_nodes(const ob_topology *t, int cpu, unsigned long *mask)
{
  *mask = 0;
  for (int n = 0; n <= t->max_node; n++)
    if (node_usable(t, n) && t->node[n].ncpus == 0) *mask |= 1ul << n;
  if (*mask) return OB_OK;
  int best = -1;
  for (int n = 0; n <= t->max_node; n++) {
    if (!node_usable(t, n) || n == cpu) continue;
    int d = cpu >= 0 ? t->node[cpu].dist[n] : 0;
    if (best < 0 || d > best) { best = d; *mask = 0; }
    if (d == best) *mask |= 1ul << n;
  }
  return *mask ? OB_OK : OB_EUNSUPPORTED;
}

static int resolve(const ob_policy *p, const ob_topology *t, int cpu, resolved *r, const char *cls, ob_error *err)
{
  memset(r, 0, sizeof *r);
  r->mode = MPOL_DEFAULT;
  if (p->kind == POL_LOCAL) {
    if (cpu >= 0) r->expect[cpu] = 1.0;
    return OB_OK;
  }
  if (p->kind == POL_SPLIT)
    return ob_error_set(err, OB_EINTERNAL, "%s: split resolved as a single policy", cls);
  if (!t->mempolicy_ok)
    return ob_error_set(err, OB_EUNSUPPORTED, "%s: '%s' needs mempolicy calls, which are not permitted here (%s)",
                        cls, p->text, t->mempolicy_reason);
  switch (p->kind) {
  case POL_NODE:
  case POL_INTERLEAVE:
  case POL_WEIGHTED:
    if (p->kind == POL_INTERLEAVE && p->nnodes == 0) {
      for (int n = 0; n <= t->max_node; n++)
        if (node_usable(t, n)) r->mask |= 1ul << n;
    } else {
      for (int i = 0; i < p->nnodes; i++) {
        if (!node_usable(t, p->nodes[i]))
          return ob_error_set(err, OB_EUNSUPPORTED, "%s: node %d has no memory this process may use "
                              "(this machine's highest node is %d)", cls, p->nodes[i], t->max_node);
        r->mask |= 1ul << p->nodes[i];
      }
    }
    if (p->kind == POL_WEIGHTED) {
      int w[MAX_NODES] = { 0 };
      if (!t->weighted_ok)
        return ob_error_set(err, OB_EUNSUPPORTED, "%s: weighted interleave unavailable: %s", cls, t->weighted_reason);
      for (int i = 0; i < p->nnodes; i++) {
        const ob_numa_node *nd = &t->node[p->nodes[i]];
        if (nd->weight != p->weights[i] && !nd->weight_writable)
          return ob_error_set(err, OB_EUNSUPPORTED, "%s: cannot set the weight of node %d to %d: "
                              "%s/kernel/mm/mempolicy/weighted_interleave/node%d is %s (weight %d)", cls,
                              p->nodes[i], p->weights[i], t->root, p->nodes[i],
                              nd->weight < 0 ? "missing" : "not writable", nd->weight);
        w[p->nodes[i]] = p->weights[i];
      }
      r->mode = MPOL_WEIGHTED_INTERLEAVE;
      spread(r, w);
      return OB_OK;
    }
    r->mode = p->kind == POL_NODE ? MPOL_BIND : MPOL_INTERLEAVE;
    spread(r, NULL);
    return OB_OK;
  case POL_CXL:
    for (int n = 0; n <= t->max_node; n++)
      if (node_usable(t, n) && t->node[n].ncpus == 0) r->mask |= 1ul << n;
    if (!r->mask)
      return ob_error_set(err, OB_EUNSUPPORTED, "%s: 'cxl' needs a CPU-less memory node and this machine has none", cls);
    r->mode = __builtin_popcountl(r->mask) > 1 ? MPOL_INTERLEAVE : MPOL_BIND;
    spread(r, NULL);
    return OB_OK;
  case POL_FAR:
    if (far_nodes(t, cpu, &r->mask) < 0)
      return ob_error_set(err, OB_EUNSUPPORTED, "%s: 'far' needs a second memory node (CPU-less or remote) "
                          "and this machine has only node %d", cls, cpu);
    r->mode = __builtin_popcountl(r->mask) > 1 ? MPOL_INTERLEAVE : MPOL_BIND;
    spread(r, NULL);
    return OB_OK;
  default:
    break;
  }
  return ob_error_set(err, OB_EINTERNAL, "%s: unknown policy kind", cls);
}

/* Page counts of a split over `npages`: round(fraction x pages), the last
 * target taking the rest. */
static size_t split_count(const ob_policy *p, int k, size_t npages, size_t done)
{
  size_t cnt = k == p->nparts - 1 ? npages - done : (size_t)llround(p->part_frac[k] * (double)npages);
  return done + cnt > npages ? npages - done : cnt;
}

static int plan_class(const ob_policy *p, const ob_topology *t, int cpu, double *expect, const char *cls, ob_error *err)
{
  resolved r;
  memset(expect, 0, MAX_NODES * sizeof *expect);
  if (p->kind != POL_SPLIT) {
    int rc = resolve(p, t, cpu, &r, cls, err);
    if (rc < 0) return rc;
    memcpy(expect, r.expect, sizeof r.expect);
    return OB_OK;
  }
  for (int k = 0; k < p->nparts; k++) {
    ob_policy part;
    parse_policy_string(p->part_target[k], &part, "", NULL);
    int rc = resolve(&part, t, cpu, &r, cls, err);
    if (rc < 0) return rc;
    for (int n = 0; n < MAX_NODES; n++) expect[n] += p->part_frac[k] * r.expect[n];
  }
  return OB_OK;
}

static json_t *fractions_json(const double *f)
{
  json_t *o = json_object();
  for (int n = 0; n < MAX_NODES; n++)
    if (f[n] > 0) {
      char key[16];
      snprintf(key, sizeof key, "%d", n);
      json_object_set_new(o, key, json_real(f[n]));
    }
  return o;
}

int ob_placement_plan(const ob_placement *pl, const ob_topology *t, json_t **plan, ob_error *err)
{
  if (plan) *plan = NULL;
  int cpu = cpu_node_of(pl, t);
  if (pl->cpu_node >= 0 && (pl->cpu_node > t->max_node || !t->node[pl->cpu_node].present ||
                            t->node[pl->cpu_node].ncpus == 0))
    return ob_error_set(err, OB_EUNSUPPORTED, "cpu: node %d has no CPUs (this machine's highest node is %d)",
                        pl->cpu_node, t->max_node);
  if (pl->cpu_node >= 0 && !t->mempolicy_ok && t->cpu_node != pl->cpu_node)
    return ob_error_set(err, OB_EUNSUPPORTED, "cpu: binding to node %d needs mempolicy calls (%s)", pl->cpu_node,
                        t->mempolicy_reason);
  json_t *o = plan ? json_pack("{s:i}", "cpu_node", cpu) : NULL;
  for (int c = 0; c < OB_MEM_NCLASSES; c++) {
    double expect[MAX_NODES];
    int rc = plan_class(&pl->cls[c], t, cpu, expect, class_names[c], err);
    if (rc < 0) {
      json_decref(o);
      return rc;
    }
    if (o) json_object_set_new(o, class_names[c], fractions_json(expect));
  }
  if (plan) *plan = o;
  return OB_OK;
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
  const ob_topology *t;
  int cpu;                       /* the node the threads run on */
  block *blocks;
  size_t nalloc;               /* blocks handed out so far (their stagger, see ob_memtier_alloc_bytes) */
  long page;
  long long pages_seen[OB_MEM_NCLASSES][MAX_NODES];
  long long pages_sampled[OB_MEM_NCLASSES];
  double pages_expected[OB_MEM_NCLASSES][MAX_NODES];   /* sampled pages expected per node */
  int nblocks[OB_MEM_NCLASSES];
  int weight_slack[OB_MEM_NCLASSES];                  /* largest weight sum of a weighted block */
  int verify_failed;             /* move_pages refused: observed is unknown */
  cpu_set_t *saved;              /* each OpenMP thread's affinity before the arena */
  int nsaved, bound;
};

/* Pins every OpenMP thread (and the caller) to node `node`'s CPUs, keeping
 * each thread's old affinity; a thread already restricted keeps only the
 * node's CPUs it was allowed (if any). */
static int bind_threads(ob_memtier *m, int node, ob_error *err)
{
  const ob_numa_node *nd = &m->t->node[node];
  int nt = 1;
#ifdef _OPENMP
  nt = omp_get_max_threads();
#endif
  m->saved = calloc((size_t)nt, sizeof *m->saved);
  if (!m->saved) return ob_error_set(err, OB_ENOMEM, "out of memory");
  m->nsaved = nt;
  int fails = 0, saved_errno = 0;
#pragma omp parallel num_threads(nt) reduction(+ : fails)
  {
    int id = 0;
#ifdef _OPENMP
    id = omp_get_thread_num();
#endif
    cpu_set_t want, both;
    CPU_ZERO(&want);
    for (int k = 0; k < nd->ncpus; k++)
      if (nd->cpus[k] < CPU_SETSIZE) CPU_SET(nd->cpus[k], &want);
    if (sched_getaffinity(0, sizeof(cpu_set_t), &m->saved[id]) != 0) {
      fails++;
    } else {
      CPU_AND(&both, &want, &m->saved[id]);
      if (sched_setaffinity(0, sizeof(cpu_set_t), CPU_COUNT(&both) ? &both : &want) != 0) {
        fails++;
        saved_errno = errno;
      }
    }
  }
  m->bound = 1;
  if (fails)
    return ob_error_set(err, OB_EUNSUPPORTED, "cpu: cannot run threads on node %d: %s", node,
                        strerror(saved_errno ? saved_errno : EINVAL));
  return OB_OK;
}

static void unbind_threads(ob_memtier *m)
{
  if (!m->bound) return;
#pragma omp parallel num_threads(m->nsaved)
  {
    int id = 0;
#ifdef _OPENMP
    id = omp_get_thread_num();
#endif
    if (id < m->nsaved) sched_setaffinity(0, sizeof(cpu_set_t), &m->saved[id]);
  }
  m->bound = 0;
}

int ob_memtier_open(const ob_placement *pl, ob_memtier **out, ob_error *err)
{
  *out = NULL;
  const ob_topology *t = ob_memtier_topology(err);
  int all_local = 1;
  for (int c = 0; c < OB_MEM_NCLASSES; c++)
    if (pl->cls[c].kind != POL_LOCAL) all_local = 0;
  if (!t) {
    /* No NUMA nodes in sysfs at all: plain memory is all there is. */
    if (!all_local || pl->cpu_node >= 0)
      return ob_error_set(err, OB_EUNSUPPORTED, "this machine shows no NUMA nodes (%s)", err ? err->text : "");
    if (err) ob_error_clear(err);
  } else {
    /* Reject what the machine cannot provide before anything is allocated. */
    int rc = ob_placement_plan(pl, t, NULL, err);
    if (rc < 0) return rc;
  }
  ob_memtier *m = calloc(1, sizeof *m);
  if (!m) return ob_error_set(err, OB_ENOMEM, "out of memory");
  m->pl = pl;
  m->t = t;
  m->cpu = t ? cpu_node_of(pl, t) : -1;
  m->page = sysconf(_SC_PAGESIZE);
  if (t && m->cpu >= 0 && t->node[m->cpu].ncpus > 0) {
    int rc = bind_threads(m, m->cpu, err);
    if (rc < 0) {
      ob_memtier_close(m);
      return rc;
    }
  }
  *out = m;
  return OB_OK;
}

static int apply(ob_memtier *m, void *addr, size_t len, const ob_policy *p, ob_memclass cls, ob_error *err)
{
  resolved r;
  if (!m->t) return OB_OK;                      /* all-local on a machine without NUMA nodes */
  int rc = resolve(p, m->t, m->cpu, &r, class_names[cls], err);
  if (rc < 0) return rc;
  size_t npages = len / (size_t)m->page;
  for (int n = 0; n < MAX_NODES; n++) m->pages_expected[cls][n] += r.expect[n] * (double)npages;
  if (r.mode == MPOL_DEFAULT || len == 0) return OB_OK;
  if (mbind(addr, len, r.mode, &r.mask, MAX_NODES + 1, 0) != 0) {
    int e = errno;
    return ob_error_set(err, OB_EUNSUPPORTED, "%s: mbind(%s) refused: %s", class_names[cls], p->text, strerror(e));
  }
  return OB_OK;
}

/* Weighted interleave reads the per-node weights from sysfs when a page is
 * faulted in, so they are set before first touch and put back right after. */
static int set_weights(const ob_memtier *m, const ob_policy *p, int *old, ob_error *err)
{
  char path[700];
  for (int i = 0; i < p->nnodes; i++) {
    int n = p->nodes[i];
    old[i] = m->t->node[n].weight;
    if (old[i] == p->weights[i]) continue;
    snprintf(path, sizeof path, "%s/kernel/mm/mempolicy/weighted_interleave/node%d", m->t->root, n);
    FILE *f = fopen(path, "w");
    if (!f || fprintf(f, "%d\n", p->weights[i]) < 0 || fclose(f) != 0) {
      int e = errno;
      return ob_error_set(err, OB_EUNSUPPORTED, "weighted: cannot write %s: %s", path, strerror(e));
    }
  }
  return OB_OK;
}

static void restore_weights(const ob_memtier *m, const ob_policy *p, const int *old)
{
  char path[700];
  for (int i = 0; i < p->nnodes; i++) {
    if (old[i] < 0 || old[i] == p->weights[i]) continue;
    snprintf(path, sizeof path, "%s/kernel/mm/mempolicy/weighted_interleave/node%d", m->t->root, p->nodes[i]);
    FILE *f = fopen(path, "w");
    if (f) {
      fprintf(f, "%d\n", old[i]);
      fclose(f);
    }
  }
}

static void sample(ob_memtier *m, block *b, double *expect_before)
{
  size_t npages = (b->bytes + (size_t)m->page - 1) / (size_t)m->page;
  size_t ns = npages < VERIFY_SAMPLES ? npages : VERIFY_SAMPLES;
  void *pages[VERIFY_SAMPLES];
  int status[VERIFY_SAMPLES];
  /* expected pages of this block -> expected samples */
  for (int n = 0; n < MAX_NODES; n++) {
    double pages_n = m->pages_expected[b->cls][n] - expect_before[n];
    m->pages_expected[b->cls][n] = expect_before[n] + pages_n * (double)ns / (double)npages;
  }
  m->nblocks[b->cls]++;
  /* Stratified sampling: one page from each of ns equal buckets, at a
   * pseudo-random offset inside the bucket. Evenly spaced samples alias with
   * interleave's round robin (a stride of 4 pages over a 2-node interleave
   * saw 2/3 of the pages on one node in the QEMU guest). */
  for (size_t i = 0; i < ns; i++) {
    size_t lo = i * npages / ns, hi = (i + 1) * npages / ns;
    uint64_t h = (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    size_t pg = lo + (size_t)(h % (uint64_t)(hi - lo));
    pages[i] = (char *)b->ptr + pg * (size_t)m->page;
    status[i] = INT_MIN;                       /* pitfall 4: never read a zero as node 0 */
  }
  if (move_pages(0, (unsigned long)ns, pages, NULL, status, 0) != 0) {
    m->verify_failed = 1;
    return;
  }
  /* A page written a moment ago can still read as not present (-ENOENT):
   * automatic NUMA balancing turns PTEs into PROT_NONE hinting entries, which
   * move_pages does not follow (seen in the QEMU guest as half a split class
   * "missing"). The block is freshly zeroed, so writing a zero to such a page
   * resolves the hint without changing any value; then ask again. */
  for (int retry = 0; retry < 3; retry++) {
    void *again[VERIFY_SAMPLES];
    int st2[VERIFY_SAMPLES];
    size_t idx[VERIFY_SAMPLES], na = 0;
    for (size_t i = 0; i < ns; i++)
      if (status[i] < 0) {
        *(volatile double *)pages[i] = 0.0;
        again[na] = pages[i];
        st2[na] = INT_MIN;
        idx[na++] = i;
      }
    if (na == 0 || move_pages(0, (unsigned long)na, again, NULL, st2, 0) != 0) break;
    for (size_t k = 0; k < na; k++) status[idx[k]] = st2[k];
  }
  for (size_t i = 0; i < ns; i++) {
    if (status[i] >= 0 && status[i] < MAX_NODES) m->pages_seen[b->cls][status[i]]++;
    m->pages_sampled[b->cls]++;
  }
}

/* Start offset of the k-th block inside its mapping. Fresh mappings are
 * page aligned, so without it the i-th elements of x, g, m, v, ... share
 * their low 12 address bits: every load then looks as if it might alias the
 * stores of the other streams (4K aliasing) and an element-wise step with
 * five streams runs at a fraction of the memory speed. Offsets step by 11
 * cache lines modulo a page: 64 distinct, cache-line aligned positions. */
static size_t block_stagger(size_t k)
{
  return (k * 11u * 64u) % 4096u;
}

void *ob_memtier_alloc_bytes(ob_memtier *m, ob_memclass cls, size_t bytes, ob_error *err)
{
  const size_t stagger = block_stagger(m->nalloc);
  size_t len = (bytes ? bytes : 1) + stagger;
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
  double before[MAX_NODES];
  memcpy(before, m->pages_expected[cls], sizeof before);
  int rc = OB_OK, old_weights[MAX_NODES], weighted = 0;
  if (pol->kind == POL_SPLIT) {
    size_t npages = len / (size_t)m->page, done = 0;
    for (int k = 0; k < pol->nparts && rc == OB_OK; k++) {
      ob_policy part;
      parse_policy_string(pol->part_target[k], &part, "", NULL);
      size_t cnt = split_count(pol, k, npages, done);
      rc = apply(m, (char *)p + done * (size_t)m->page, cnt * (size_t)m->page, &part, cls, err);
      done += cnt;
    }
  } else {
    rc = apply(m, p, len, pol, cls, err);
    if (rc == OB_OK && pol->kind == POL_WEIGHTED) {
      int sum = 0;
      for (int i = 0; i < pol->nnodes; i++) sum += pol->weights[i];
      if (sum > m->weight_slack[cls]) m->weight_slack[cls] = sum;
      weighted = 1;
      rc = set_weights(m, pol, old_weights, err);
    }
  }
  if (rc < 0) {
    if (weighted) restore_weights(m, pol, old_weights);
    return NULL;                                /* the block stays listed and is unmapped at close */
  }
  /* First touch: a write by the threads that will use the pages (reads map the zero page). */
  size_t nd = len / sizeof(double);
  double *d = p;
#pragma omp parallel for schedule(static) if (nd >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < nd; i++) d[i] = 0.0;
  if (weighted) restore_weights(m, pol, old_weights);
  sample(m, b, before);
  m->nalloc++;
  return (char *)p + stagger;
}

double *ob_memtier_alloc(ob_memtier *m, ob_memclass cls, size_t count, ob_error *err)
{
  return ob_memtier_alloc_bytes(m, cls, count * sizeof(double), err);
}

json_t *ob_memtier_observed(ob_memtier *m)
{
  json_t *o = json_object();
  for (int c = 0; c < OB_MEM_NCLASSES; c++) {
    if (!m->pages_sampled[c] && !(m->verify_failed && m->nblocks[c])) continue;
    if (m->verify_failed) { json_object_set_new(o, class_names[c], json_null()); continue; }
    double f[MAX_NODES];
    for (int n = 0; n < MAX_NODES; n++) f[n] = (double)m->pages_seen[c][n] / (double)m->pages_sampled[c];
    json_object_set_new(o, class_names[c], fractions_json(f));
  }
  return o;
}

json_t *ob_memtier_expected(ob_memtier *m)
{
  json_t *o = json_object();
  for (int c = 0; c < OB_MEM_NCLASSES; c++) {
    if (!m->nblocks[c]) continue;
    double tot = 0, f[MAX_NODES];
    for (int n = 0; n < MAX_NODES; n++) tot += m->pages_expected[c][n];
    for (int n = 0; n < MAX_NODES; n++) f[n] = tot > 0 ? m->pages_expected[c][n] / tot : 0;
    json_object_set_new(o, class_names[c], fractions_json(f));
  }
  if (m->cpu >= 0) json_object_set_new(o, "cpu_node", json_integer(m->cpu));
  return o;
}

int ob_memtier_check_fractions(const long long *seen, long long sampled, const double *expected_samples,
                               double tolerance, char *why, size_t whysize)
{
  if (sampled <= 0) return 0;
  for (int n = 0; n < MAX_NODES; n++) {
    double obs = (double)seen[n] / (double)sampled, exp = expected_samples[n] / (double)sampled;
    if (fabs(obs - exp) > tolerance) {
      snprintf(why, whysize, "node %d holds %.1f%% of the sampled pages, %.1f%% were requested (tolerance %.1f points)",
               n, 100 * obs, 100 * exp, 100 * tolerance);
      return -1;
    }
  }
  return 0;
}

int ob_memtier_verify(ob_memtier *m, ob_error *err)
{
  for (int c = 0; c < OB_MEM_NCLASSES; c++) {
    const ob_policy *p = &m->pl->cls[c];
    if (!m->nblocks[c] || p->kind == POL_LOCAL) continue;
    if (m->verify_failed)
      return ob_error_set(err, OB_EUNSUPPORTED, "%s: placement cannot be verified (move_pages refused)", class_names[c]);
    if (!m->pages_sampled[c]) continue;
    if (p->kind == POL_SPLIT || p->kind == POL_WEIGHTED) {
      /* One sample per equal bucket of each block, so a range's share of samples
       * differs from its share of pages by at most one sample per block;
       * weighted interleave can be off by one weight round per block. */
      double slack = (double)m->nblocks[c] * (p->kind == POL_WEIGHTED ? m->weight_slack[c] : 1);
      double tol = FRACTION_TOLERANCE + slack / (double)m->pages_sampled[c];
      char why[256];
      if (ob_memtier_check_fractions(m->pages_seen[c], m->pages_sampled[c], m->pages_expected[c], tol, why,
                                     sizeof why) < 0)
        return ob_error_set(err, OB_EUNSUPPORTED, "%s: '%s': %s", class_names[c], p->text, why);
      continue;
    }
    resolved r;
    if (resolve(p, m->t, m->cpu, &r, class_names[c], err) < 0) return err ? err->code : OB_EUNSUPPORTED;
    long long inside = 0;
    for (int n = 0; n < MAX_NODES; n++)
      if (r.mask & (1ul << n)) inside += m->pages_seen[c][n];
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
  unbind_threads(m);
  free(m->saved);
  free(m);
}
