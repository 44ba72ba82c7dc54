/* check_memtier.c -- placements: parsing, planning, arenas, verification, bandwidth kernels.
 *
 * Planning is tested against fake sysfs trees under tests/data/sysfs (three
 * nodes with a CPU-less CXL-like node, two sockets, one node), so every rule
 * that needs several nodes is checked on any machine. Real allocation and
 * verification run on this machine's kernel: cases that need a second node
 * log "skipped: single node" and check the skip reason instead. The EPERM
 * path (containers refusing mempolicy calls) is reproduced with a seccomp
 * filter in the forked test process. The bandwidth kernels are validated on
 * small arrays, and validation is shown to catch a corrupted result.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __x86_64__
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/bandwidth.h"
#include "memtier/memtier.h"
#include "tests/testutil.h"

static ob_placement *parse_str(const char *text)
{
  json_error_t je;
  json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
  ck_assert_msg(j != NULL, "bad test JSON %s", text);
  ob_placement *pl = NULL;
  ob_error err;
  ob_error_clear(&err);
  int rc = ob_placement_parse(j, "placements[0]", &pl, &err);
  json_decref(j);
  ck_assert_msg(rc == OB_OK, "%s: %s", text, err.text);
  return pl;
}

static void parse_fails(const char *text, const char *needle)
{
  json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
  ck_assert(j != NULL);
  ob_placement *pl = NULL;
  ob_error err;
  ob_error_clear(&err);
  int rc = ob_placement_parse(j, "p", &pl, &err);
  json_decref(j);
  ck_assert_msg(rc == OB_EINVAL, "%s parsed", text);
  ck_assert_ptr_null(pl);
  ck_assert_msg(strstr(err.text, needle) != NULL, "%s: '%s' lacks '%s'", text, err.text, needle);
}

static void fake(const char *name, ob_topology *t)
{
  char rel[256], path[1024];
  ob_error err;
  ob_error_clear(&err);
  snprintf(rel, sizeof rel, "tests/data/sysfs/%s", name);
  ck_assert_msg(ob_topology_read(ob_test_srcpath(path, sizeof path, rel), t, &err) == OB_OK, "%s", err.text);
}

/* Plans `spec` on t; returns the status, the error text and the plan. */
static int plan(const char *spec, const ob_topology *t, json_t **out, char *why, size_t whysize)
{
  ob_placement *pl = parse_str(spec);
  ob_error err;
  ob_error_clear(&err);
  int rc = ob_placement_plan(pl, t, out, &err);
  snprintf(why, whysize, "%s", err.text);
  ob_placement_free(pl);
  return rc;
}

static double frac(json_t *plan, const char *cls, const char *node)
{
  json_t *v = json_object_get(json_object_get(plan, cls), node);
  return v ? json_number_value(v) : 0.0;
}

/* ---- parsing ----------------------------------------------------------- */

START_TEST(test_parse_forms)
{
  const char *ok[] = { "\"local\"", "\"node:0\"", "\"node:63\"", "\"cxl\"", "\"far\"", "\"interleave\"",
                       "\"interleave:0,1\"", "\"weighted:0=3,1=1\"", "\"@all-local\"", "\"@states-far\"",
                       "{\"name\": \"s\", \"state\": {\"split\": {\"local\": 0.75, \"far\": 0.25}}}",
                       "{\"name\": \"c\", \"cpu\": \"node:1\", \"params\": \"node:1\"}" };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) ob_placement_free(parse_str(ok[i]));

  ob_placement *pl = parse_str("{\"name\": \"c\", \"cpu\": \"node:1\", \"state\": \"far\"}");
  json_t *req = ob_placement_request_json(pl);
  ck_assert_str_eq(json_string_value(json_object_get(req, "cpu")), "node:1");
  ck_assert_str_eq(json_string_value(json_object_get(req, "state")), "far");
  ck_assert_str_eq(json_string_value(json_object_get(req, "params")), "local");
  json_decref(req);
  ob_placement_free(pl);

  pl = parse_str("\"@split-75-25\"");
  ck_assert_str_eq(ob_placement_name(pl), "split-75-25");
  req = ob_placement_request_json(pl);
  ck_assert_str_eq(json_string_value(json_object_get(req, "state")), "split:local=0.75,far=0.25");
  ck_assert_str_eq(json_string_value(json_object_get(req, "cpu")), "local");
  json_decref(req);
  ob_placement_free(pl);
}
END_TEST

