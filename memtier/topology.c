/* topology.c -- what the machine offers for placements: NUMA nodes and probes.
 *
 * The node layout is read from a sysfs-like tree (ROOT/devices/system/node/
 * nodeN/{cpulist,meminfo,distance}, ROOT/kernel/mm/...), like hwloc's
 * HWLOC_FSROOT, so that placement planning can be tested against fake trees
 * holding CPU-less nodes. Live-only facts come from probes on the running
 * kernel: the allowed memory nodes and CPUs of this process, whether the
 * mempolicy system calls are permitted (containers may refuse them with
 * EPERM, which libnuma 2.0.16 does not detect), whether the kernel knows
 * MPOL_WEIGHTED_INTERLEAVE (Linux >= 6.9), and MemAvailable, because the
 * per-node sizes libnuma reports can lag far behind on lazily initialised
 * VMs (memtier-notes, pitfall 9). Nothing here prints; failures are returned
 * as ob_error or recorded as reasons in the struct.
 */
#include "config.h"

#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memtier/memtier.h"

#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6      /* Linux 6.9 uapi; not in bookworm's headers */
#endif

int ob_cpulist_parse(const char *s, int *cpus, int max)
{
  int n = 0;
  const char *p = s;
  while (*p && *p != '\n') {
    char *end;
    long a = strtol(p, &end, 10), b;
    if (end == p || a < 0) return -1;
    b = a;
    p = end;
    if (*p == '-') {
      b = strtol(p + 1, &end, 10);
      if (end == p + 1 || b < a) return -1;
      p = end;
    }
    for (long c = a; c <= b; c++) {
      if (n == max) return -1;
      cpus[n++] = (int)c;
    }
    if (*p == ',') p++;
    else if (*p && *p != '\n') return -1;
  }
  return n;
}

static int read_line(const char *path, char *buf, size_t size)
{
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  if (!fgets(buf, (int)size, f)) buf[0] = '\0';
  fclose(f);
  buf[strcspn(buf, "\n")] = '\0';
  return 0;
}

static void read_meminfo(const char *path, long long *total_kb, long long *free_kb)
{
  char line[256];
  FILE *f = fopen(path, "r");
  *total_kb = *free_kb = -1;
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    const char *k;
    long long v;
    if ((k = strstr(line, "MemTotal:")) && sscanf(k + 9, "%lld", &v) == 1) *total_kb = v;
    if ((k = strstr(line, "MemFree:")) && sscanf(k + 8, "%lld", &v) == 1) *free_kb = v;
  }
  fclose(f);
}

int ob_topology_read(const char *root, ob_topology *t, ob_error *err)
{
  char path[1024], buf[4096];
  memset(t, 0, sizeof *t);
  snprintf(t->root, sizeof t->root, "%s", root);
  t->max_node = -1;
  t->cpu_node = -1;
  t->mem_available_kb = -1;
  t->mem_total_kb = -1;
  snprintf(t->thp, sizeof t->thp, "unknown");
  for (int n = 0; n < OB_MAX_NODES; n++) {
    ob_numa_node *nd = &t->node[n];
    nd->id = n;
    snprintf(path, sizeof path, "%s/devices/system/node/node%d/meminfo", root, n);
    if (access(path, R_OK) != 0) continue;
    nd->present = 1;
    nd->allowed = 1;
    t->nnodes++;
    t->max_node = n;
    read_meminfo(path, &nd->mem_total_kb, &nd->mem_free_kb);
    nd->has_memory = nd->mem_total_kb > 0;
    snprintf(path, sizeof path, "%s/devices/system/node/node%d/cpulist", root, n);
    if (read_line(path, buf, sizeof buf) == 0) {
      int nc = ob_cpulist_parse(buf, nd->cpus, OB_MAX_CPUS);
      if (nc < 0) return ob_error_set(err, OB_EDATA, "%s: cannot parse the CPU list '%s'", path, buf);
      nd->ncpus = nc;
    }
  }
  if (t->nnodes == 0)
    return ob_error_set(err, OB_EUNSUPPORTED, "%s/devices/system/node: no NUMA node directories", root);
  /* distance lists one entry per online node, in node order */
  for (int n = 0; n <= t->max_node; n++) {
    if (!t->node[n].present) continue;
    snprintf(path, sizeof path, "%s/devices/system/node/node%d/distance", root, n);
    if (read_line(path, buf, sizeof buf) != 0) continue;
    char *p = buf;
    for (int m = 0; m <= t->max_node; m++) {
      if (!t->node[m].present) continue;
      char *end;
      long d = strtol(p, &end, 10);
      if (end == p) break;
      t->node[n].dist[m] = (int)d;
      p = end;
    }
  }
  snprintf(path, sizeof path, "%s/kernel/mm/transparent_hugepage/enabled", root);
  if (read_line(path, buf, sizeof buf) == 0) {
    char *a = strchr(buf, '['), *b = a ? strchr(a, ']') : NULL;
    if (a && b && b - a - 1 < (long)sizeof t->thp) snprintf(t->thp, sizeof t->thp, "%.*s", (int)(b - a - 1), a + 1);
  }
  for (int n = 0; n <= t->max_node; n++) {
    snprintf(path, sizeof path, "%s/kernel/mm/mempolicy/weighted_interleave/node%d", root, n);
    t->node[n].weight = -1;
    if (read_line(path, buf, sizeof buf) == 0) {
      t->node[n].weight = atoi(buf);
      t->node[n].weight_writable = access(path, W_OK) == 0;
    }
  }
  for (int n = 0; n <= t->max_node; n++)
    if (t->node[n].present && t->node[n].ncpus > 0) { t->cpu_node = n; break; }
  /* Fake trees: every call is permitted unless the probe says otherwise. */
  t->mempolicy_ok = 1;
  t->weighted_ok = 0;
  snprintf(t->weighted_reason, sizeof t->weighted_reason, "not probed");
  return OB_OK;
}

