#!/usr/bin/env bash
# cli_compare.sh -- `optbench compare`, end to end, and the project's CI gate.
#
# The gate: the smoke suite runs now and is compared with the committed
# baseline tests/data/compare/baseline-smoke.json with --fail-on convergence,
# so any change of steps, evaluations, success or final gap fails this test
# while timing differences (another machine, a busy CI box) are only reported.
# Then regressions injected into copies of results files (tests/compare_inject.py)
# must give exit 1: more steps, a lost target, a worse final gap, slower step
# times and lower bandwidth across 5 seeds; an improvement, identical inputs,
# a change within a tolerance and a significant but small time change give 0.
# Error cases (66, 65) live in tests/data/invalid/compare-*.
# Refresh the baseline after an intended change of results:
#   optbench run suites/smoke.json -o tests/data/compare/baseline-smoke.json
# Never exits 77 or 99 (automake's SKIP and hard error).
set -u
: "${OPTBENCH:?}" "${top_srcdir:?}"
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
data=$top_srcdir/tests/data/compare
base=$data/baseline-smoke.json
inject() { python3 "$top_srcdir/tests/compare_inject.py" "$@"; }
cmp() { "$OPTBENCH" compare "$@" >"$scratch/out" 2>"$scratch/err"; echo $? >"$scratch/rc"; }
rc() { cat "$scratch/rc"; }

# ---- the CI gate ---------------------------------------------------------------
"$OPTBENCH" run "$top_srcdir/suites/smoke.json" -o "$scratch/smoke.json" --quiet
check "smoke suite runs" "[ $? -eq 0 ]"
cmp "$base" "$scratch/smoke.json" --fail-on convergence
echo "---- optbench compare baseline-smoke.json <fresh smoke run> --fail-on convergence"
cat "$scratch/out" "$scratch/err"
echo "----"
check "smoke run has no convergence regression against the committed baseline (exit $(rc))" "[ $(rc) -eq 0 ]"
check "the gate prints a verdict line" "grep -q '^Result: ' '$scratch/out'"

# ---- identical inputs and JSON output ---------------------------------------------
cmp "$base" "$base"
check "identical inputs exit 0" "[ $(rc) -eq 0 ] && grep -q '^Result: no regression, 0 improved' '$scratch/out'"
check "identical inputs: nothing on stderr" "[ ! -s '$scratch/err' ]"
cmp "$base" "$base" --json --all
check "--json exits 0" "[ $(rc) -eq 0 ]"
python3 - "$scratch/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 1 and d["paired"] == 12 and d["groups"] == 12, d
assert d["counts"]["regressed"] == 0 and d["counts"]["failing"] == 0, d["counts"]
assert all(c["verdict"] in ("same", "weak") for c in d["checks"])
# one seed per group: every time/bandwidth check is weak, never judged
assert all(c["verdict"] == "weak" for c in d["checks"] if c["kind"] != "convergence")
assert {s["metric"] for s in d["summary"]} == {"step_time", "bandwidth", "steps"}
assert all(abs(s["geomean_ratio"] - 1) < 1e-12 for s in d["summary"] if s["groups"])
PY
check "--json: 12 paired groups, no regression, weak single-seed timings, geomean 1" "[ $? -eq 0 ]"

# ---- injected convergence regressions ---------------------------------------------
g=quadratic-d8-cond10/gd-lr0.05
inject "$base" "$scratch/steps.json" steps "$g" 3
cmp "$base" "$scratch/steps.json" --fail-on convergence
check "3 more steps to every target: exit 1" "[ $(rc) -eq 1 ]"
check "the steps regression is named" \
  "grep -q '^| $g/local/t1 | steps to 1e-06 | 132 | 135 | +2.3% | — | \*\*regressed\*\* | 1 of 1 runs need more steps |' '$scratch/out'"
cmp "$base" "$scratch/steps.json" --fail-on convergence --steps-tol 0.2
check "the same within --steps-tol 0.2: exit 0" "[ $(rc) -eq 0 ]"
cmp "$base" "$scratch/steps.json" --fail-on time,bandwidth
check "steps regression with --fail-on time,bandwidth: exit 0, reported as not failing" \
  "[ $(rc) -eq 0 ] && grep -q 'regressed\*\* (not failing)' '$scratch/out'"

inject "$base" "$scratch/unreach.json" unreach "$g"
cmp "$base" "$scratch/unreach.json"
check "lost target (success 100% -> 0%): exit 1" "[ $(rc) -eq 1 ]"
check "success drop reported" "grep -q '| $g/local/t1 | success | 100% (1/1) | 0% (0/1) | -100 pts |' '$scratch/out'"
check "lost target reported" "grep -q 'no longer reach the target' '$scratch/out'"

