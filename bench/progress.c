/* progress.c -- progress bar (see progress.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bench/ob_clock.h"
#include "bench/progress.h"

void ob_progress_start(ob_progress *p, size_t total, bool quiet)
{
  struct winsize ws;
  memset(p, 0, sizeof *p);
  p->enabled = !quiet && isatty(STDERR_FILENO);
  p->total = total;
  p->t0 = ob_clock_now();
  p->width = 80;
  if (p->enabled && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) p->width = ws.ws_col;
}

void ob_progress_update(ob_progress *p, size_t done, size_t ran, const char *current)
{
  char eta[32] = "--:--", line[512];
  if (!p->enabled) return;
  p->done = done;
  p->ran = ran;
  double el = ob_clock_now() - p->t0;
  if (ran > 0 && done <= p->total) {
    double left = el / (double)ran * (double)(p->total - done);
    snprintf(eta, sizeof eta, "%02d:%02d", (int)(left / 60), (int)left % 60);
  }
  int bar = 20, fill = p->total ? (int)((double)bar * (double)done / (double)p->total) : bar;
  char b[32];
  for (int i = 0; i < bar; i++) b[i] = i < fill ? '#' : '.';
  b[bar] = '\0';
  int n = snprintf(line, sizeof line, "[%s] %zu/%zu ETA %s %s", b, done, p->total, eta, current ? current : "");
  if (n > p->width - 1) line[p->width - 1] = '\0';
  fprintf(stderr, "\r%-*s", p->width - 1, line);
  fflush(stderr);
}

void ob_progress_finish(ob_progress *p)
{
  if (!p->enabled) return;
  fprintf(stderr, "\r%-*s\r", p->width - 1, "");
  fflush(stderr);
}
