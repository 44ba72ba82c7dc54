/* ob_error.h -- status codes and the error context every library call fills.
 *
 * Library code (everything outside bench/main.c and bench/cmd_*.c) never prints
 * and never exits: a failing call fills a caller-owned ob_error and returns a
 * negative ob_status. The command layer turns the struct into one message line
 * and a sysexits(3) code. The layout follows jansson's json_error_t: where the
 * problem is (source file, line/column or a JSON path) and what it is (text).
 */
#ifndef OB_ERROR_H
#define OB_ERROR_H

#include <stddef.h>

typedef enum {
  OB_OK = 0,
  /* > 0: an iteration ended without error but asks the driver to stop */
  OB_STALLED = 1,      /* the method cannot make progress (e.g. GSL's "no progress") */
  OB_CONVERGED = 2,    /* the method's own stopping test is met (a linear solver's relative
                        * residual below the problem's tol: problems/linsys.h) */
  /* < 0: failures, each mapped to one sysexits code by the command layer */
  OB_EINVAL = -1,      /* bad value in a suite or on the command line  -> 65 */
  OB_ENOMEM = -2,      /* allocation failed                             -> 71 */
  OB_EIO = -3,         /* read/write failed                             -> 74 */
  OB_EDATA = -4,       /* malformed input file                          -> 65 */
  OB_ENUMERIC = -5,    /* numerical failure inside a method             -> run error */
  OB_ENOINPUT = -6,    /* an input file does not exist                  -> 66 */
  OB_ECANTCREAT = -7,  /* an output file cannot be created              -> 73 */
  OB_EUNSUPPORTED = -8,/* the machine cannot provide what was asked     -> skipped */
  OB_EINTERNAL = -9    /* a bug                                         -> 70 */
} ob_status;

typedef struct ob_error {
  int code;            /* an ob_status, OB_OK when nothing happened */
  int line, column;    /* 1-based position in `source`, 0 when unknown */
  char source[512];    /* file the error is about ("" when none) */
  char path[256];      /* JSON path inside the file, e.g. problems[2].dim */
  char text[768];      /* what went wrong, lowercase, no trailing period */
} ob_error;

/* Clears every field. */
void ob_error_clear(ob_error *e);

/* Sets code and text (printf-style) and returns code, so that library code can
 * `return ob_error_set(err, OB_EINVAL, "...")`. Leaves source, path and the
 * position alone. `e` may be NULL. */
int ob_error_set(ob_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like ob_error_set, and also records the JSON path the error is about. */
int ob_error_at(ob_error *e, int code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records the file the error is about, when none is recorded yet. */
void ob_error_source(ob_error *e, const char *source);

/* Formats "SOURCE:LINE:COL: PATH: TEXT" leaving out the parts that are unknown. */
void ob_error_format(const ob_error *e, char *buf, size_t size);

/* The sysexits(3) code for a status (never 77 or 99). */
int ob_status_exit_code(int code);

/* A short name for a status, for messages ("invalid value", ...). */
const char *ob_status_name(int code);

#endif
