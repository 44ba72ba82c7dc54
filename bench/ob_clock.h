/* ob_clock.h -- the one clock every timing in optbench reads.
 *
 * CLOCK_MONOTONIC in seconds as a double: immune to wall-clock jumps, and
 * precise to well under a microsecond for the step and oracle timings.
 */
#ifndef OB_CLOCK_H
#define OB_CLOCK_H

#include <time.h>

static inline double ob_clock_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
