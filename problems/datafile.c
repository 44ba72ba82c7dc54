/* datafile.c -- train/val file objects of the bilevel data problems
 * (problems/datafile.h). */
#include "config.h"

#include <string.h>

#include "bench/ob_params.h"
#include "problems/datafile.h"

static const ob_param_spec file_params[] = {
  { "libsvm", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE, NULL, NULL, "LIBSVM/svmlight file" },
  { "csv", OB_PARAM_STRING, "null", 0, 0, OB_PARAM_NULLABLE, NULL, NULL, "CSV file of numbers" },
  { "label_column", OB_PARAM_INT, "-1", -1e6, 1e6, 0, NULL, NULL,
    "CSV: 0-based label column; negative counts from the end" },
  { "header", OB_PARAM_INT, "-1", -1, 1e6, 0, NULL, NULL,
    "CSV: header lines to skip; -1: the first line when not numeric" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* A dense copy of the CSR set `sp` with d >= sp->d features (new arena memory). */
static int densify(const ob_dataset *sp, size_t d, ob_memtier *mem, ob_dataset *out, ob_error *err)
{
  if (sp->n > ((size_t)1 << 40) / d)
    return ob_error_set(err, OB_ENOMEM, "%zu x %zu dense features do not fit in memory", sp->n, d);
  double *x = ob_memtier_alloc(mem, OB_MEM_DATA, sp->n * d, err);
  if (!x) return err ? err->code : OB_ENOMEM;
  memset(x, 0, sp->n * d * sizeof *x);
  for (size_t i = 0; i < sp->n; i++)
    for (size_t k = sp->rowptr[i]; k < sp->rowptr[i + 1]; k++) x[i * d + sp->col[k]] = sp->val[k];
  *out = *sp;
  out->sparse = false;
  out->x = x;
  out->d = d;
  out->nnz = 0;
  out->rowptr = NULL;
  out->col = NULL;
  out->val = NULL;
  return OB_OK;
}

/* Loads one file object; *is_csv tells the caller whether padding is possible. */
static int load_one(const json_t *spec, const char *where, bool real, size_t max_d, ob_memtier *mem,
                    ob_dataset *out, bool *is_csv, ob_error *err)
{
  static const char *const skip[] = { NULL };
  json_t *p = NULL;
  if (!json_is_object(spec))
    return ob_error_at(err, OB_EINVAL, where, "expected an object " OB_DATAFILE_HELP);
  int rc = ob_params_normalize(file_params, spec, skip, where, &p, err);
  if (rc < 0) return rc;
  const char *libsvm = ob_params_is_null(p, "libsvm") ? NULL : ob_params_string(p, "libsvm");
  const char *csv = ob_params_is_null(p, "csv") ? NULL : ob_params_string(p, "csv");
  if ((libsvm != NULL) == (csv != NULL)) {
    rc = ob_error_at(err, OB_EINVAL, where, "give exactly one of \"libsvm\" or \"csv\"");
  } else if (libsvm && (json_object_get(spec, "label_column") || json_object_get(spec, "header"))) {
    rc = ob_error_at(err, OB_EINVAL, where, "\"label_column\" and \"header\" apply to \"csv\" only");
  } else if (libsvm) {
    /* read as CSR first: a LIBSVM file's width is known only at its end, and
     * a wide sparse file must be refused before a dense copy is attempted */
    ob_dataset sp;
    *is_csv = false;
    rc = real ? ob_dataset_load_libsvm_real(libsvm, false, 0, mem, &sp, err)
              : ob_dataset_load_libsvm(libsvm, false, 0, mem, &sp, err);
    if (rc == OB_OK && sp.d > max_d)
      rc = ob_error_at(err, OB_EINVAL, where, "%zu features: at most %zu (dense d x d matrices)", sp.d, max_d);
    if (rc == OB_OK) rc = densify(&sp, sp.d, mem, out, err);
  } else {
    long lc = (long)ob_params_int(p, "label_column"), hd = (long)ob_params_int(p, "header");
    *is_csv = true;
    rc = real ? ob_dataset_load_csv_real(csv, lc, hd, false, mem, out, err)
              : ob_dataset_load_csv(csv, lc, hd, false, mem, out, err);
    if (rc == OB_OK && out->d > max_d)
      rc = ob_error_at(err, OB_EINVAL, where, "%zu features: at most %zu (dense d x d matrices)", out->d, max_d);
  }
  json_decref(p);
  return rc;
}

/* Widens a dense set to d features (zero columns on the right), in new arena memory. */
static int pad(ob_dataset *ds, size_t d, ob_memtier *mem, ob_error *err)
{
  if (ds->n > ((size_t)1 << 40) / d)
    return ob_error_set(err, OB_ENOMEM, "%zu x %zu dense features do not fit in memory", ds->n, d);
  double *x = ob_memtier_alloc(mem, OB_MEM_DATA, ds->n * d, err);
  if (!x) return err ? err->code : OB_ENOMEM;
  memset(x, 0, ds->n * d * sizeof *x);
  for (size_t i = 0; i < ds->n; i++) memcpy(x + i * d, ds->x + i * ds->d, ds->d * sizeof *x);
  ds->x = x;
  ds->d = d;
  return OB_OK;
}

int ob_datafile_load_pair(const json_t *train, const json_t *val, bool real, size_t max_d, ob_memtier *mem,
                          ob_dataset *tr, ob_dataset *va, ob_error *err)
{
  bool csv_tr = false, csv_va = false;
  int rc = load_one(train, "train", real, max_d, mem, tr, &csv_tr, err);
  if (rc == OB_OK) rc = load_one(val, "val", real, max_d, mem, va, &csv_va, err);
  if (rc < 0 || tr->d == va->d) return rc;
  /* a LIBSVM file's d is its largest index: the narrower set may be padded;
   * a CSV file's column count is its d, so a narrower CSV set is an error */
  bool tr_small = tr->d < va->d;
  if (tr_small ? csv_tr : csv_va)
    return ob_error_at(err, OB_EDATA, NULL, "the training set has %zu features but the validation set has %zu",
                       tr->d, va->d);
  return tr_small ? pad(tr, va->d, mem, err) : pad(va, tr->d, mem, err);
}

int ob_datafile_load_params(const json_t *params, bool real, size_t max_d, ob_memtier *mem, ob_dataset *tr,
                            ob_dataset *va, ob_error *err)
{
  const json_t *train = json_object_get(params, "train"), *val = json_object_get(params, "val");
  if (json_is_null(train) && json_is_null(val)) return 0;
  if (json_is_null(train) || json_is_null(val))
    return ob_error_at(err, OB_EINVAL, json_is_null(train) ? "train" : "val",
                       "give both \"train\" and \"val\" (or neither, for the synthetic generator)");
  if (!json_is_null(json_object_get(params, "synthetic")))
    return ob_error_at(err, OB_EINVAL, "synthetic", "applies only when \"train\" and \"val\" are not given");
  int rc = ob_datafile_load_pair(train, val, real, max_d, mem, tr, va, err);
  return rc < 0 ? rc : 1;
}