START_TEST(test_parse_errors)
{
  parse_fails("\"lokal\"", "did you mean 'local'");
  parse_fails("\"node:1,2\"", "more than one node");
  parse_fails("\"weighted:0=0\"", "weights are integers in [1, 255]");
  parse_fails("\"@states-fra\"", "did you mean '@states-far'");
  parse_fails("\"@nothing-like-it\"", "unknown preset");
  parse_fails("{\"name\": \"x\", \"cpu\": \"cxl\"}", "cpu must be");
  parse_fails("{\"name\": \"x\", \"cpu\": 3}", "cpu must be");
  parse_fails("{\"name\": \"x\", \"state\": {\"split\": {\"local\": 0.5, \"far\": 0.4}}}", "add up to");
  parse_fails("{\"name\": \"x\", \"state\": {\"split\": {\"interleave\": 1}}}", "split targets");
}
END_TEST

START_TEST(test_presets)
{
  const char *const *names = ob_placement_preset_names();
  size_t n = 0;
  for (; names[n]; n++) {
    char spec[80];
    snprintf(spec, sizeof spec, "\"@%s\"", names[n]);
    ob_placement *pl = parse_str(spec);
    ck_assert_str_eq(ob_placement_name(pl), names[n]);   /* a preset keeps its name in cell ids */
    ob_placement_free(pl);
  }
  ck_assert_uint_eq(n, 7);
  json_t *in = json_loads("[\"local\", \"@presets\", \"node:0\"]", 0, NULL);
  json_t *out = ob_placement_expand_presets(in);
  ck_assert_uint_eq(json_array_size(out), 9);
  ck_assert_str_eq(json_string_value(json_array_get(out, 0)), "local");
  ck_assert_str_eq(json_string_value(json_array_get(out, 1)), "@all-local");
  ck_assert_str_eq(json_string_value(json_array_get(out, 7)), "@interleave");
  ck_assert_str_eq(json_string_value(json_array_get(out, 8)), "node:0");
  json_decref(in);
  json_decref(out);
}
END_TEST

/* ---- topology and planning on fake trees ------------------------------ */

START_TEST(test_topology_read)
{
  static ob_topology t;
  fake("three-node-cxl", &t);
  ck_assert_int_eq(t.nnodes, 3);
  ck_assert_int_eq(t.node[0].ncpus, 2);
  ck_assert_int_eq(t.node[1].cpus[1], 3);
  ck_assert_int_eq(t.node[2].ncpus, 0);
  ck_assert_int_eq(t.node[2].mem_total_kb, 16777216);
  ck_assert_int_eq(t.node[0].dist[2], 30);
  ck_assert_int_eq(t.node[1].dist[0], 21);
  ck_assert_str_eq(t.thp, "never");
  ck_assert_int_eq(t.cpu_node, 0);
  ck_assert_int_eq(ob_topology_node_of_cpu(&t, 3), 1);
  ck_assert_int_eq(ob_topology_node_of_cpu(&t, 9), -1);
  json_t *j = ob_topology_json(&t);
  ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(j, "cpu_less_nodes"), 0)), 2);
  ck_assert_uint_eq(json_array_size(json_object_get(j, "cpu_less_nodes")), 1);
  ck_assert_uint_eq(json_array_size(json_object_get(j, "cpu_nodes")), 2);
  json_decref(j);

  char path[1024];
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(ob_topology_read(ob_test_srcpath(path, sizeof path, "tests/data/sysfs/bad-cpulist"), &t, &err), OB_EDATA);
  ck_assert_ptr_nonnull(strstr(err.text, "cannot parse the CPU list"));
  ck_assert_int_eq(ob_topology_read("/nonexistent-root", &t, &err), OB_EUNSUPPORTED);

  int cpus[8];
  ck_assert_int_eq(ob_cpulist_parse("0-2,5", cpus, 8), 4);
  ck_assert_int_eq(cpus[3], 5);
  ck_assert_int_eq(ob_cpulist_parse("", cpus, 8), 0);
  ck_assert_int_eq(ob_cpulist_parse("3-1", cpus, 8), -1);
  ck_assert_int_eq(ob_cpulist_parse("0-9", cpus, 8), -1);
}
END_TEST

