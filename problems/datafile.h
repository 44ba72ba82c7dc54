/* datafile.h -- the file objects of the bilevel data problems' "train" and
 * "val" parameters.
 *
 * ridge_hpo and hyper_cleaning read a training and a validation set, each
 * named by the same object logreg uses for its "data": {"libsvm": PATH} or
 * {"csv": PATH, "label_column": K, "header": H}. This module checks that
 * object, loads both sets dense through problems/dataset.h (binary labels,
 * or real-valued ones for regression) and gives them the same feature count:
 * a LIBSVM set whose largest index is smaller is padded with zero columns; two
 * CSV files with different column counts are an error. Arrays come from the
 * caller's arena; nothing here prints.
 */
#ifndef OB_DATAFILE_H
#define OB_DATAFILE_H

#include <jansson.h>
#include <stdbool.h>

#include "bench/ob_error.h"
#include "memtier/memtier.h"
#include "problems/dataset.h"

/* The spec of one file object ("libsvm" or "csv" plus the CSV options), for a
 * problem's param table: an OB_PARAM_OBJECT with OB_PARAM_PATH so the suite
 * resolves the path against its own directory. */
#define OB_DATAFILE_HELP "{\"libsvm\": PATH} | {\"csv\": PATH, \"label_column\": K, \"header\": H}"

/* Loads the training and validation sets named by the file objects `train`
 * and `val` (JSON paths "train" and "val" in messages). real: regression
 * labels (any finite number); else binary labels mapped to -1/+1. A set with
 * more than max_d features is an OB_EINVAL error (LIBSVM files are checked
 * before any dense copy is made). On success both are dense with equal d. */
int ob_datafile_load_pair(const json_t *train, const json_t *val, bool real, size_t max_d, ob_memtier *mem,
                          ob_dataset *tr, ob_dataset *va, ob_error *err);

/* The data params of a bilevel data problem (normalized, so each is present):
 * "train" and "val" file objects, or null for both and the problem's own
 * "synthetic" generator object. Both files given (and "synthetic" null):
 * loads them as ob_datafile_load_pair does and returns 1. Neither given:
 * returns 0 and touches nothing; the caller generates its data. Only one of
 * them, or files together with "synthetic": OB_EINVAL naming the key. */
int ob_datafile_load_params(const json_t *params, bool real, size_t max_d, ob_memtier *mem, ob_dataset *tr,
                            ob_dataset *va, ob_error *err);

#endif
