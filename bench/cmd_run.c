/* cmd_run.c -- `optbench run`: run a suite, journal each run, write the results.
 *
 * Everything that can fail because of the user's input (the suite, the output
 * path, an existing journal) is checked before the first cell runs, so bad
 * input never leaves a file behind. SIGINT/SIGTERM only set a flag: the
 * current run is abandoned at its next step, finished runs stay in the
 * journal, and the process exits 130 with the command that resumes.
 */
#include "config.h"

#include <dirent.h>
#include <fnmatch.h>
#include <getopt.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "bench/cli.h"
#include "bench/journal.h"
#include "bench/ob_fs.h"
#include "bench/progress.h"
#include "bench/results.h"
#include "bench/runner.h"
#include "bench/shard.h"
#ifdef HAVE_MPI
#include <mpi.h>
#include "bench/run_mpi.h"
#endif
#include "bench/suite.h"

#define EX_INTERRUPTED 130

static volatile sig_atomic_t stop_requested;
#ifdef HAVE_MPI
static int mpi_size = 1, mpi_rank, mpi_ready_done;
#endif

static void on_signal(int sig)
{
  (void)sig;
  stop_requested = 1;
}

/* The newest results/<name>-*.json.journal, for --resume without -o. */
static int find_journal(const char *name, char *out, size_t size)
{
  DIR *d = opendir("results");
  struct dirent *e;
  time_t best = 0;
  size_t ln = strlen(name);
  int found = -1;
  if (!d) return -1;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (strncmp(e->d_name, name, ln) != 0 || e->d_name[ln] != '-' || l < 13 ||
        strcmp(e->d_name + l - 13, ".json.journal") != 0)
      continue;
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof p, "results/%s", e->d_name);
    if (stat(p, &st) == 0 && (found < 0 || st.st_mtime >= best)) {
      best = st.st_mtime;
      snprintf(out, size, "results/%.*s", (int)(l - 8), e->d_name);   /* strip ".journal" */
      found = 0;
    }
  }
  closedir(d);
  return found;
}

/* Per (problem, optimizer) pair: runs, successes, median steps and final gap. */
static void print_summary(const ob_suite *s, const json_t *runs, FILE *out)
{
  size_t counts[7] = { 0 };
  static const char *const st[7] = { "target_reached", "max_steps", "max_seconds", "diverged", "stalled",
                                     "skipped", "error" };
  size_t i;
  json_t *r;
  json_array_foreach(runs, i, r) {
    const char *status = json_string_value(json_object_get(r, "status"));
    for (int k = 0; k < 7; k++) if (status && strcmp(status, st[k]) == 0) counts[k]++;
  }
  fprintf(out, "%zu runs:", json_array_size(runs));
  int first = 1;
  for (int k = 0; k < 7; k++)
    if (counts[k]) { fprintf(out, "%s %zu %s", first ? "" : ",", counts[k], st[k]); first = 0; }
  fputc('\n', out);
  if (s->nproblems * s->noptimizers > 60 || json_array_size(runs) == 0) return;
  fprintf(out, "\n%-28s %-28s %5s %8s %10s %12s\n", "problem", "optimizer", "runs", "reached", "med.steps",
          "med.final_gap");
  double *steps = malloc((json_array_size(runs) + 1) * sizeof *steps);
  double *gaps = malloc((json_array_size(runs) + 1) * sizeof *gaps);
  if (!steps || !gaps) { free(steps); free(gaps); return; }
  for (size_t p = 0; p < s->nproblems; p++)
    for (size_t o = 0; o < s->noptimizers; o++) {
      size_t n = 0, ng = 0, ok = 0;
      json_array_foreach(runs, i, r) {
        const char *pid = json_string_value(json_object_get(json_object_get(r, "problem"), "id"));
        const char *oid = json_string_value(json_object_get(json_object_get(r, "optimizer"), "id"));
        if (!pid || !oid || strcmp(pid, s->problems[p].id) || strcmp(oid, s->optimizers[o].id)) continue;
        const char *status = json_string_value(json_object_get(r, "status"));
        if (status && strcmp(status, "target_reached") == 0) ok++;
        steps[n++] = (double)json_integer_value(json_object_get(r, "steps"));
        json_t *g = json_object_get(json_object_get(r, "final"), "f_gap");
        if (json_is_number(g)) gaps[ng++] = json_number_value(g);
      }
      if (!n) continue;
      gsl_sort(steps, 1, n);
      char gap[32] = "-";
      if (ng) {
        gsl_sort(gaps, 1, ng);
        snprintf(gap, sizeof gap, "%.3g", gsl_stats_median_from_sorted_data(gaps, 1, ng));
      }
      fprintf(out, "%-28.28s %-28.28s %5zu %8zu %10.0f %12s\n", s->problems[p].id, s->optimizers[o].id, n, ok,
              gsl_stats_median_from_sorted_data(steps, 1, n), gap);
    }
  free(steps);
  free(gaps);
}