int ob_topology_node_of_cpu(const ob_topology *t, int cpu)
{
  for (int n = 0; n <= t->max_node; n++)
    for (int k = 0; k < t->node[n].ncpus; k++)
      if (t->node[n].cpus[k] == cpu) return n;
  return -1;
}

/* Whether mempolicy calls work: get_mempolicy on the thread and mbind on a
 * scratch page (never touched, so nothing is allocated). */
static void probe_mempolicy(ob_topology *t)
{
  int mode = 0;
  t->mempolicy_ok = 0;
  if (get_mempolicy(&mode, NULL, 0, NULL, 0) != 0) {
    snprintf(t->mempolicy_reason, sizeof t->mempolicy_reason, "get_mempolicy: %s", strerror(errno));
    return;
  }
  long pg = sysconf(_SC_PAGESIZE);
  void *p = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    snprintf(t->mempolicy_reason, sizeof t->mempolicy_reason, "mmap: %s", strerror(errno));
    return;
  }
  int node = t->cpu_node >= 0 ? t->cpu_node : 0;
  unsigned long mask = 1ul << node;
  int rc = mbind(p, (size_t)pg, MPOL_BIND, &mask, OB_MAX_NODES + 1, 0);
  int e = errno;
  munmap(p, (size_t)pg);
  if (rc != 0) {
    snprintf(t->mempolicy_reason, sizeof t->mempolicy_reason, "mbind: %s", strerror(e));
    return;
  }
  t->mempolicy_ok = 1;
  t->mempolicy_reason[0] = '\0';
}

/* set_mempolicy(MPOL_WEIGHTED_INTERLEAVE) on this thread, then the old policy
 * back. EINVAL: the kernel predates 6.9. */
static void probe_weighted(ob_topology *t)
{
  unsigned long old[OB_MAX_NODES / (8 * sizeof(unsigned long)) + 1] = { 0 };
  int oldmode = 0;
  t->weighted_ok = 0;
  if (!t->mempolicy_ok) {
    snprintf(t->weighted_reason, sizeof t->weighted_reason, "mempolicy calls are not permitted (%s)",
             t->mempolicy_reason);
    return;
  }
  if (get_mempolicy(&oldmode, old, OB_MAX_NODES + 1, NULL, 0) != 0) {
    snprintf(t->weighted_reason, sizeof t->weighted_reason, "get_mempolicy: %s", strerror(errno));
    return;
  }
  int node = t->cpu_node >= 0 ? t->cpu_node : 0;
  unsigned long mask = 1ul << node;
  int rc = set_mempolicy(MPOL_WEIGHTED_INTERLEAVE, &mask, OB_MAX_NODES + 1);
  int e = errno;
  if (rc == 0) set_mempolicy(oldmode, (oldmode & 0xff) == MPOL_DEFAULT ? NULL : old, OB_MAX_NODES + 1);
  if (rc != 0) {
    snprintf(t->weighted_reason, sizeof t->weighted_reason,
             e == EINVAL ? "kernel lacks MPOL_WEIGHTED_INTERLEAVE (set_mempolicy(6): %s; needs Linux >= 6.9)"
                         : "set_mempolicy(6): %s", strerror(e));
    return;
  }
  t->weighted_ok = 1;
  t->weighted_reason[0] = '\0';
}

int ob_topology_probe(ob_topology *t)
{
  char line[256];
  FILE *f = fopen("/proc/meminfo", "r");
  if (f) {
    long long v;
    while (fgets(line, sizeof line, f))
      if (sscanf(line, "MemAvailable: %lld", &v) == 1) t->mem_available_kb = v;
      else if (sscanf(line, "MemTotal: %lld", &v) == 1) t->mem_total_kb = v;
    fclose(f);
  }
  t->numa_api = numa_available() != -1;
  if (t->numa_api) {
    struct bitmask *m = numa_get_mems_allowed();
    for (int n = 0; n <= t->max_node; n++) {
      t->node[n].allowed = m && numa_bitmask_isbitset(m, (unsigned)n);
      long long fr = 0;
      t->node[n].libnuma_size_kb = numa_node_size64(n, &fr) / 1024;
      t->node[n].libnuma_free_kb = fr / 1024;
    }
    if (m) numa_bitmask_free(m);
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; c++)
      if (CPU_ISSET(c, &set)) {
        int n = ob_topology_node_of_cpu(t, c);
        if (n >= 0) t->cpu_node = n;
        break;
      }
  if (!t->numa_api) {
    t->mempolicy_ok = 0;
    snprintf(t->mempolicy_reason, sizeof t->mempolicy_reason, "numa_available() says the kernel has no NUMA support");
    t->weighted_ok = 0;
    snprintf(t->weighted_reason, sizeof t->weighted_reason, "no NUMA support");
    return OB_OK;
  }
  probe_mempolicy(t);
  probe_weighted(t);
  return OB_OK;
}

