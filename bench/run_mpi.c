/* run_mpi.c -- the MPI scheduler of `optbench run` (see run_mpi.h).
 *
 * Protocol (MPI_COMM_WORLD, errors returned, not fatal):
 *   worker -> 0, TAG_REQ: "" (first request) or "<cell>\n<record JSON>"
 *   0 -> worker, TAG_CELL: a long long cell index, or -1 (stop)
 * Rank 0 polls with MPI_Iprobe and a short sleep so that its own compute
 * thread keeps a core. Open MPI 4.1 (ULFM not enabled in Debian) aborts the
 * whole job when a rank dies; what was journaled survives and --resume reruns
 * the rest, the dead worker's cell included.
 */
#include "config.h"

#include <mpi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/ob_json.h"
#include "bench/run_mpi.h"
#include "bench/runner.h"

#define TAG_REQ 1
#define TAG_CELL 2
#define MSG_MAX 600

static int started;

int ob_mpi_start(int *argc, char ***argv, int *rank)
{
  int size = 1, provided;
  *rank = 0;
  if (!getenv("OMPI_COMM_WORLD_SIZE")) return 1;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return 1;
  started = 1;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  return size;
}

void ob_mpi_stop(void)
{
  if (started) MPI_Finalize();
  started = 0;
}

int ob_mpi_ready(const char *msg)
{
  int size, rank;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char mine[MSG_MAX] = "";
  if (msg) snprintf(mine, sizeof mine, "%s", msg[0] ? msg : "not ready");
  char *all = rank == 0 ? calloc((size_t)size, MSG_MAX) : NULL;
  MPI_Gather(mine, MSG_MAX, MPI_CHAR, all, MSG_MAX, MPI_CHAR, 0, MPI_COMM_WORLD);
  int ok = 1;
  if (rank == 0) {
    ok = !mine[0];
    for (int r = 1; r < size && ok; r++)
      if (all[(size_t)r * MSG_MAX]) {
        fprintf(stderr, "optbench: rank %d: %s\n", r, all + (size_t)r * MSG_MAX);
        ok = 0;
      }
    free(all);
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return ok;
}

static char *record_text(size_t cell, const json_t *rec)
{
  char *body = json_dumps(rec, OB_JSON_LINE_FLAGS);
  size_t len = (body ? strlen(body) : 0) + 32;
  char *t = malloc(len);
  if (t) snprintf(t, len, "%zu\n%s", cell, body ? body : "null");
  free(body);
  return t;
}

int ob_mpi_worker(const ob_suite *s, const volatile sig_atomic_t *stop)
{
  char *msg = NULL, me[MPI_MAX_PROCESSOR_NAME] = "";
  int len;
  MPI_Get_processor_name(me, &len);
  MPI_Gather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, NULL, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, MPI_COMM_WORLD);
  for (;;) {
    if (MPI_Send(msg ? msg : "", msg ? (int)strlen(msg) : 0, MPI_CHAR, 0, TAG_REQ, MPI_COMM_WORLD) != MPI_SUCCESS) break;
    free(msg);
    msg = NULL;
    long long cell;
    if (MPI_Recv(&cell, 1, MPI_LONG_LONG, 0, TAG_CELL, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS || cell < 0)
      break;
    json_t *rec;
    if (ob_runner_cell(s, (size_t)cell, stop, &rec) != OB_OK) continue;   /* interrupted: nothing to return */
    msg = record_text((size_t)cell, rec);
    json_decref(rec);
  }
  free(msg);
  return 0;
}

/* Rank 0's own compute thread: takes cells from the shared queue. */
struct shared {
  pthread_mutex_t mu;
  const ob_suite *s;
  const volatile sig_atomic_t *stop;
  size_t *todo, ntodo, next;
  json_t *local;          /* array of [cell, record] finished by the thread */
  int thread_done;
};

static long long take(struct shared *sh)
{
  long long c = -1;
  pthread_mutex_lock(&sh->mu);
  if (!*sh->stop && sh->next < sh->ntodo) c = (long long)sh->todo[sh->next++];
  pthread_mutex_unlock(&sh->mu);
  return c;
}

static void *local_worker(void *arg)
{
  struct shared *sh = arg;
  long long c;
  while ((c = take(sh)) >= 0) {
    json_t *rec;
    if (ob_runner_cell(sh->s, (size_t)c, sh->stop, &rec) != OB_OK) break;
    pthread_mutex_lock(&sh->mu);
    json_array_append_new(sh->local, json_pack("[I, o]", c, rec));
    pthread_mutex_unlock(&sh->mu);
  }
  pthread_mutex_lock(&sh->mu);
  sh->thread_done = 1;
  pthread_mutex_unlock(&sh->mu);
  return NULL;
}

static int accept_record(const ob_suite *s, size_t cell, json_t *rec, json_t *done, ob_journal *j, long *count)
{
  ob_error err;
  ob_error_clear(&err);
  if (ob_journal_append(j, rec, &err) < 0) {
    char m[2048];
    ob_error_format(&err, m, sizeof m);
    fprintf(stderr, "optbench: %s\n", m);
    json_decref(rec);
    return -1;
  }
  json_object_set_new(done, s->cells[cell].id, rec);
  (*count)++;
  return 0;
}

long ob_mpi_master(const ob_suite *s, const size_t *sel, size_t nsel, json_t *done, ob_journal *j,
                   const volatile sig_atomic_t *stop, json_t **mpi_ctx)
{
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  struct shared sh = { .s = s, .stop = stop, .local = json_array() };
  pthread_mutex_init(&sh.mu, NULL);
  sh.todo = malloc((nsel ? nsel : 1) * sizeof *sh.todo);
  for (size_t k = 0; k < nsel; k++)
    if (!json_object_get(done, s->cells[sel[k]].id)) sh.todo[sh.ntodo++] = sel[k];
  long *cells_of = calloc((size_t)size, sizeof *cells_of), produced = 0;
  char (*hosts)[MPI_MAX_PROCESSOR_NAME] = calloc((size_t)size, MPI_MAX_PROCESSOR_NAME);
  char me[MPI_MAX_PROCESSOR_NAME] = "";
  int len;
  MPI_Get_processor_name(me, &len);
  MPI_Gather(me, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, hosts, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, MPI_COMM_WORLD);
  pthread_t th;
  int have_thread = pthread_create(&th, NULL, local_worker, &sh) == 0;
  if (!have_thread) sh.thread_done = 1;
  int active = size - 1, failed = 0;
  while (!failed) {
    int flag = 0;
    MPI_Status st;
    if (active > 0 && MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQ, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS) {
      fprintf(stderr, "optbench: MPI failure while waiting for workers; finished runs are in the journal\n");
      failed = 1;
      break;
    }
    if (flag) {
      int n;
      MPI_Get_count(&st, MPI_CHAR, &n);
      char *buf = malloc((size_t)n + 1);
      MPI_Recv(buf, n, MPI_CHAR, st.MPI_SOURCE, TAG_REQ, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      buf[n] = '\0';
      if (n > 0) {
        char *nl = strchr(buf, '\n');
        json_error_t je;
        json_t *rec = nl ? json_loads(nl + 1, 0, &je) : NULL;
        size_t cell = (size_t)strtoull(buf, NULL, 10);
        if (!rec || cell >= s->ncells) {
          fprintf(stderr, "optbench: rank %d returned a malformed run record\n", st.MPI_SOURCE);
          failed = 1;
        } else if (accept_record(s, cell, rec, done, j, &produced) < 0) {
          failed = 1;
        } else {
          cells_of[st.MPI_SOURCE]++;
        }
      }
      free(buf);
      long long next = failed ? -1 : take(&sh);
      MPI_Send(&next, 1, MPI_LONG_LONG, st.MPI_SOURCE, TAG_CELL, MPI_COMM_WORLD);
      if (next < 0) active--;
      continue;
    }
    /* records of rank 0's own thread */
    pthread_mutex_lock(&sh.mu);
    json_t *mine = sh.local;
    sh.local = json_array();
    int tdone = sh.thread_done;
    pthread_mutex_unlock(&sh.mu);
    size_t i;
    json_t *pair;
    json_array_foreach(mine, i, pair) {
      if (failed) break;
      size_t cell = (size_t)json_integer_value(json_array_get(pair, 0));
      if (accept_record(s, cell, json_incref(json_array_get(pair, 1)), done, j, &produced) < 0) failed = 1;
      else cells_of[0]++;
    }
    json_decref(mine);
    if (tdone && active == 0 && json_array_size(sh.local) == 0) break;
    struct timespec ts = { 0, 500000 };   /* 0.5 ms: keeps this loop off the CPU */
    nanosleep(&ts, NULL);
  }
  if (failed) {
    pthread_mutex_lock(&sh.mu);
    sh.next = sh.ntodo;    /* no more cells */
    pthread_mutex_unlock(&sh.mu);
  }
  if (have_thread) pthread_join(th, NULL);
  json_t *ranks = json_array();
  for (int r = 0; r < size; r++)
    json_array_append_new(ranks, json_pack("{s:i, s:s, s:I}", "rank", r, "host", hosts[r], "cells",
                                           (json_int_t)cells_of[r]));
  *mpi_ctx = json_pack("{s:i, s:o}", "size", size, "ranks", ranks);
  json_decref(sh.local);
  free(sh.todo);
  free(cells_of);
  free(hosts);
  pthread_mutex_destroy(&sh.mu);
  return failed ? -1 : produced;
}
