/* dataset.h -- binary classification data sets for logistic regression.
 *
 * A data set is n labelled samples (y_i in {-1, +1}) with d features, held
 * either dense (row-major n x d) or sparse (CSR: row pointers, 0-based column
 * indices, values). Three sources fill one: LIBSVM/svmlight text files, CSV
 * files with a label column, and seeded synthetic generators. Every array of
 * the finished data set comes from the caller's memtier arena (class "data"),
 * so closing the arena frees it; loaders use malloc'ed scratch only while they
 * run. Errors in files name the file, line and column (ob_error source, line,
 * column) and return OB_EDATA; a missing file returns OB_ENOINPUT. Nothing
 * here prints, exits or uses threads.
 */
#ifndef OB_DATASET_H
#define OB_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/ob_error.h"
#include "memtier/memtier.h"

typedef struct ob_dataset {
  size_t n, d;          /* samples, features */
  bool sparse;          /* CSR when true, dense row-major when false */
  double *y;            /* labels, -1 or +1 (length n) */
  double *x;            /* dense: n * d values, row i at x + i*d; NULL when sparse */
  size_t nnz;           /* sparse: stored entries */
  size_t *rowptr;       /* sparse: n + 1 offsets into col/val */
  uint32_t *col;        /* sparse: 0-based feature index, ascending within a row */
  double *val;          /* sparse: values */
  int label_map;        /* how labels were read: 0 (already -1/+1) or 1 ({0,1} mapped 0 -> -1) */
} ob_dataset;

/* Reads a LIBSVM/svmlight file: one sample per line, "label idx:val idx:val ...",
 * 1-based strictly increasing indices, optional "# comment" at the end of a line;
 * blank lines and lines starting with '#' are skipped. d is the largest index
 * seen (or min_d when larger). Labels must be all in {-1, +1} or all in {0, 1}
 * ("+1" and "1.0" are accepted spellings). Stores CSR, or dense when `dense`. */
int ob_dataset_load_libsvm(const char *path, bool dense, size_t min_d, ob_memtier *mem,
                           ob_dataset *out, ob_error *err);

/* Reads a comma-separated file of numbers. `label_column` is 0-based; a negative
 * value counts from the end (-1: the last column). `header` lines are skipped;
 * header < 0 means automatic: the first line is skipped when one of its fields is
 * not a number. Every row must have the same number of fields. Stores dense, or
 * CSR (dropping zeros) when `sparse`. */
int ob_dataset_load_csv(const char *path, long label_column, long header, bool sparse,
                        ob_memtier *mem, ob_dataset *out, ob_error *err);

/* Regression variants of the two loaders (ridge_hpo): the label is any finite
 * number, kept as read (label_map 0); everything else as above. A label that
 * is not a finite number is an OB_EDATA error at its file:line:column. */
int ob_dataset_load_libsvm_real(const char *path, bool dense, size_t min_d, ob_memtier *mem,
                                ob_dataset *out, ob_error *err);
int ob_dataset_load_csv_real(const char *path, long label_column, long header, bool sparse,
                             ob_memtier *mem, ob_dataset *out, ob_error *err);

/* Synthetic generators; see docs/logreg.md for the exact construction. */
typedef struct ob_synth_spec {
  size_t n, d;
  bool separable;       /* false: two Gaussian classes; true: separable with margin/radius */
  double separation;    /* Gaussian: distance between the class means */
  double margin;        /* separable: gamma, the margin of the generating unit vector */
  double radius;        /* separable: R, every ||x_i|| <= R */
  double noise;         /* fraction of labels flipped afterwards, in [0, 0.5] */
  double condition;     /* Gaussian: condition number of the feature covariance */
  double density;       /* fraction of non-zero features (1: dense) */
  uint64_t seed;        /* the generator's own seed (never the run seed) */
} ob_synth_spec;

int ob_dataset_synthetic(const ob_synth_spec *spec, bool sparse, ob_memtier *mem, ob_dataset *out,
                         ob_error *err);

/* The generating unit vector w* of a separable synthetic set (length d, malloc'ed
 * by the caller): recomputed from the seed, for tests. */
int ob_dataset_synthetic_direction(const ob_synth_spec *spec, double *w, ob_error *err);

/* Row i as sparse triples or dense: m = x_i . w (w of length >= d). Sums run
 * left to right over the stored entries, so dense and CSR agree exactly. */
double ob_dataset_dot(const ob_dataset *ds, size_t i, const double *w);
/* acc += a * x_i (acc of length >= d). */
void ob_dataset_axpy(const ob_dataset *ds, size_t i, double a, double *acc);

#endif
