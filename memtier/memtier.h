/* memtier.h -- memory placements: parse them, provide them, report what was observed.
 *
 * A placement maps each memory class (params = x, grads = g, state = optimizer
 * state vectors, data = problem data) to a policy (DESIGN section 7). For every
 * cell the runner opens an arena bound to the cell's placement; every vector of
 * the run (x, g, each state vector, the problem's data) comes from that arena,
 * zeroed and first touched by the OpenMP threads that use it, so placement is an
 * axis orthogonal to optimizers and problems. Closing the arena frees all of it.
 *
 * This is the only module that talks to libnuma. A placement the machine cannot
 * provide is reported as OB_EUNSUPPORTED with the reason: the runner records the
 * run as skipped. Nothing ever falls back silently to local memory.
 */
#ifndef OB_MEMTIER_H
#define OB_MEMTIER_H

#include <jansson.h>
#include <stddef.h>

#include "bench/ob_error.h"

typedef enum {
  OB_MEM_PARAMS = 0, OB_MEM_GRADS, OB_MEM_STATE, OB_MEM_DATA, OB_MEM_NCLASSES
} ob_memclass;

/* Name of a class as used in suites and results ("params", ...). */
const char *ob_memclass_name(ob_memclass c);

typedef struct ob_placement ob_placement;

/* Parses a placement from a suite: a string ("local", "node:1", "cxl",
 * "interleave", "interleave:0,1", "weighted:0=3,1=1") or an object
 * {"name":..., "params":..., "grads":..., "state":..., "data":..., "cpu":...}
 * whose class values are strings or {"split": {"local": 0.75, "cxl": 0.25}}.
 * Only the syntax is checked here: whether this machine can provide it is
 * decided when an arena is opened. */
int ob_placement_parse(const json_t *spec, const char *path, ob_placement **out, ob_error *err);
void ob_placement_free(ob_placement *pl);
/* The placement's name, used in cell ids ("local", "node:1", "states-far"). */
const char *ob_placement_name(const ob_placement *pl);
/* The normalized request, every class spelled out (a new reference). */
json_t *ob_placement_request_json(const ob_placement *pl);
/* The names every placement can use, for `optbench list placements`. */
json_t *ob_placement_catalog(void);

typedef struct ob_memtier ob_memtier;

/* Opens an arena for one cell. OB_EUNSUPPORTED (with a reason) when this machine
 * cannot provide the placement. */
int ob_memtier_open(const ob_placement *pl, ob_memtier **out, ob_error *err);
/* `count` doubles of class `cls`, zeroed by the threads that will use them. */
double *ob_memtier_alloc(ob_memtier *m, ob_memclass cls, size_t count, ob_error *err);
/* Raw bytes of class `cls` (zeroed). */
void *ob_memtier_alloc_bytes(ob_memtier *m, ob_memclass cls, size_t bytes, ob_error *err);
/* Observed per-node fractions of every class that holds memory:
 * {"params": {"0": 1.0}, ...} (a new reference). */
json_t *ob_memtier_observed(ob_memtier *m);
/* What was requested, resolved to nodes: per class holding memory, the
 * fraction of its pages each node should hold (a split's ranges, weighted
 * interleave's weights, local = the cpu node), plus "cpu_node" (a new reference). */
json_t *ob_memtier_expected(ob_memtier *m);
/* Checks that every bound class's sampled pages lie on its requested nodes
 * (at least 99% of them; split and weighted classes: every node's observed
 * fraction within 2 points of the requested one, plus sampling slack);
 * OB_EUNSUPPORTED with the numbers otherwise, and when the kernel refused
 * move_pages. */
int ob_memtier_verify(ob_memtier *m, ob_error *err);
/* The fraction test behind ob_memtier_verify, exposed for tests: `seen[n]`
 * sampled pages on node n out of `sampled`, `expected_samples[n]` expected;
 * 0 when every |observed - expected| <= tolerance, else -1 and `why` says
 * which node deviated. Arrays have OB_MAX_NODES entries. */
int ob_memtier_check_fractions(const long long *seen, long long sampled, const double *expected_samples,
                               double tolerance, char *why, size_t whysize);
/* Frees every block of the arena and gives the threads back the CPU affinity
 * they had before it was opened; NULL is fine. */
void ob_memtier_close(ob_memtier *m);