START_TEST(test_plan_three_nodes)
{
  static ob_topology t;
  json_t *p;
  char why[800];
  fake("three-node-cxl", &t);

  ck_assert_int_eq(plan("\"node:1\"", &t, &p, why, sizeof why), OB_OK);
  ck_assert_double_eq(frac(p, "params", "1"), 1.0);
  json_decref(p);
  ck_assert_int_eq(plan("\"cxl\"", &t, &p, why, sizeof why), OB_OK);
  ck_assert_double_eq(frac(p, "state", "2"), 1.0);
  json_decref(p);
  /* far = the CPU-less node, even though node 1 is a remote socket */
  ck_assert_int_eq(plan("\"@states-far\"", &t, &p, why, sizeof why), OB_OK);
  ck_assert_double_eq(frac(p, "state", "2"), 1.0);
  ck_assert_double_eq(frac(p, "params", "0"), 1.0);
  json_decref(p);
  ck_assert_int_eq(plan("\"@split-75-25\"", &t, &p, why, sizeof why), OB_OK);
  ck_assert_double_eq_tol(frac(p, "state", "0"), 0.75, 1e-12);
  ck_assert_double_eq_tol(frac(p, "state", "2"), 0.25, 1e-12);
  json_decref(p);
  ck_assert_int_eq(plan("\"interleave\"", &t, &p, why, sizeof why), OB_OK);
  ck_assert_double_eq_tol(frac(p, "data", "1"), 1.0 / 3, 1e-12);
  json_decref(p);
  /* local follows the cpu binding */
  ck_assert_int_eq(plan("{\"name\": \"c1\", \"cpu\": \"node:1\", \"state\": {\"split\": {\"local\": 0.5, \"cxl\": 0.5}}}",
                        &t, &p, why, sizeof why), OB_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(p, "cpu_node")), 1);
  ck_assert_double_eq(frac(p, "params", "1"), 1.0);
  ck_assert_double_eq_tol(frac(p, "state", "1"), 0.5, 1e-12);
  ck_assert_double_eq_tol(frac(p, "state", "2"), 0.5, 1e-12);
  json_decref(p);

  ck_assert_int_eq(plan("{\"name\": \"c2\", \"cpu\": \"node:2\"}", &t, NULL, why, sizeof why), OB_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(why, "node 2 has no CPUs"));
  ck_assert_int_eq(plan("\"node:3\"", &t, NULL, why, sizeof why), OB_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(why, "node 3 has no memory"));

  /* weighted: a fake tree is never probed, so it is unavailable ... */
  ck_assert_int_eq(plan("\"weighted:0=3,2=1\"", &t, NULL, why, sizeof why), OB_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(why, "weighted interleave unavailable"));
  /* ... and with kernel support the weights decide the fractions */
  t.weighted_ok = 1;
  t.node[0].weight_writable = t.node[2].weight_writable = 1;
  ck_assert_int_eq(plan("\"weighted:0=3,2=1\"", &t, &p, why, sizeof why), OB_OK);
  ck_assert_double_eq_tol(frac(p, "grads", "0"), 0.75, 1e-12);
  ck_assert_double_eq_tol(frac(p, "grads", "2"), 0.25, 1e-12);
  json_decref(p);
  /* a weight that cannot be written is a skip with the sysfs path */
  t.node[2].weight_writable = 0;
  ck_assert_int_eq(plan("\"weighted:0=3,2=2\"", &t, NULL, why, sizeof why), OB_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(why, "weighted_interleave/node2 is not writable"));
  /* ... unless it already has the requested value */
  ck_assert_int_eq(plan("\"weighted:0=3,2=1\"", &t, NULL, why, sizeof why), OB_OK);

  /* mempolicy refused: everything but local is skipped with the reason */
  t.mempolicy_ok = 0;
  snprintf(t.mempolicy_reason, sizeof t.mempolicy_reason, "mbind: Operation not permitted");
  ck_assert_int_eq(plan("\"node:0\"", &t, NULL, why, sizeof why), OB_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(why, "not permitted here (mbind: Operation not permitted)"));
  ck_assert_int_eq(plan("\"@all-local\"", &t, NULL, why, sizeof why), OB_OK);
}
END_TEST