inject "$base" "$scratch/gap.json" gap "$g" 1.5
cmp "$base" "$scratch/gap.json" --fail-on convergence
check "final gap 1.5x worse: exit 1" "[ $(rc) -eq 1 ] && grep -q '| final gap |.*regressed' '$scratch/out'"
cmp "$base" "$scratch/gap.json" --fail-on convergence --gap-tol 0.6
check "the same within --gap-tol 0.6: exit 0" "[ $(rc) -eq 0 ]"

# ---- an improvement -------------------------------------------------------------------
inject "$base" "$scratch/better.json" steps "$g" -5
cmp "$base" "$scratch/better.json"
check "5 fewer steps: exit 0, improved" "[ $(rc) -eq 0 ] && grep -q '| steps to 1e-06 | 132 | 127 | -3.8% | — | improved |' '$scratch/out'"

# ---- time and bandwidth across 5 seeds ------------------------------------------------
"$OPTBENCH" run "$data/five-seeds.json" -o "$scratch/f5.json" --quiet
check "five-seed suite runs" "[ $? -eq 0 ]"
t=quadratic-d16-cond10/gd-lr0.05
# a baseline without tied times (ties would switch the U test to the normal
# approximation): M, 1.01 M, ..., 1.04 M with M the slowest measured seed
inject "$scratch/f5.json" "$scratch/b5.json" time "$t" 1.0
inject "$scratch/b5.json" "$scratch/slow.json" time "$t" 1.5
cmp "$scratch/b5.json" "$scratch/slow.json" --json
check "1.5x slower steps in 5 of 5 seeds: exit 1" "[ $(rc) -eq 1 ]"
python3 - "$scratch/out" "$t" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [c for c in d["checks"] if c["metric"] == "step_time" and c["group"].startswith(sys.argv[2])]
assert len(rows) == 1, rows
r = rows[0]
# fully separated 5 vs 5 without ties: exact two-sided p = 2 / C(10, 5) = 2/252
assert r["verdict"] == "regressed" and r["fails"] and r["test"] == "exact", r
assert abs(r["p_value"] - 2 / 252) < 1e-12 and r["u"] == 0 and r["n_old"] == 5, r
assert abs(r["change"] - (1.04 * 1.5 * 1.02 / 1.02 - 1)) < 1e-9, r
PY
check "slow steps: U = 0, exact p = 2/252, change +56%" "[ $? -eq 0 ]"
cmp "$scratch/b5.json" "$scratch/slow.json" --fail-on convergence
check "slow steps with --fail-on convergence: exit 0, still reported" \
  "[ $(rc) -eq 0 ] && grep -q '| step time |.*| 0.00794 | \*\*regressed\*\* (not failing)' '$scratch/out'"
inject "$scratch/b5.json" "$scratch/slow-a-bit.json" time "$t" 1.001
cmp "$scratch/b5.json" "$scratch/slow-a-bit.json" --fail-on time
check "4% slower, significant but within the 10% threshold: exit 0" \
  "[ $(rc) -eq 0 ] && grep -q '| step time |.*| 0.00794 | same | significant but within the 10% threshold |' '$scratch/out'"
inject "$scratch/f5.json" "$scratch/lowbw.json" bandwidth "$t" 2
cmp "$scratch/f5.json" "$scratch/lowbw.json" --fail-on bandwidth
check "half the bandwidth in 5 of 5 seeds: exit 1" "[ $(rc) -eq 1 ] && grep -q '| bandwidth |.*\*\*regressed\*\*' '$scratch/out'"
cmp "$base" "$base" --threshold 0.0001 --fail-on time,bandwidth
check "single-seed timings are never a regression" "[ $(rc) -eq 0 ]"

# ---- runs in only one file and the schema version -------------------------------------
cmp "$scratch/f5.json" "$base"
check "no common runs: exit 0, both sides listed" \
  "[ $(rc) -eq 0 ] && grep -q '^Only in the baseline (10, not compared):' '$scratch/out' && grep -q '^Only in the current file (12, not compared):' '$scratch/out'"
inject "$base" "$scratch/v2.json" schema x 2
cmp "$base" "$scratch/v2.json"
check "schema_version 2: exit 65 naming the file" \
  "[ $(rc) -eq 65 ] && grep -q '^optbench: $scratch/v2.json: schema_version: results schema version 2 is not supported' '$scratch/err' && [ ! -s '$scratch/out' ]"
cmp "$base" "$scratch/nothing.json"
check "missing file: exit 66" "[ $(rc) -eq 66 ]"
cmp "$base"
check "one file: usage, exit 64" "[ $(rc) -eq 64 ]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