/* The machine's NUMA layout for the results' context block (a new reference):
 * {"available": true, "nodes": [{"id":0,"cpus":[0,1],"mem_mb":...}], "distances": [[10]]},
 * plus the fields of ob_topology_json. */
json_t *ob_memtier_topology_json(void);

/* ---- topology (memtier/topology.c) ------------------------------------ */

#define OB_MAX_NODES 64
#define OB_MAX_CPUS 1024

typedef struct {
  int id, present, has_memory, allowed;
  int ncpus;
  int cpus[OB_MAX_CPUS];
  long long mem_total_kb, mem_free_kb;        /* nodeN/meminfo */
  long long libnuma_size_kb, libnuma_free_kb; /* numa_node_size64 (live only) */
  int dist[OB_MAX_NODES];                     /* by node id; 0 = unknown */
  int weight, weight_writable;                /* weighted_interleave/nodeN; -1 = absent */
} ob_numa_node;

typedef struct {
  char root[512];              /* the sysfs root it was read from ("/sys") */
  int nnodes, max_node;
  ob_numa_node node[OB_MAX_NODES];
  int cpu_node;                /* node of the first allowed CPU; -1 unknown */
  int numa_api;                /* numa_available() != -1 (live only) */
  int mempolicy_ok, weighted_ok;
  char mempolicy_reason[160], weighted_reason[160];
  char thp[16];                /* always, madvise, never, unknown */
  long long mem_available_kb;  /* /proc/meminfo MemAvailable; -1 unknown */
  long long mem_total_kb;      /* /proc/meminfo MemTotal; -1 unknown */
} ob_topology;

/* Reads nodes, CPUs, sizes, distances, THP mode and weights from a sysfs-like
 * tree rooted at `root` ("/sys" on a live system). No probes: a fake tree
 * counts as permitting mempolicy calls and lacking weighted interleave. */
int ob_topology_read(const char *root, ob_topology *t, ob_error *err);
/* Live probes: allowed nodes, the first allowed CPU's node, MemAvailable,
 * libnuma's sizes, mempolicy permission (get_mempolicy + mbind on a scratch
 * page) and MPOL_WEIGHTED_INTERLEAVE support (set_mempolicy(6), restored). */
int ob_topology_probe(ob_topology *t);
/* Free memory of node n in kB: MemFree of the node, or MemAvailable when the
 * machine has one node and MemAvailable is larger. */
long long ob_topology_free_kb(const ob_topology *t, int n);
/* Size of node n in kB: the node's MemTotal, or the system's MemTotal when the
 * machine has one node and that is larger (lazily initialised memory). */
long long ob_topology_size_kb(const ob_topology *t, int n);
/* The node whose CPU list holds `cpu`, or -1. */
int ob_topology_node_of_cpu(const ob_topology *t, int cpu);
/* The topology as JSON (a new reference), as `optbench topology --json` prints it. */
json_t *ob_topology_json(const ob_topology *t);
/* Parses a Linux CPU list ("0-3,8"); the count, or -1 when malformed or longer than max. */
int ob_cpulist_parse(const char *s, int *cpus, int max);

/* The live topology, read from /sys and probed once (the first call);
 * NULL with err filled when /sys has no NUMA nodes. */
const ob_topology *ob_memtier_topology(ob_error *err);
/* Replaces the topology placements are planned against (tests); NULL restores the live one. */
void ob_memtier_set_topology(const ob_topology *t);

/* Checks, without allocating anything, whether topology `t` can provide every
 * class and the cpu binding of `pl`: OB_OK, or OB_EUNSUPPORTED with the reason.
 * When `plan` is not NULL it receives {"cpu_node": N, "params": {"mode": ...,
 * "nodes": [...], "expect": {"0": 0.75, "1": 0.25}}, ...} (a new reference). */
int ob_placement_plan(const ob_placement *pl, const ob_topology *t, json_t **plan, ob_error *err);

/* The named presets (seed paper's design): "@all-local", "@all-far",
 * "@states-far", "@params-grads-far", "@split-75-25", "@split-50-50",
 * "@interleave". NULL-terminated. */
const char *const *ob_placement_preset_names(void);
/* A copy of a suite's placements value (a new reference) with every string
 * "@presets" replaced by all preset names, in the order above. */
json_t *ob_placement_expand_presets(const json_t *pls);

#endif