START_TEST(test_plan_two_sockets_and_one_node)
{
  static ob_topology t;
  json_t *p;
  char why[800];
  fake("two-socket", &t);
  /* no CPU-less node: cxl is skipped, far is the other socket */
  ck_assert_int_eq(plan("\"cxl\"", &t, NULL, why, sizeof why), OB_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(why, "CPU-less"));
  ck_assert_int_eq(plan("\"@all-far\"", &t, &p, why, sizeof why), OB_OK);
  ck_assert_double_eq(frac(p, "data", "1"), 1.0);
  json_decref(p);
  ck_assert_int_eq(plan("{\"name\": \"r\", \"cpu\": \"node:1\", \"params\": \"far\"}", &t, &p, why, sizeof why), OB_OK);
  ck_assert_double_eq(frac(p, "params", "0"), 1.0);
  json_decref(p);

  fake("one-node", &t);
  const char *skip[] = { "\"@all-far\"", "\"@states-far\"", "\"@params-grads-far\"", "\"@split-75-25\"",
                         "\"@split-50-50\"", "\"cxl\"", "\"node:1\"" };
  for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++) {
    ck_assert_msg(plan(skip[i], &t, NULL, why, sizeof why) == OB_EUNSUPPORTED, "%s planned on one node", skip[i]);
    ck_assert_msg(why[0] != '\0', "%s: no reason", skip[i]);
  }
  ck_assert_int_eq(plan("\"@all-far\"", &t, NULL, why, sizeof why), OB_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(why, "'far' needs a second memory node"));
  ck_assert_int_eq(plan("\"@interleave\"", &t, NULL, why, sizeof why), OB_OK);
  ck_assert_int_eq(plan("\"@all-local\"", &t, NULL, why, sizeof why), OB_OK);
}
END_TEST

/* ---- verification logic with injected samples ------------------------- */

START_TEST(test_check_fractions)
{
  long long seen[OB_MAX_NODES] = { 0 };
  double expect[OB_MAX_NODES] = { 0 };
  char why[256];
  seen[0] = 380; seen[2] = 132;                 /* 74.2% / 25.8% of 512 samples */
  expect[0] = 384; expect[2] = 128;             /* a 75/25 split */
  ck_assert_int_eq(ob_memtier_check_fractions(seen, 512, expect, 0.02, why, sizeof why), 0);
  seen[0] = 440; seen[2] = 72;                  /* 86/14: outside 2 points */
  ck_assert_int_eq(ob_memtier_check_fractions(seen, 512, expect, 0.02, why, sizeof why), -1);
  ck_assert_ptr_nonnull(strstr(why, "node 0 holds 85.9% of the sampled pages, 75.0% were requested"));
  /* pages the kernel reports nowhere (not present) count against the split */
  seen[0] = 300; seen[2] = 100;
  ck_assert_int_eq(ob_memtier_check_fractions(seen, 512, expect, 0.02, why, sizeof why), -1);
  ck_assert_int_eq(ob_memtier_check_fractions(seen, 0, expect, 0.02, why, sizeof why), 0);
}
END_TEST

