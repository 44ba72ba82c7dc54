/* guest.c -- the /init of the QEMU 2-node guest: placement checks on a real kernel.
 *
 * Runs as PID 1 of a throwaway VM with two NUMA nodes, node 1 CPU-less (the
 * recipe of memtier-notes "QEMU 2-node guest"). It mounts /proc and /sys and
 * re-executes itself, because libnuma reads them in a constructor (pitfall 10),
 * then opens memtier arenas under real placements and checks with move_pages
 * that the pages landed where requested: node:1, cxl, far, interleave, the
 * 75/25 and 50/50 splits and states-far; weighted interleave must be skipped
 * on Debian 12's 6.1 kernel, and a cpu binding to the CPU-less node too. Each
 * check prints one "GUEST: ok|FAIL ..." line on the serial console, then
 * "GUEST: N passed, M failed" and the VM powers off. Not a performance test:
 * both guest nodes are host DRAM.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "memtier/memtier.h"

static int passed, failed;

static void check(int ok, const char *what, const char *detail)
{
  printf("GUEST: %s %s%s%s\n", ok ? "ok" : "FAIL", what, detail[0] ? ": " : "", detail);
  if (ok) passed++;
  else failed++;
}

static double frac(json_t *o, const char *cls, const char *node)
{
  json_t *v = json_object_get(json_object_get(o, cls), node);
  return v ? json_number_value(v) : 0.0;
}

/* Opens `spec`, allocates params and state (8 MiB each), verifies; returns the
 * status and fills observed/expected (new references) and the reason. */
static int place(const char *spec, json_t **obs, json_t **exp, char *why, size_t size)
{
  json_t *j = json_loads(spec, JSON_DECODE_ANY, NULL);
  ob_placement *pl = NULL;
  ob_memtier *m = NULL;
  ob_error err;
  ob_error_clear(&err);
  *obs = *exp = NULL;
  int rc = ob_placement_parse(j, "guest", &pl, &err);
  json_decref(j);
  if (rc == OB_OK) rc = ob_memtier_open(pl, &m, &err);
  if (rc == OB_OK) {
    size_t n = 1 << 20;
    double *x = ob_memtier_alloc(m, OB_MEM_PARAMS, n, &err);
    double *s = x ? ob_memtier_alloc(m, OB_MEM_STATE, n, &err) : NULL;
    rc = s ? ob_memtier_verify(m, &err) : err.code;
    *obs = ob_memtier_observed(m);
    *exp = ob_memtier_expected(m);
  }
  snprintf(why, size, "%s", err.text);
  ob_memtier_close(m);
  ob_placement_free(pl);
  return rc;
}

static void expect_on(const char *spec, const char *cls, const char *node, double want, double tol)
{
  json_t *obs, *exp;
  char why[800], detail[1200];
  int rc = place(spec, &obs, &exp, why, sizeof why);
  char *o = obs ? json_dumps(obs, JSON_COMPACT) : NULL;
  double got = obs ? frac(obs, cls, node) : -1;
  snprintf(detail, sizeof detail, "%s on node %s: %.3f (want %.3f) observed=%s %s", cls, node, got, want,
           o ? o : "null", why);
  check(rc == OB_OK && got >= want - tol && got <= want + tol, spec, detail);
  free(o);
  json_decref(obs);
  json_decref(exp);
}

static void expect_skip(const char *spec, const char *needle)
{
  json_t *obs, *exp;
  char why[800];
  int rc = place(spec, &obs, &exp, why, sizeof why);
  check(rc == OB_EUNSUPPORTED && strstr(why, needle) != NULL, spec, why);
  json_decref(obs);
  json_decref(exp);
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    char *again[] = { argv[0], "checks", NULL };
    execv(argv[0], again);
    perror("GUEST: FAIL re-exec");
    reboot(RB_POWER_OFF);
    return 1;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  ob_error err;
  ob_error_clear(&err);
  const ob_topology *t = ob_memtier_topology(&err);
  char d[256];
  snprintf(d, sizeof d, "nodes=%d node1 cpus=%d mempolicy=%d weighted=%d (%s) thp=%s", t ? t->nnodes : -1,
           t ? t->node[1].ncpus : -1, t ? t->mempolicy_ok : -1, t ? t->weighted_ok : -1,
           t ? t->weighted_reason : err.text, t ? t->thp : "?");
  check(t && t->nnodes == 2 && t->node[1].ncpus == 0 && t->node[1].has_memory, "topology: 2 nodes, node 1 CPU-less", d);
  if (t) {
    json_t *tj = ob_topology_json(t);
    char *s = json_dumps(tj, JSON_COMPACT);
    printf("GUEST: topology %s\n", s);
    free(s);
    json_decref(tj);
  }
  expect_on("\"local\"", "params", "0", 1.0, 0.01);
  expect_on("\"node:1\"", "params", "1", 1.0, 0.01);
  expect_on("\"cxl\"", "state", "1", 1.0, 0.01);
  expect_on("\"far\"", "state", "1", 1.0, 0.01);
  expect_on("\"interleave\"", "params", "1", 0.5, 0.03);
  expect_on("\"@states-far\"", "state", "1", 1.0, 0.01);
  expect_on("\"@states-far\"", "params", "0", 1.0, 0.01);
  expect_on("\"@split-75-25\"", "state", "1", 0.25, 0.02);
  expect_on("\"@split-75-25\"", "state", "0", 0.75, 0.02);
  expect_on("\"@split-50-50\"", "state", "1", 0.5, 0.02);
  expect_on("{\"name\": \"s3\", \"state\": {\"split\": {\"node:1\": 0.3, \"local\": 0.7}}}", "state", "1", 0.3, 0.02);
  expect_skip("\"weighted:0=3,1=1\"", "MPOL_WEIGHTED_INTERLEAVE");
  expect_skip("{\"name\": \"c1\", \"cpu\": \"node:1\"}", "node 1 has no CPUs");
  expect_skip("\"node:2\"", "node 2 has no memory");
  printf("GUEST: %d passed, %d failed\n", passed, failed);
  fflush(stdout);
  sync();
  reboot(RB_POWER_OFF);
  return failed ? 1 : 0;
}
