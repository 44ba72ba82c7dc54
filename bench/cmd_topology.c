/* cmd_topology.c -- `optbench topology [--json] [--sysfs ROOT]`.
 *
 * Prints what placements can use on this machine: NUMA nodes with their CPUs
 * and memory (CPU-less nodes are the CXL-like ones), the distance matrix,
 * free memory (MemAvailable when there is one node, because libnuma's node
 * sizes lag on lazily initialised VMs), the THP mode, and the results of two
 * live probes: whether mempolicy calls are permitted and whether the kernel
 * has MPOL_WEIGHTED_INTERLEAVE. --sysfs reads a sysfs-like tree instead of
 * /sys (fake topologies in tests); the live probes are then not run.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "bench/cli.h"
#include "memtier/memtier.h"

/* "0-3,8" from a sorted CPU list. */
static void cpus_text(const ob_numa_node *nd, char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  if (nd->ncpus == 0) {
    snprintf(buf, size, "-");
    return;
  }
  for (int k = 0; k < nd->ncpus && used < size; k++) {
    int a = nd->cpus[k], b = a;
    while (k + 1 < nd->ncpus && nd->cpus[k + 1] == b + 1) b = nd->cpus[++k];
    used += (size_t)snprintf(buf + used, size - used, "%s%d", used ? "," : "", a);
    if (b > a && used < size) used += (size_t)snprintf(buf + used, size - used, "-%d", b);
  }
}

static void print_nodes(const char *label, const ob_topology *t, int which)
{
  int any = 0;
  printf("%s", label);
  for (int n = 0; n <= t->max_node; n++) {
    const ob_numa_node *nd = &t->node[n];
    if (!nd->present) continue;
    int ok = which == 0 ? nd->has_memory : which == 1 ? nd->ncpus > 0 : nd->has_memory && nd->ncpus == 0;
    if (ok) printf("%s%d", any++ ? "," : " ", n);
  }
  printf("%s\n", any ? "" : " none");
}

static void print_text(const ob_topology *t, int live)
{
  char cpus[256];
  printf("NUMA nodes: %d (read from %s)\n", t->nnodes, t->root);
  print_nodes("  with memory:", t, 0);
  print_nodes("  with CPUs:  ", t, 1);
  print_nodes("  CPU-less (CXL-like):", t, 2);
  printf("\nnode  %-12s %10s %10s %12s %8s %7s\n", "cpus", "size MB", "free MB", "libnuma MB", "allowed", "weight");
  for (int n = 0; n <= t->max_node; n++) {
    const ob_numa_node *nd = &t->node[n];
    if (!nd->present) continue;
    cpus_text(nd, cpus, sizeof cpus);
    char lib[32], w[16];
    if (live && t->numa_api) snprintf(lib, sizeof lib, "%lld", nd->libnuma_size_kb / 1024);
    else snprintf(lib, sizeof lib, "-");
    if (nd->weight >= 0) snprintf(w, sizeof w, "%d", nd->weight);
    else snprintf(w, sizeof w, "-");
    printf("%4d  %-12s %10lld %10lld %12s %8s %7s\n", n, cpus, ob_topology_size_kb(t, n) > 0 ? ob_topology_size_kb(t, n) / 1024 : 0,
           ob_topology_free_kb(t, n) / 1024, lib, nd->allowed ? "yes" : "no", w);
  }
  printf("\ndistances:\nnode");
  for (int m = 0; m <= t->max_node; m++)
    if (t->node[m].present) printf(" %5d", m);
  putchar('\n');
  for (int n = 0; n <= t->max_node; n++) {
    if (!t->node[n].present) continue;
    printf("%4d", n);
    for (int m = 0; m <= t->max_node; m++)
      if (t->node[m].present) printf(" %5d", t->node[n].dist[m]);
    putchar('\n');
  }
  putchar('\n');
  if (t->mem_available_kb >= 0)
    printf("MemTotal: %lld MB, MemAvailable: %lld MB (/proc/meminfo; a node's own size can lag on lazily\n"
           "initialised VMs, so one-node machines use these)\n", t->mem_total_kb / 1024, t->mem_available_kb / 1024);
  printf("transparent huge pages: %s\n", t->thp);
  if (!live) {
    printf("mempolicy calls: not probed (--sysfs)\nweighted interleave: not probed (--sysfs)\n");
  } else {
    printf("mempolicy calls: %s%s%s\n", t->mempolicy_ok ? "permitted" : "not permitted (",
           t->mempolicy_ok ? "" : t->mempolicy_reason, t->mempolicy_ok ? "" : ")");
    printf("weighted interleave (MPOL_WEIGHTED_INTERLEAVE): %s%s%s\n", t->weighted_ok ? "supported" : "unavailable (",
           t->weighted_ok ? "" : t->weighted_reason, t->weighted_ok ? "" : ")");
  }
  if (t->cpu_node >= 0) printf("threads run on node %d (the node of the first allowed CPU)\n", t->cpu_node);
}

int cmd_topology(int argc, char **argv)
{
  int as_json = 0;
  const char *root = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) as_json = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      ob_cli_print_help("topology", stdout);
      return EX_OK;
    } else if (strcmp(argv[i], "--sysfs") == 0) {
      if (i + 1 >= argc) return ob_cli_usage("topology", "option '--sysfs' needs a directory");
      root = argv[++i];
    } else if (argv[i][0] == '-') return ob_cli_usage("topology", "unknown option '%s'", argv[i]);
    else return ob_cli_usage("topology", "topology takes no arguments, got '%s'", argv[i]);
  }
  static ob_topology fake;
  const ob_topology *t;
  ob_error err;
  ob_error_clear(&err);
  if (root) {
    int rc = ob_topology_read(root, &fake, &err);
    if (rc == OB_EUNSUPPORTED) err.code = OB_ENOINPUT;
    if (rc < 0) return ob_cli_fail(&err);
    t = &fake;
  } else {
    t = ob_memtier_topology(&err);
    if (!t) return ob_cli_fail(&err);
  }
  if (as_json) {
    json_t *doc = ob_topology_json(t);
    if (root) {
      json_object_set_new(doc, "available", json_null());   /* libnuma says nothing about a fake tree */
      json_object_set_new(doc, "mempolicy", json_pack("{s:n, s:s}", "permitted", "reason", "not probed (--sysfs)"));
      json_object_set_new(doc, "weighted_interleave", json_pack("{s:n, s:s}", "supported", "reason",
                                                                "not probed (--sysfs)"));
    }
    json_object_set_new(doc, "sysfs", json_string(t->root));
    json_dumpf(doc, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(doc);
  } else {
    print_text(t, root == NULL);
  }
  return EX_OK;
}
