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
/* Checks that every bound class's sampled pages lie on its requested nodes
 * (within a documented tolerance of 99%); OB_EUNSUPPORTED with the numbers
 * otherwise, and when the kernel refused move_pages. */
int ob_memtier_verify(ob_memtier *m, ob_error *err);
/* Frees every block of the arena; NULL is fine. */
void ob_memtier_close(ob_memtier *m);

/* The machine's NUMA layout for the results' context block (a new reference):
 * {"available": true, "nodes": [{"id":0,"cpus":[0,1],"mem_mb":...}], "distances": [[10]]}. */
json_t *ob_memtier_topology_json(void);

#endif