/* ---- real arenas on this machine -------------------------------------- */

static int arena(const char *spec, size_t n, json_t **observed, json_t **expected, char *why, size_t whysize)
{
  ob_placement *pl = parse_str(spec);
  ob_memtier *m = NULL;
  ob_error err;
  ob_error_clear(&err);
  int rc = ob_memtier_open(pl, &m, &err);
  if (rc == OB_OK) {
    double *x = ob_memtier_alloc(m, OB_MEM_PARAMS, n, &err);
    double *s = x ? ob_memtier_alloc(m, OB_MEM_STATE, n, &err) : NULL;
    rc = s ? ob_memtier_verify(m, &err) : err.code;
    if (s) {
      for (size_t i = 0; i < n; i++) ck_assert(x[i] == 0.0 && s[i] == 0.0);   /* zeroed */
      x[n - 1] = s[n - 1] = 1.0;
    }
    if (observed) *observed = ob_memtier_observed(m);
    if (expected) *expected = ob_memtier_expected(m);
  }
  snprintf(why, whysize, "%s", err.text);
  ob_memtier_close(m);
  ob_placement_free(pl);
  return rc;
}

START_TEST(test_arenas_live)
{
  ob_error err;
  ob_error_clear(&err);
  const ob_topology *t = ob_memtier_topology(&err);
  ck_assert_msg(t != NULL, "%s", err.text);
  char why[800];
  json_t *obs, *exp;
  const size_t n = 1 << 18;                     /* 2 MiB per vector: 512 pages */
  char node[16];
  snprintf(node, sizeof node, "%d", t->cpu_node);

  const char *always[] = { "\"local\"", "\"node:0\"", "\"interleave\"", "\"@all-local\"", "\"@interleave\"",
                           "{\"name\": \"s\", \"cpu\": \"node:0\", \"state\": {\"split\": {\"local\": 0.5, \"node:0\": 0.5}}}" };
  for (size_t i = 0; i < sizeof always / sizeof always[0]; i++) {
    if (!t->mempolicy_ok && i > 0 && i != 3) continue;
    obs = exp = NULL;
    ck_assert_msg(arena(always[i], n, &obs, &exp, why, sizeof why) == OB_OK, "%s: %s", always[i], why);
    if (t->nnodes == 1) {
      ck_assert_double_eq(json_number_value(json_object_get(json_object_get(obs, "params"), "0")), 1.0);
      ck_assert_double_eq(json_number_value(json_object_get(json_object_get(obs, "state"), "0")), 1.0);
      ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(exp, "state"), "0")), 1.0, 1e-12);
    }
    ck_assert_ptr_nonnull(json_object_get(exp, "cpu_node"));
    json_decref(obs);
    json_decref(exp);
  }
  if (t->weighted_ok && t->mempolicy_ok) {
    int w = t->node[0].weight;
    ck_assert_msg(arena("\"weighted:0=2\"", n, NULL, NULL, why, sizeof why) == OB_OK, "weighted: %s", why);
    ob_topology again;
    ck_assert_int_eq(ob_topology_read("/sys", &again, &err), OB_OK);
    ck_assert_int_eq(again.node[0].weight, w);   /* the sysfs weight is put back */
  } else {
    ck_assert_int_eq(arena("\"weighted:0=2\"", n, NULL, NULL, why, sizeof why), OB_EUNSUPPORTED);
    fprintf(stderr, "check_memtier: weighted skipped as expected: %s\n", why);
  }
  if (t->max_node == 0) {
    fprintf(stderr, "check_memtier: skipped: single node (checking the skip reasons instead)\n");
    ck_assert_int_eq(arena("\"node:1\"", n, NULL, NULL, why, sizeof why), OB_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(why, "node 1 has no memory this process may use"));
    ck_assert_int_eq(arena("\"cxl\"", n, NULL, NULL, why, sizeof why), OB_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(why, "CPU-less"));
    ck_assert_int_eq(arena("\"@split-75-25\"", n, NULL, NULL, why, sizeof why), OB_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(why, "'far' needs a second memory node"));
    ck_assert_int_eq(arena("{\"name\": \"c\", \"cpu\": \"node:1\"}", n, NULL, NULL, why, sizeof why), OB_EUNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(why, "node 1 has no CPUs"));
  } else {
    /* several nodes: a 75/25 split must land within the documented tolerance */
    ck_assert_msg(arena("\"@split-75-25\"", n, &obs, NULL, why, sizeof why) == OB_OK, "split: %s", why);
    json_decref(obs);
    ck_assert_msg(arena("\"node:1\"", n, &obs, NULL, why, sizeof why) == OB_OK, "node:1: %s", why);
    ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(obs, "params"), "1")), 1.0, 0.01);
    json_decref(obs);
  }
}
END_TEST

