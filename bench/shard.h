/* shard.h -- splitting a suite's cells into N shards of similar cost.
 *
 * `optbench run SUITE --shard I/N` runs the cells of shard I (1-based) and
 * `optbench merge` joins the N results files. The assignment is a pure
 * function of the suite: every process that loads the same suite (same
 * normalized contents, same --threads override) computes the same shards, so
 * a batch system can start the N shards independently (Slurm job arrays, GNU
 * parallel) and nothing has to be communicated.
 *
 * Cost model (an estimate, in bytes moved; only ratios matter):
 *   cost(cell) = dim * steps * (traffic + 16)
 * where dim is the problem dimension, traffic the optimizer's bytes per
 * coordinate per update (ob_optimizer_traffic) and 16 the oracle's x read and
 * g write per coordinate. steps is budget.max_steps; a suite with a time
 * budget caps each cell at max_seconds of a nominal 1 GB/s (a time-only
 * budget makes every cell cost max_seconds * 1e9). Thread counts are not in
 * the model: a t2 cell is counted like a t1 cell.
 *
 * Assignment: LPT (longest processing time first) greedy -- cells sorted by
 * decreasing cost, ties by cell index; each goes to the shard with the least
 * assigned cost so far, ties to the lowest shard number. LPT is within 4/3 of
 * the optimal makespan (Graham 1969).
 */
#ifndef OB_SHARD_H
#define OB_SHARD_H

#include <stddef.h>

#include "bench/ob_error.h"
#include "bench/suite.h"

#define OB_SHARD_MAX 100000

/* Parses "I/N" with 1 <= I <= N <= OB_SHARD_MAX. Returns OB_OK or OB_EINVAL
 * with a message ("expected I/N with 1 <= I <= N, ...") in err. */
int ob_shard_parse(const char *text, size_t *index, size_t *count, ob_error *err);

/* The estimated cost of every cell (cost[i] for s->cells[i]). */
int ob_shard_costs(const ob_suite *s, double *cost, ob_error *err);

/* shard_of[i] = the 0-based shard of s->cells[i], for `count` shards. */
int ob_shard_assign(const ob_suite *s, size_t count, size_t *shard_of, ob_error *err);

#endif
