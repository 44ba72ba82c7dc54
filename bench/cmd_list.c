/* cmd_list.c -- `optbench list [problems|optimizers|placements] [--json]`. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "bench/cli.h"
#include "bench/ob_json.h"
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "problems/problem.h"

static json_t *problems_json(void)
{
  json_t *a = json_array();
  for (const ob_problem_type *const *t = ob_problem_types(); *t; t++)
    json_array_append_new(a, json_pack("{s:s, s:s}", "name", (*t)->name, "summary", (*t)->summary));
  return a;
}

static json_t *optimizers_json(void)
{
  json_t *a = json_array();
  for (const ob_optimizer_type *const *t = ob_optimizer_types(); *t; t++)
    json_array_append_new(a, json_pack("{s:s, s:s}", "name", (*t)->name, "summary", (*t)->summary));
  return a;
}

static void print_section(const char *title, json_t *rows, int header)
{
  size_t i, w = 0;
  json_t *r;
  json_array_foreach(rows, i, r) {
    size_t l = strlen(json_string_value(json_object_get(r, "name")));
    if (l > w) w = l;
  }
  if (header) printf("%s:\n", title);
  json_array_foreach(rows, i, r)
    printf("  %-*s  %s\n", (int)w, json_string_value(json_object_get(r, "name")),
           json_string_value(json_object_get(r, "summary")));
}

int cmd_list(int argc, char **argv)
{
  int as_json = 0;
  const char *what = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) as_json = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      ob_cli_print_help("list", stdout);
      return EX_OK;
    } else if (argv[i][0] == '-') return ob_cli_usage("list", "unknown option '%s'", argv[i]);
    else if (what) return ob_cli_usage("list", "list takes at most one of problems, optimizers, placements");
    else what = argv[i];
  }
  if (what && strcmp(what, "problems") && strcmp(what, "optimizers") && strcmp(what, "placements"))
    return ob_cli_usage("list", "cannot list '%s': expected problems, optimizers or placements", what);
  json_t *doc = json_object();
  if (!what || !strcmp(what, "problems")) json_object_set_new(doc, "problems", problems_json());
  if (!what || !strcmp(what, "optimizers")) json_object_set_new(doc, "optimizers", optimizers_json());
  if (!what || !strcmp(what, "placements")) json_object_set_new(doc, "placements", ob_placement_catalog());
  if (as_json) {
    json_dumpf(doc, stdout, JSON_INDENT(2));
    putchar('\n');
  } else {
    const char *key;
    json_t *v;
    int first = 1;
    json_object_foreach(doc, key, v) {
      if (!first) putchar('\n');
      print_section(key, v, !what);
      first = 0;
    }
  }
  json_decref(doc);
  return EX_OK;
}