START_TEST(test_thread_binding_restored)
{
  cpu_set_t before, after;
  ck_assert_int_eq(sched_getaffinity(0, sizeof before, &before), 0);
  char why[800];
  ck_assert_msg(arena("{\"name\": \"b\", \"cpu\": \"node:0\"}", 1 << 16, NULL, NULL, why, sizeof why) == OB_OK, "%s", why);
  ck_assert_int_eq(sched_getaffinity(0, sizeof after, &after), 0);
  ck_assert(CPU_EQUAL(&before, &after));
}
END_TEST

#ifdef __x86_64__
/* Makes mbind, set_mempolicy, get_mempolicy and move_pages fail with EPERM in
 * this (forked) test process, as Docker's default profile does without
 * CAP_SYS_NICE. */
static int refuse_mempolicy(void)
{
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mbind, 4, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_set_mempolicy, 3, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_get_mempolicy, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_move_pages, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
  };
  struct sock_fprog prog = { (unsigned short)(sizeof f / sizeof f[0]), f };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}
#endif

START_TEST(test_mempolicy_refused)
{
#ifdef __x86_64__
  const char *fork_env = getenv("CK_FORK");
  if (fork_env && strcmp(fork_env, "no") == 0) {
    fprintf(stderr, "check_memtier: EPERM test skipped: CK_FORK=no would filter the whole runner\n");
    return;
  }
#ifdef _OPENMP
  omp_set_num_threads(1);
#endif
  ck_assert_msg(refuse_mempolicy() == 0, "seccomp: %s", strerror(errno));
  static ob_topology t;
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(ob_topology_read("/sys", &t, &err), OB_OK);
  ck_assert_int_eq(ob_topology_probe(&t), OB_OK);
  ck_assert_int_eq(t.mempolicy_ok, 0);
  ck_assert_ptr_nonnull(strstr(t.mempolicy_reason, "Operation not permitted"));
  ck_assert_int_eq(t.weighted_ok, 0);
  ob_memtier_set_topology(&t);
  char why[800];
  json_t *obs = NULL;
  ck_assert_int_eq(arena("\"node:0\"", 1 << 16, NULL, NULL, why, sizeof why), OB_EUNSUPPORTED);
  ck_assert_ptr_nonnull(strstr(why, "not permitted here"));
  ck_assert_int_eq(arena("\"@interleave\"", 1 << 16, NULL, NULL, why, sizeof why), OB_EUNSUPPORTED);
  /* all-local still runs; move_pages is refused, so observed is null, never "node 0" */
  ck_assert_msg(arena("\"local\"", 1 << 16, &obs, NULL, why, sizeof why) == OB_OK, "%s", why);
  ck_assert(json_is_null(json_object_get(obs, "params")));
  json_decref(obs);
  ob_memtier_set_topology(NULL);
#else
  fprintf(stderr, "check_memtier: EPERM test skipped: the seccomp filter is written for x86-64\n");
#endif
}
END_TEST

/* ---- bandwidth kernels ------------------------------------------------ */

