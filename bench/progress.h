/* progress.h -- the one-line progress bar of `optbench run` (stderr, TTY only).
 *
 * Shows done/total cells, the current cell id and an ETA from the mean time of
 * the cells run so far. Disabled when stderr is not a terminal or with --quiet,
 * so logs and CI output never contain carriage returns.
 */
#ifndef OB_PROGRESS_H
#define OB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ob_progress {
  bool enabled;
  size_t total, done, ran;
  double t0;
  int width;
} ob_progress;

void ob_progress_start(ob_progress *p, size_t total, bool quiet);
/* `done` cells are finished (resumed ones included); `ran` were run now. */
void ob_progress_update(ob_progress *p, size_t done, size_t ran, const char *current);
void ob_progress_finish(ob_progress *p);

#endif