static const struct option long_opts[] = {
  { "output", required_argument, NULL, 'o' },
  { "resume", no_argument, NULL, 'r' },
  { "filter", required_argument, NULL, 'f' },
  { "threads", required_argument, NULL, 't' },
  { "seeds", required_argument, NULL, 'S' },
  { "quiet", no_argument, NULL, 'q' },
  { "shard", required_argument, NULL, 's' },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 }
};

static int run_main(int argc, char **argv)
{
  const char *out_arg = NULL, *filter = NULL, *shard_arg = NULL, *seeds_arg = NULL;
  size_t shard_index = 0, shard_count = 0;
  int resume = 0, quiet = 0, c;
  long threads = 0;
  char suite_path[PATH_MAX], out_path[PATH_MAX];
  ob_error err;
  ob_error_clear(&err);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
    switch (c) {
    case 'o': out_arg = optarg; break;
    case 'r': resume = 1; break;
    case 'f': filter = optarg; break;
    case 't':
      threads = ob_cli_parse_long(optarg);
      if (threads < 1 || threads > 1024)
        return ob_cli_usage("run", "--threads '%s': expected an integer in [1, 1024]", optarg);
      break;
    case 'S': seeds_arg = optarg; break;
    case 'q': quiet = 1; break;
    case 's':
      if (ob_shard_parse(optarg, &shard_index, &shard_count, &err) < 0) return ob_cli_usage("run", "%s", err.text);
      shard_arg = optarg;
      break;
    case 'h': ob_cli_print_help("run", stdout); return EX_OK;
    case ':': return ob_cli_usage("run", "option '%s' needs a value", argv[optind - 1]);
    default: return ob_cli_usage("run", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (argc - optind > 1) return ob_cli_usage("run", "run takes one suite file, got %d arguments", argc - optind);
  if (optind < argc) {
    snprintf(suite_path, sizeof suite_path, "%s", argv[optind]);
  } else if (ob_cli_default_suite(suite_path, sizeof suite_path) != 0) {
    fprintf(stderr, "optbench: the default suite is not installed (looked in $OPTBENCH_DATADIR, %s and %s)\n",
            OB_PKGDATADIR, OB_SRCDIR);
    return EX_NOINPUT;
  }

  ob_suite *s;
  int rc = ob_suite_load(suite_path, &s, &err);
  if (rc < 0) return ob_cli_fail(&err);
  if (threads && (rc = ob_suite_override_threads(s, (int)threads, &err)) < 0) {
    ob_suite_free(s);
    return ob_cli_fail(&err);
  }
  if (seeds_arg) {
    uint64_t *seeds;
    size_t nseeds;
    rc = ob_suite_parse_seeds(seeds_arg, &seeds, &nseeds, &err);
    if (rc < 0) {
      ob_suite_free(s);
      return ob_cli_usage("run", "%s", err.text);
    }
    rc = ob_suite_override_seeds(s, seeds, nseeds, &err);
    free(seeds);
    if (rc < 0) {
      ob_suite_free(s);
      return ob_cli_fail(&err);
    }
  }
#ifdef HAVE_MPI
  if (mpi_rank > 0) {   /* a worker: rank 0 checks the output, journals and writes */
    struct sigaction wsa;
    memset(&wsa, 0, sizeof wsa);
    wsa.sa_handler = on_signal;
    sigemptyset(&wsa.sa_mask);
    sigaction(SIGINT, &wsa, NULL);
    sigaction(SIGTERM, &wsa, NULL);
    mpi_ready_done = 1;
    if (ob_mpi_ready(NULL)) ob_mpi_worker(s, &stop_requested);
    ob_suite_free(s);
    return EX_OK;
  }
#endif
  /* Which cells run. */
  size_t *sel = malloc((s->ncells ? s->ncells : 1) * sizeof *sel), nsel = 0;
  if (!sel) { ob_suite_free(s); fputs("optbench: out of memory\n", stderr); return EX_OSERR; }
  size_t *shard_of = NULL;
  if (shard_arg) {
    shard_of = malloc((s->ncells ? s->ncells : 1) * sizeof *shard_of);
    if (!shard_of || ob_shard_assign(s, shard_count, shard_of, &err) < 0) {
      if (!shard_of) ob_error_set(&err, OB_ENOMEM, "out of memory");
      free(shard_of);
      free(sel);
      ob_suite_free(s);
      return ob_cli_fail(&err);
    }
  }
  size_t nmatch = 0;
  for (size_t i = 0; i < s->ncells; i++)
    if (!filter || fnmatch(filter, s->cells[i].id, 0) == 0) {
      nmatch++;
      if (!shard_of || shard_of[i] == shard_index - 1) sel[nsel++] = i;
    }
  free(shard_of);
  /* An empty shard (more shards than cells, or a filter that misses this
   * shard) is a valid, empty results file: a job array must not fail on it. */
  if (nmatch == 0) {
    free(sel);
    ob_suite_free(s);
    return ob_cli_usage("run", "--filter '%s' matches none of the suite's cells (see optbench validate)", filter);
  }
  /* Where the results go. */
  int default_out = 0;
  if (out_arg) {
    snprintf(out_path, sizeof out_path, "%s", out_arg);
  } else if (resume) {
    if (find_journal(s->name, out_path, sizeof out_path) != 0) {
      free(sel);
      fprintf(stderr, "optbench: no journal of suite '%s' under results/ to resume; name it with -o\n", s->name);
      ob_suite_free(s);
      return EX_NOINPUT;
    }
  } else {
    char stamp[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(out_path, sizeof out_path, "results/%s-%s.json", s->name, stamp);
    default_out = 1;
  }
  if ((rc = ob_fs_check_writable(out_path, default_out, &err)) < 0) {
    free(sel);
    ob_suite_free(s);
    return ob_cli_fail(&err);
  }
  json_t *done;
  ob_journal *j;
  if ((rc = ob_journal_open(out_path, s, resume, &done, &j, &err)) < 0) {
    free(sel);
    ob_suite_free(s);
    return ob_cli_fail(&err);
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  ob_progress prog;
  ob_progress_start(&prog, nsel, quiet);
  json_t *doc = ob_results_new(s, ob_cli_command_line);
  long produced = 0;
#ifdef HAVE_MPI
  if (mpi_size > 1) {
    mpi_ready_done = 1;
    if (!ob_mpi_ready(NULL)) {
      ob_journal_close(j, 1);
      json_decref(doc);
      json_decref(done);
      free(sel);
      ob_suite_free(s);
      return EX_SOFTWARE;
    }
    json_t *mctx = NULL;
    produced = ob_mpi_master(s, sel, nsel, done, j, &stop_requested, &mctx);
    if (mctx) json_object_set_new(json_object_get(doc, "context"), "mpi", mctx);
    if (produced < 0) {
      ob_journal_close(j, 0);
      MPI_Abort(MPI_COMM_WORLD, EX_SOFTWARE);
    }
  }
#endif
  if (shard_arg) {
    json_t *ids = json_array();
    for (size_t k = 0; k < nsel; k++) json_array_append_new(ids, json_string(s->cells[sel[k]].id));
    json_object_set_new(doc, "shard", json_pack("{s:I, s:I, s:s, s:o}", "index", (json_int_t)shard_index, "count",
                                                (json_int_t)shard_count, "method", "lpt-cost-v1", "cells", ids));
  }
  size_t ran = 0, finished = 0, errors = 0, resumed = 0;
  int exit_code = EX_OK;
  for (size_t k = 0; k < nsel && !stop_requested; k++) {
    const ob_cell *cell = &s->cells[sel[k]];
    json_t *rec = json_object_get(done, cell->id);
    if (rec) {
      json_incref(rec);
      resumed++;
    } else {
      ob_progress_update(&prog, finished, ran, cell->id);
      if (ob_runner_cell(s, sel[k], &stop_requested, &rec) == OB_RUN_INTERRUPTED) break;
      ran++;
      if ((rc = ob_journal_append(j, rec, &err)) < 0) {
        json_decref(rec);
        exit_code = ob_cli_fail(&err);
        break;
      }
    }
    const char *status = json_string_value(json_object_get(rec, "status"));
    if (status && strcmp(status, OB_STATUS_ERROR) == 0) errors++;
    ob_results_add_run(doc, rec);
    finished++;
  }
  ob_progress_finish(&prog);
  resumed -= (size_t)produced;   /* records made by the MPI ranks came through `done` */
  ran += (size_t)produced;

  if (exit_code == EX_OK && finished < nsel) {
    ob_journal_close(j, 0);
    char jp[PATH_MAX];
    ob_journal_path(out_path, jp, sizeof jp);
    fprintf(stderr, "optbench: interrupted after %zu of %zu runs; finished runs are kept in %s\n"
                    "optbench: continue with: optbench run %s -o %s --resume\n",
            finished, nsel, jp, suite_path, out_path);
    exit_code = EX_INTERRUPTED;
  } else if (exit_code == EX_OK) {
    if ((rc = ob_results_write(out_path, doc, &err)) < 0) {
      ob_journal_close(j, 0);
      exit_code = ob_cli_fail(&err);
    } else {
      ob_journal_close(j, 1);
      if (!quiet) {
        print_summary(s, json_object_get(doc, "runs"), stdout);
        if (resumed) printf("(%zu runs taken from the journal, %zu run now)\n", resumed, ran);
        printf("results: %s\n", out_path);
      }
      if (errors) {
        fprintf(stderr, "optbench: %zu of %zu runs ended in error (see their \"reason\" in %s)\n", errors,
                finished, out_path);
        exit_code = 1;
      }
    }
  } else {
    ob_journal_close(j, 0);
  }
  json_decref(doc);
  json_decref(done);
  free(sel);
  ob_suite_free(s);
  return exit_code;
}

int cmd_run(int argc, char **argv)
{
#ifdef HAVE_MPI
  mpi_size = ob_mpi_start(&argc, &argv, &mpi_rank);
  int rc = run_main(argc, argv);
  if (mpi_size > 1 && !mpi_ready_done) ob_mpi_ready("could not start (bad options or suite; see rank 0)");
  ob_mpi_stop();
  return rc;
#else
  return run_main(argc, argv);
#endif
}
