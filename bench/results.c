/* results.c -- building, writing and loading results documents (see results.h). */
#include "config.h"

#include <stdio.h>

#include "bench/context.h"
#include "bench/ob_fs.h"
#include "bench/ob_json.h"
#include "bench/results.h"

json_t *ob_results_new(const ob_suite *s, const char *command)
{
  json_t *doc = json_object();
  json_object_set_new(doc, "schema_version", json_integer(OB_RESULTS_SCHEMA_VERSION));
  json_object_set_new(doc, "tool", ob_tool_json());
  json_object_set_new(doc, "context", ob_context_json(command));
  json_object_set_new(doc, "suite", json_deep_copy(s->normalized));
  json_object_set_new(doc, "runs", json_array());
  return doc;
}

int ob_results_add_run(json_t *doc, json_t *run)
{
  return json_array_append_new(json_object_get(doc, "runs"), run) == 0 ? OB_OK : OB_ENOMEM;
}

static int emit(FILE *f, void *ctx)
{
  if (json_dumpf((const json_t *)ctx, f, OB_JSON_DUMP_FLAGS) != 0) return -1;
  return fputc('\n', f) == EOF ? -1 : 0;
}

int ob_results_write(const char *path, const json_t *doc, ob_error *err)
{
  return ob_fs_write_atomic(path, emit, (void *)doc, err);
}

int ob_results_load(const char *path, json_t **out, ob_error *err)
{
  json_t *doc;
  int rc = ob_json_load_file(path, &doc, err);
  if (rc < 0) return rc;
  json_t *v = json_object_get(doc, "schema_version");
  if (!json_is_object(doc) || !json_is_integer(v) || json_integer_value(v) != OB_RESULTS_SCHEMA_VERSION) {
    json_decref(doc);
    ob_error_source(err, path);
    return ob_error_at(err, OB_EDATA, "schema_version", "not an optbench results file of schema version %d",
                       OB_RESULTS_SCHEMA_VERSION);
  }
  *out = doc;
  return OB_OK;
}
