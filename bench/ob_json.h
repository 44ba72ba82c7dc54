/* ob_json.h -- small jansson helpers shared by the suite loader, runner and writers.
 *
 * JSON has no NaN or Infinity: ob_json_num turns a non-finite double into
 * null, and every writer goes through it. Reals are dumped with 17 significant
 * digits so a results file round-trips every double exactly.
 */
#ifndef OB_JSON_H
#define OB_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "bench/ob_error.h"

/* Flags every writer uses. */
#define OB_JSON_DUMP_FLAGS (JSON_INDENT(1) | JSON_REAL_PRECISION(17))
#define OB_JSON_LINE_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(17))

/* A number, or null when v is NaN or infinite (a new reference). */
json_t *ob_json_num(double v);
/* An array of n numbers (non-finite entries as null). */
json_t *ob_json_vec(const double *v, size_t n);
/* Loads a JSON file. Missing file: OB_ENOINPUT; unreadable: OB_EIO; bad JSON:
 * OB_EDATA with line and column. The error's source is set to `path`. */
int ob_json_load_file(const char *path, json_t **out, ob_error *err);
/* The shortest decimal spelling of v that reads back as v ("0.001", "1e-08"). */
void ob_json_fmt_double(char *buf, size_t size, double v);
/* A compact spelling of a scalar JSON value for ids ("0.001", "true", "ones"). */
void ob_json_fmt_scalar(char *buf, size_t size, const json_t *v);
/* 64-bit FNV-1a of a value's canonical (sorted, compact) dump, as 16 hex digits. */
void ob_json_digest(const json_t *v, char out[17]);

#endif