START_TEST(test_bandwidth_kernels)
{
  const size_t n = 10007;                        /* odd: exercises loop tails */
  double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
  ob_bw_timing tm[OB_BW_NKERNELS];
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(ob_bw_kernels(a, b, c, n, 3, tm, &err), OB_OK);
  for (int k = 0; k < OB_BW_NKERNELS; k++) {
    ck_assert(tm[k].best_s > 0 && tm[k].best_s <= tm[k].avg_s * (1 + 1e-12) && tm[k].avg_s <= tm[k].max_s * (1 + 1e-12));
    ck_assert_double_eq(tm[k].bytes, ob_bw_kernel_bytes(k) * (double)n);
  }
  ck_assert_double_eq(ob_bw_kernel_bytes(OB_BW_TRIAD), 24);
  ck_assert_double_eq(ob_bw_kernel_bytes(OB_BW_COPY), 16);
  ck_assert_str_eq(ob_bw_kernel_name(OB_BW_SUM), "sum");
  /* 4 iterations: a = 15^4 */
  ck_assert_double_eq(a[17], 50625.0);
  ck_assert_int_eq(ob_bw_validate(a, b, c, n, 4, 50625.0 * (double)n, &err), OB_OK);
  /* a corrupted element, a wrong iteration count and a wrong sum are caught */
  c[5] += 1e4 * c[5];
  ck_assert_int_eq(ob_bw_validate(a, b, c, n, 4, 50625.0 * (double)n, &err), OB_ENUMERIC);
  ck_assert_ptr_nonnull(strstr(err.text, "array c"));
  c[5] = c[6];
  ck_assert_int_eq(ob_bw_validate(a, b, c, n, 3, 3375.0 * (double)n, &err), OB_ENUMERIC);
  ck_assert_int_eq(ob_bw_validate(a, b, c, n, 4, 50625.0 * (double)n * 1.001, &err), OB_ENUMERIC);
  ck_assert_ptr_nonnull(strstr(err.text, "sum"));
  ck_assert_int_eq(ob_bw_kernels(a, b, c, n, 0, tm, &err), OB_EINVAL);
  ck_assert_int_eq(ob_bw_kernels(a, b, c, n, OB_BW_MAX_REPS + 1, tm, &err), OB_EINVAL);
  free(a);
  free(b);
  free(c);

  size_t bytes = 1 << 20;
  void *buf = malloc(bytes);
  double ns = ob_bw_latency_ns(buf, bytes, 1 << 16, 7);
  ck_assert_msg(ns > 0 && ns < 1e6, "latency %g ns", ns);
  ck_assert(ob_bw_latency_ns(buf, 64, 10, 7) < 0);
  free(buf);

  char path[1024];
  ck_assert_uint_eq(ob_bw_llc_bytes(ob_test_srcpath(path, sizeof path, "tests/data/sysfs/three-node-cxl")), 32u << 20);
  ck_assert_uint_eq(ob_bw_llc_bytes("/nonexistent-root"), 0);
}
END_TEST

static Suite *make_memtier_suite(void)
{
  Suite *s = suite_create("memtier");
  TCase *tc = tcase_create("parse");
  tcase_add_test(tc, test_parse_forms);
  tcase_add_test(tc, test_parse_errors);
  tcase_add_test(tc, test_presets);
  suite_add_tcase(s, tc);
  tc = tcase_create("plan");
  tcase_add_test(tc, test_topology_read);
  tcase_add_test(tc, test_plan_three_nodes);
  tcase_add_test(tc, test_plan_two_sockets_and_one_node);
  tcase_add_test(tc, test_check_fractions);
  suite_add_tcase(s, tc);
  tc = tcase_create("live");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_arenas_live);
  tcase_add_test(tc, test_thread_binding_restored);
  tcase_add_test(tc, test_mempolicy_refused);
  suite_add_tcase(s, tc);
  tc = tcase_create("bandwidth");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_bandwidth_kernels);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_memtier_suite());
}
