/* cmd_describe.c -- `optbench describe NAME [--json]`: a type's parameters and reference. */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "bench/cli.h"
#include "bench/ob_params.h"
#include "optimizers/optimizer.h"
#include "problems/problem.h"

static const char *kind_word(ob_param_kind k)
{
  static const char *const w[] = { "real", "int", "bool", "string", "vector", "object" };
  return (unsigned)k < sizeof w / sizeof w[0] ? w[k] : "?";
}

static void add_params(json_t *arr, const ob_param_spec *specs)
{
  for (const ob_param_spec *s = specs; s && s->name; s++) {
    char range[96];
    ob_params_range(s, range, sizeof range);
    json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "name", s->name, "kind", kind_word(s->kind),
                          "default", s->def ? s->def : "(required)", "help", s->help ? s->help : "");
    if (range[0]) json_object_set_new(p, "range", json_string(range));
    if (s->choices) json_object_set_new(p, "choices", json_string(s->choices));
    if (s->kind == OB_PARAM_VECTOR || (s->flags & OB_PARAM_NO_GRID)) json_object_set_new(p, "grid", json_false());
    json_array_append_new(arr, p);
  }
}

/* The needs of t's default configuration: type->needs plus what its
 * needs_of hook adds (sophia's default estimator needs HVPs). */
static unsigned default_needs(const ob_optimizer_type *t)
{
  static const char *const skip[] = { "type", "id", NULL };
  unsigned needs = t->needs;
  json_t *given = json_object(), *norm = NULL;
  ob_optimizer *o = NULL;
  ob_error err;
  if (t->needs_of && ob_optimizer_params_normalize(t, given, skip, "optimizer", 0, &norm, &err) == OB_OK &&
      ob_optimizer_alloc(t, norm, &o, &err) == OB_OK)
    needs = ob_optimizer_needs(o);
  ob_optimizer_free(o);
  json_decref(norm);
  json_decref(given);
  return needs;
}

static json_t *flags_json(unsigned bits, const char *const *names)
{
  json_t *a = json_array();
  for (int i = 0; names[i]; i++) if (bits & (1u << i)) json_array_append_new(a, json_string(names[i]));
  return a;
}

int cmd_describe(int argc, char **argv)
{
  int as_json = 0;
  const char *name = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) as_json = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      ob_cli_print_help("describe", stdout);
      return EX_OK;
    } else if (argv[i][0] == '-') return ob_cli_usage("describe", "unknown option '%s'", argv[i]);
    else if (name) return ob_cli_usage("describe", "describe takes one name");
    else name = argv[i];
  }
  if (!name) return ob_cli_usage("describe", "describe needs a problem or optimizer name (see optbench list)");
  /* in bit order of OB_NEEDS_* and OB_PROVIDES_* */
  static const char *const needs[] = { "gradient", "hessian_vector_product", "f_opt", "gauss_newton_product",
                                       "linear_system", "bilevel", "gauss_newton_bartlett", NULL };
  static const char *const provides[] = { "gradient", "hessian_vector_product", "f_opt", "stochastic",
                                          "gauss_newton_product", "linear_system", "bilevel",
                                          "gauss_newton_bartlett", NULL };
  json_t *d = NULL, *params = json_array();
  const ob_problem_type *pt = ob_problem_type_find(name);
  const ob_optimizer_type *ot = ob_optimizer_type_find(name);
  if (pt) {
    d = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", pt->name, "kind", "problem", "summary", pt->summary,
                  "reference", pt->reference, "provides", flags_json(pt->provides, provides));
    add_params(params, pt->params);
    add_params(params, ob_problem_common_params);
  } else if (ot) {
    d = json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", ot->name, "kind", "optimizer", "summary", ot->summary,
                  "reference", ot->reference, "needs", flags_json(default_needs(ot), needs));
    /* a need that depends on the parameters: "needs" is the defaults' */
    if (ot->needs_of) json_object_set_new(d, "needs_depend_on_params", json_true());
    add_params(params, ot->params);
    add_params(params, ob_optimizer_common_params);
  } else {
    const char *names[512];
    size_t k = 0;
    for (const ob_problem_type *const *t = ob_problem_types(); *t && k < 255; t++) names[k++] = (*t)->name;
    for (const ob_optimizer_type *const *t = ob_optimizer_types(); *t && k < 510; t++) names[k++] = (*t)->name;
    names[k] = NULL;
    const char *hint = ob_did_you_mean(name, names);
    json_decref(params);
    if (hint) return ob_cli_usage("describe", "no problem or optimizer named '%s' (did you mean '%s'?)", name, hint);
    return ob_cli_usage("describe", "no problem or optimizer named '%s' (see optbench list)", name);
  }
  json_object_set_new(d, "params", params);
  if (as_json) {
    json_dumpf(d, stdout, JSON_INDENT(2));
    putchar('\n');
  } else {
    printf("%s (%s): %s\n", name, pt ? "problem" : "optimizer", pt ? pt->summary : ot->summary);
    printf("reference: %s\n", pt ? pt->reference : ot->reference);
    json_t *f = json_object_get(d, pt ? "provides" : "needs");
    printf("%s:", pt ? "provides" : "needs");
    size_t i;
    json_t *v;
    json_array_foreach(f, i, v) printf(" %s", json_string_value(v));
    printf("%s%s\n\nparameters:\n", json_array_size(f) ? "" : " nothing",
           json_object_get(d, "needs_depend_on_params") ? " (with the defaults; depends on the parameters)" : "");
    json_array_foreach(params, i, v) {
      json_t *range = json_object_get(v, "range");
      printf("  %-14s %-7s default %-10s %s%s%s\n      %s\n", json_string_value(json_object_get(v, "name")),
             json_string_value(json_object_get(v, "kind")), json_string_value(json_object_get(v, "default")),
             range ? "range " : "", range ? json_string_value(range) : "",
             json_object_get(v, "choices") ? json_string_value(json_object_get(v, "choices")) : "",
             json_string_value(json_object_get(v, "help")));
    }
  }
  json_decref(d);
  return EX_OK;
}