long long ob_topology_free_kb(const ob_topology *t, int n)
{
  const ob_numa_node *nd = &t->node[n];
  long long fr = nd->mem_free_kb;
  /* One node: the system's MemAvailable is the node's, and it also counts
   * reclaimable caches, which MemFree does not. */
  if (t->nnodes == 1 && t->mem_available_kb > fr) fr = t->mem_available_kb;
  return fr;
}

long long ob_topology_size_kb(const ob_topology *t, int n)
{
  long long sz = t->node[n].mem_total_kb;
  if (t->nnodes == 1 && t->mem_total_kb > sz) sz = t->mem_total_kb;
  return sz;
}

json_t *ob_topology_json(const ob_topology *t)
{
  json_t *o = json_object(), *nodes = json_array(), *dist = json_array(), *ids = json_array();
  json_t *cpuless = json_array(), *withmem = json_array(), *withcpu = json_array();
  for (int n = 0; n <= t->max_node; n++) {
    const ob_numa_node *nd = &t->node[n];
    if (!nd->present) continue;
    json_t *cpus = json_array();
    for (int k = 0; k < nd->ncpus; k++) json_array_append_new(cpus, json_integer(nd->cpus[k]));
    json_t *row = json_array();
    for (int m = 0; m <= t->max_node; m++)
      if (t->node[m].present) json_array_append_new(row, json_integer(nd->dist[m]));
    json_t *jn = json_pack("{s:i, s:o, s:I, s:I, s:I, s:b, s:b, s:b, s:o}", "id", n, "cpus", cpus,
                           "mem_mb", (json_int_t)(ob_topology_size_kb(t, n) > 0 ? ob_topology_size_kb(t, n) / 1024 : 0),
                           "free_mb", (json_int_t)(ob_topology_free_kb(t, n) / 1024),
                           "memfree_mb", (json_int_t)(nd->mem_free_kb > 0 ? nd->mem_free_kb / 1024 : 0),
                           "cpu_less", nd->ncpus == 0, "has_memory", nd->has_memory, "allowed", nd->allowed,
                           "distances", row);
    if (t->numa_api) {
      json_object_set_new(jn, "libnuma_size_mb", json_integer(nd->libnuma_size_kb / 1024));
      json_object_set_new(jn, "libnuma_free_mb", json_integer(nd->libnuma_free_kb / 1024));
    }
    json_object_set_new(jn, "weight", nd->weight >= 0 ? json_integer(nd->weight) : json_null());
    json_array_append_new(nodes, jn);
    json_array_append_new(dist, json_deep_copy(row));
    json_array_append_new(ids, json_integer(n));
    if (nd->ncpus == 0 && nd->has_memory) json_array_append_new(cpuless, json_integer(n));
    if (nd->has_memory) json_array_append_new(withmem, json_integer(n));
    if (nd->ncpus > 0) json_array_append_new(withcpu, json_integer(n));
  }
  json_object_set_new(o, "available", json_boolean(t->numa_api));
  json_object_set_new(o, "nodes", nodes);
  json_object_set_new(o, "node_ids", ids);
  json_object_set_new(o, "distances", dist);
  json_object_set_new(o, "memory_nodes", withmem);
  json_object_set_new(o, "cpu_nodes", withcpu);
  json_object_set_new(o, "cpu_less_nodes", cpuless);
  json_object_set_new(o, "cpu_node", json_integer(t->cpu_node));
  json_object_set_new(o, "mem_available_mb", t->mem_available_kb >= 0 ? json_integer(t->mem_available_kb / 1024)
                                                                       : json_null());
  json_object_set_new(o, "mem_total_mb", t->mem_total_kb >= 0 ? json_integer(t->mem_total_kb / 1024) : json_null());
  json_object_set_new(o, "thp", json_string(t->thp));
  json_object_set_new(o, "mempolicy", json_pack("{s:b, s:o}", "permitted", t->mempolicy_ok,
                      "reason", t->mempolicy_ok ? json_null() : json_string(t->mempolicy_reason)));
  json_object_set_new(o, "weighted_interleave", json_pack("{s:b, s:o}", "supported", t->weighted_ok,
                      "reason", t->weighted_ok ? json_null() : json_string(t->weighted_reason)));
  return o;
}
