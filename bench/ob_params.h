/* ob_params.h -- declarative parameter tables for problems and optimizers.
 *
 * Every problem and optimizer type publishes a NULL-terminated table of
 * ob_param_spec: name, kind, default (as JSON text), range and one line of help.
 * One generic routine (ob_params_normalize) checks a suite entry against the
 * table -- unknown keys with a "did you mean" hint, wrong types, out-of-range
 * values -- and returns a new object with every default filled in. The same
 * table drives grid expansion, `optbench describe`, the results file's
 * "params" block and the docs, so a parameter is declared exactly once.
 *
 * Ownership: normalize returns a new reference; the getters borrow.
 */
#ifndef OB_PARAMS_H
#define OB_PARAMS_H

#include <jansson.h>
#include <stdbool.h>

#include "bench/ob_error.h"

typedef enum {
  OB_PARAM_REAL,       /* a JSON number */
  OB_PARAM_INT,        /* a JSON integer */
  OB_PARAM_BOOL,       /* true / false */
  OB_PARAM_STRING,     /* a string, optionally one of `choices` */
  OB_PARAM_VECTOR,     /* an array of numbers: never a grid axis (x0, matrices) */
  OB_PARAM_OBJECT      /* an object, checked by the type's configure hook */
} ob_param_kind;

enum {
  OB_PARAM_MIN_OPEN = 1u,   /* value > min rather than >= min */
  OB_PARAM_MAX_OPEN = 2u,   /* value < max rather than <= max */
  OB_PARAM_NULLABLE = 4u,   /* null is allowed (meaning "absent"/"automatic") */
  OB_PARAM_NO_GRID = 8u,    /* an array is never expanded for this key */
  OB_PARAM_HIDE_IN_ID = 16u,/* never part of the generated cell id */
  OB_PARAM_PATH = 32u       /* a string naming a file (or an object whose string members do):
                             * resolved against the suite's directory */
};

typedef struct ob_param_spec {
  const char *name;     /* the suite key */
  ob_param_kind kind;
  const char *def;      /* default as JSON text ("0.001", "false", "null", "\"ones\""); NULL = required */
  double min, max;      /* numeric range (use -HUGE_VAL/HUGE_VAL for none) */
  unsigned flags;       /* OB_PARAM_* */
  const char *choices;  /* for strings: "a|b|c", else NULL */
  const char *id_key;   /* short name used in generated ids ("d" for dim), NULL = name */
  const char *help;     /* one line for describe and the docs */
} ob_param_spec;

/* Checks `given` (a JSON object; keys in `skip`, a NULL-terminated list such as
 * {"type","id",NULL}, are ignored) against `specs` and stores in *out a new object
 * holding every spec'd key: given values checked, missing ones defaulted.
 * `path` is the JSON path of `given`, used in messages ("problems[1]"). */
int ob_params_normalize(const ob_param_spec *specs, const json_t *given,
                        const char *const *skip, const char *path,
                        json_t **out, ob_error *err);

/* Finds a spec by name, or NULL. */
const ob_param_spec *ob_params_find(const ob_param_spec *specs, const char *name);

/* Checks one value against its spec (used by normalize and by grid expansion). */
int ob_params_check_value(const ob_param_spec *s, const json_t *v, const char *path, ob_error *err);

/* Getters for normalized objects: the key is known to exist with the right kind. */
double ob_params_real(const json_t *p, const char *name);
long long ob_params_int(const json_t *p, const char *name);
bool ob_params_bool(const json_t *p, const char *name);
const char *ob_params_string(const json_t *p, const char *name);
bool ob_params_is_null(const json_t *p, const char *name);

/* The closest of `candidates` (NULL-terminated) to `word` within a small edit
 * distance, or NULL: the "did you mean" hint. */
const char *ob_did_you_mean(const char *word, const char *const *candidates);

/* Writes "a, b, c" (the names of `specs`) into buf. */
void ob_params_names(const ob_param_spec *specs, char *buf, size_t size);

/* Human-readable form of a spec's range, e.g. "(0, inf)" or "[0, 1)"; "" if none. */
void ob_params_range(const ob_param_spec *s, char *buf, size_t size);

#endif
