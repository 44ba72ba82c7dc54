/* run_mpi.h -- `optbench run` under mpirun: a dynamic scheduler over MPI ranks.
 *
 * Built only with `configure --with-mpi` (HAVE_MPI). Rank 0 hands out cell
 * indexes on request and runs cells itself in a second thread; every other
 * rank asks for a cell, runs it (ob_runner_cell) and returns the run record
 * as JSON text with its next request. Rank 0 journals each record as it
 * arrives (the only writer), so the result equals a single-process run
 * except timings and the context, which gains "mpi": {"size", "ranks":
 * [{"rank", "host", "cells"}]}. Part of the command layer: it may print.
 */
#ifndef OB_RUN_MPI_H
#define OB_RUN_MPI_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "bench/journal.h"
#include "bench/suite.h"

/* Starts MPI when launched by mpirun (OMPI_COMM_WORLD_SIZE set); returns the
 * world size (1 without MPI) and sets *rank. */
int ob_mpi_start(int *argc, char ***argv, int *rank);
void ob_mpi_stop(void);
/* Handshake: every rank reports whether it is ready (msg: NULL when ready,
 * else its error line). Returns 1 when every rank is ready; rank 0 prints
 * the first worker's error. */
int ob_mpi_ready(const char *msg);
/* Worker loop (rank > 0): runs cells until rank 0 says stop. */
int ob_mpi_worker(const ob_suite *s, const volatile sig_atomic_t *stop);
/* Rank 0: runs the cells sel[0..nsel) that `done` lacks over every rank,
 * journals each record and adds it to `done` (id -> record). Returns the
 * number of records produced, or -1 after a journal error (printed). The
 * per-rank table for the context goes to *mpi_ctx. */
long ob_mpi_master(const ob_suite *s, const size_t *sel, size_t nsel, json_t *done, ob_journal *j,
                   const volatile sig_atomic_t *stop, json_t **mpi_ctx);

#endif
