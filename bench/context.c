/* context.c -- collecting the machine and build context (see context.h).
 *
 * Everything here is read from /proc, /sys, uname(2) and compile-time
 * constants; a value that cannot be read is written as null, never guessed.
 */
#include "config.h"

#include <gsl/gsl_version.h>
#include <jansson.h>
#include <numa.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/context.h"
#include "memtier/memtier.h"

static json_t *cpu_model(void)
{
  char line[512];
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return json_null();
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10) == 0) {
      char *colon = strchr(line, ':');
      if (!colon) continue;
      colon++;
      while (*colon == ' ' || *colon == '\t') colon++;
      colon[strcspn(colon, "\n")] = '\0';
      fclose(f);
      return json_string(colon);
    }
  }
  fclose(f);
  return json_null();
}

static json_t *thp_mode(void)
{
  char buf[256];
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (!f) return json_null();
  char *ok = fgets(buf, sizeof buf, f);
  fclose(f);
  if (!ok) return json_null();
  char *l = strchr(buf, '['), *r = l ? strchr(l, ']') : NULL;
  if (!l || !r) return json_null();
  *r = '\0';
  return json_string(l + 1);
}

json_t *ob_tool_json(void)
{
  return json_pack("{s:s, s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION, "git", OB_GIT);
}

json_t *ob_context_json(const char *command)
{
  char date[64], kernel[512];
  time_t t = time(NULL);
  struct tm tm;
  struct utsname u;
  gmtime_r(&t, &tm);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (uname(&u) == 0) snprintf(kernel, sizeof kernel, "%s %s %s", u.sysname, u.release, u.machine);
  else snprintf(kernel, sizeof kernel, "unknown");
  json_t *libs = json_pack("{s:s, s:s, s:i}", "gsl", GSL_VERSION, "jansson", JANSSON_VERSION,
                           "numa_api", LIBNUMA_API_VERSION);
#ifdef _OPENMP
  json_object_set_new(libs, "openmp", json_integer(_OPENMP));
#else
  json_object_set_new(libs, "openmp", json_null());
#endif
  json_t *ctx = json_object();
  json_object_set_new(ctx, "date", json_string(date));
  json_object_set_new(ctx, "cpu", cpu_model());
  json_object_set_new(ctx, "cores", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
  json_object_set_new(ctx, "numa", ob_memtier_topology_json());
  json_object_set_new(ctx, "kernel", json_string(kernel));
#ifdef __VERSION__
  json_object_set_new(ctx, "compiler", json_string(__VERSION__));
#else
  json_object_set_new(ctx, "compiler", json_null());
#endif
  json_object_set_new(ctx, "cflags", json_string(OB_CFLAGS));
  json_object_set_new(ctx, "libraries", libs);
  json_object_set_new(ctx, "thp", thp_mode());
  json_object_set_new(ctx, "command", json_string(command ? command : ""));
  return ctx;
}
