#!/usr/bin/env bash
# cli_mpi.sh -- `optbench run` under mpirun (built with --with-mpi only).
#
# Runs a small deterministic suite (step budgets only) with 2 and 3 ranks and
# compares every run with a single-process run, field by field except
# timings; checks the context lists every rank; kills a worker rank and
# checks that the journal keeps finished runs and --resume completes the
# suite. Part of `make check` only in a --with-mpi build. Never exits 77 or 99.
set -u
: "${OPTBENCH:?}" "${top_srcdir:?}"
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
mpi() { timeout 300 mpirun --oversubscribe --allow-run-as-root -n "$@"; }
export OMPI_MCA_rmaps_base_oversubscribe=1

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/suite.json" <<'JSON'
{
  "name": "mpi",
  "seeds": [0, 1, 2],
  "budget": {"max_steps": 400},
  "problems": [{"type": "rosenbrock", "dim": [2, 200]}, {"type": "quadratic", "dim": 30}],
  "optimizers": [{"type": "gd", "lr": 1e-3}, {"type": "adam", "lr": [1e-2, 1e-3]}]
}
JSON
compare() {   # compare FULL OTHER NRANKS
  python3 - "$@" <<'PY'
import json, sys
def strip(run):
    run = json.loads(json.dumps(run))
    run.pop("time", None)
    run["placement"].pop("observed", None)
    run["memory"].pop("bandwidth_gbs", None)
    run["trace"].pop("seconds", None)
    for t in run["targets"]:
        t.pop("seconds", None)
    return run
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); n = int(sys.argv[3])
assert a["suite"] == b["suite"]
assert [r["id"] for r in a["runs"]] == [r["id"] for r in b["runs"]], "run ids or order differ"
for x, y in zip(a["runs"], b["runs"]):
    assert strip(x) == strip(y), "run %s differs" % x["id"]
m = b["context"]["mpi"]
assert m["size"] == n and [r["rank"] for r in m["ranks"]] == list(range(n)), m
assert sum(r["cells"] for r in m["ranks"]) == len(b["runs"]), m
assert all(r["host"] for r in m["ranks"])
PY
}

"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/single.json" --quiet
check "single-process run exits 0" "[ $? -eq 0 ]"
for n in 2 3; do
  mpi "$n" "$OPTBENCH" run "$scratch/suite.json" -o "$scratch/r$n.json" >"$scratch/r$n.out" 2>"$scratch/r$n.err"
  check "mpirun -n $n exits 0" "[ $? -eq 0 ]"
  check "mpirun -n $n prints one summary" "[ \$(grep -c '^results: ' '$scratch/r$n.out') -eq 1 ]"
  check "mpirun -n $n removes the journal" "[ ! -e '$scratch/r$n.json.journal' ]"
  compare "$scratch/single.json" "$scratch/r$n.json" "$n"
  check "mpirun -n $n equals the single-process run except timings; context.mpi lists $n ranks" "[ $? -eq 0 ]"
done
python3 "$top_srcdir/tests/validate_schema.py" "$top_srcdir/docs/schema/results.schema.json" "$scratch/r3.json" >/dev/null 2>&1
check "MPI results are schema-valid" "[ $? -eq 0 ]"

# A worker dies: Open MPI 4.1 ends the job; the journal keeps finished runs
# and --resume (here with 2 ranks) completes the suite.
cat >"$scratch/slow.json" <<'JSON'
{
  "name": "slow",
  "seeds": [0, 1, 2, 3, 4, 5],
  "budget": {"max_steps": 1500},
  "problems": [{"type": "rosenbrock", "dim": 20000}],
  "optimizers": [{"type": "gd", "lr": 1e-4}, {"type": "adam", "lr": 1e-3}]
}
JSON
mpi 2 "$OPTBENCH" run "$scratch/slow.json" -o "$scratch/k.json" --quiet >/dev/null 2>&1 &
mpid=$!
for _ in $(seq 1 600); do
  n=$(wc -l 2>/dev/null <"$scratch/k.json.journal" || echo 0)
  [ "$n" -ge 3 ] && break
  sleep 0.05
done
worker=
for p in $(pgrep -f "optbench run $scratch/slow.json" 2>/dev/null); do
  [ "$(cat /proc/"$p"/environ 2>/dev/null | tr '\0' '\n' | grep -c '^OMPI_COMM_WORLD_RANK=1$')" -eq 1 ] && worker=$p
done
[ -n "$worker" ] && kill -KILL "$worker"
wait "$mpid"
rc=$?
check "killing a worker ends the job with an error" "[ $rc -ne 0 ]"
check "no results file after a worker died" "[ ! -e '$scratch/k.json' ]"
kept=$(( $(wc -l <"$scratch/k.json.journal") - 1 ))
check "finished runs are journaled ($kept)" "[ $kept -ge 2 ]"
mpi 2 "$OPTBENCH" run "$scratch/slow.json" -o "$scratch/k.json" --resume >"$scratch/k.out" 2>&1
check "--resume under mpirun completes the suite" "[ $? -eq 0 ] && grep -q 'taken from the journal' '$scratch/k.out'"
check "resumed MPI results hold every cell" "python3 -c 'import json,sys; sys.exit(len(json.load(open(sys.argv[1]))[\"runs\"]) != 12)' '$scratch/k.json'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
