/* testutil.h -- small helpers shared by the Check programs.
 *
 * Each tests/check_<module>.c builds one Suite and runs it through ob_test_main,
 * which installs a GSL error handler that fails the test loudly (a GSL misuse
 * must never pass silently) and returns 0 only when every check passed.
 */
#ifndef OB_TESTUTIL_H
#define OB_TESTUTIL_H

#include <check.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>

static void ob_test_gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
  ck_abort_msg("GSL error %d at %s:%d: %s", gsl_errno, file, line, reason);
}

/* Path of a file under the source tree (tests run from the build tree). */
static inline const char *ob_test_srcpath(char *buf, size_t size, const char *rel)
{
  const char *top = getenv("top_srcdir");
  snprintf(buf, size, "%s/%s", top ? top : ".", rel);
  return buf;
}

static inline int ob_test_main(Suite *s)
{
  gsl_set_error_handler(ob_test_gsl_handler);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
