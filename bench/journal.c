/* journal.c -- appending and replaying the run journal (see journal.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/journal.h"
#include "bench/ob_fs.h"
#include "bench/ob_json.h"

#define JOURNAL_VERSION 1

struct ob_journal {
  FILE *f;
  char path[PATH_MAX];
};

void ob_journal_path(const char *results_path, char *buf, size_t size)
{
  snprintf(buf, size, "%s.journal", results_path);
}

static int replay(ob_journal *j, const char *digest, json_t *done, ob_error *err)
{
  FILE *f = fopen(j->path, "r");
  if (!f) {
    int e = errno;
    ob_error_source(err, j->path);
    return ob_error_set(err, e == ENOENT ? OB_ENOINPUT : OB_EIO, "cannot open journal: %s%s", strerror(e),
                        e == ENOENT ? " (nothing to resume: run without --resume)" : "");
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int lineno = 0, rc = OB_OK, header = 0;
  while ((len = getline(&line, &cap, f)) > 0) {
    lineno++;
    int complete = line[len - 1] == '\n';
    json_error_t je;
    json_t *v = json_loadb(line, (size_t)len, 0, &je);
    if (!v) {
      if (!complete) break;          /* torn last line: the run it held is redone */
      ob_error_source(err, j->path);
      if (err) err->line = lineno;
      rc = ob_error_set(err, OB_EDATA, "corrupt journal line: %s", je.text);
      break;
    }
    if (lineno == 1) {
      json_t *d = json_object_get(v, "suite_digest");
      if (!json_is_integer(json_object_get(v, "optbench_journal")) || !json_is_string(d)) {
        ob_error_source(err, j->path);
        rc = ob_error_set(err, OB_EDATA, "not an optbench journal");
      } else if ((header = 1, strcmp(json_string_value(d), digest) != 0)) {
        ob_error_source(err, j->path);
        rc = ob_error_set(err, OB_EDATA, "journal was written for a different suite (or different suite "
                          "contents); delete it to start over");
      }
    } else {
      json_t *id = json_object_get(v, "id");
      if (json_is_string(id)) json_object_set(done, json_string_value(id), v);
    }
    json_decref(v);
    if (rc < 0 || !complete) break;
  }
  free(line);
  fclose(f);
  if (rc == OB_OK && !header) {
    ob_error_source(err, j->path);
    rc = ob_error_set(err, OB_EDATA, "journal has no complete header line (empty or torn); delete it to start over");
  }
  return rc;
}

int ob_journal_open(const char *results_path, const ob_suite *s, int resume,
                    json_t **done, ob_journal **out, ob_error *err)
{
  char digest[17];
  ob_journal *j = calloc(1, sizeof *j);
  *out = NULL;
  *done = NULL;
  if (!j) return ob_error_set(err, OB_ENOMEM, "out of memory");
  ob_journal_path(results_path, j->path, sizeof j->path);
  ob_json_digest(s->normalized, digest);
  json_t *d = json_object();
  int rc = OB_OK;
  if (resume) {
    rc = replay(j, digest, d, err);
    if (rc == OB_OK) {
      j->f = fopen(j->path, "r+");
      if (j->f) {
        /* Drop a torn last line so appends start on a line of their own. */
        long good = 0, pos = 0;
        int c, prev = '\n';
        while ((c = fgetc(j->f)) != EOF) { pos++; if (c == '\n') good = pos; prev = c; }
        (void)prev;
        if (ftruncate(fileno(j->f), good) != 0 || fseek(j->f, good, SEEK_SET) != 0) {
          fclose(j->f);
          j->f = NULL;
        }
      }
    }
  } else {
    if (ob_fs_exists(j->path)) {
      ob_error_source(err, j->path);
      rc = ob_error_set(err, OB_ECANTCREAT, "a journal from an interrupted run exists: continue it with "
                        "--resume, or delete it to start over");
    } else {
      j->f = fopen(j->path, "w");
      if (j->f) {
        json_t *h = json_pack("{s:i, s:s, s:s, s:I}", "optbench_journal", JOURNAL_VERSION, "suite_digest", digest,
                              "suite", s->name, "cells", (json_int_t)s->ncells);
        if (json_dumpf(h, j->f, JSON_COMPACT) != 0 || fputc('\n', j->f) == EOF || fflush(j->f) != 0) {
          fclose(j->f);
          j->f = NULL;
        }
        json_decref(h);
      }
    }
  }
  if (rc == OB_OK && !j->f) {
    int e = errno;
    ob_error_source(err, j->path);
    rc = ob_error_set(err, OB_ECANTCREAT, "cannot write journal: %s", strerror(e));
  }
  if (rc < 0) {
    json_decref(d);
    if (j->f) fclose(j->f);
    free(j);
    return rc;
  }
  *done = d;
  *out = j;
  return OB_OK;
}

int ob_journal_append(ob_journal *j, const json_t *run, ob_error *err)
{
  if (json_dumpf(run, j->f, OB_JSON_LINE_FLAGS) != 0 || fputc('\n', j->f) == EOF || fflush(j->f) != 0) {
    int e = errno;
    ob_error_source(err, j->path);
    return ob_error_set(err, OB_EIO, "cannot append to journal: %s", strerror(e));
  }
  return OB_OK;
}

void ob_journal_close(ob_journal *j, int remove_file)
{
  if (!j) return;
  if (j->f) fclose(j->f);
  if (remove_file) unlink(j->path);
  free(j);
}
