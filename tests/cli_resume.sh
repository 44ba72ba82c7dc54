#!/usr/bin/env bash
# cli_resume.sh -- SIGINT, then --resume: no finished run is lost, and the
# resumed results equal an uninterrupted run's except for timings.
#
# The suite is deterministic (step budgets only, no time budget), so every
# field but the timing ones must match exactly.
set -u
: "${OPTBENCH:?}" "${top_srcdir:?}"
top_srcdir=$(cd "$top_srcdir" && pwd)   # the tests change directory
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/suite.json" <<'JSON'
{
  "name": "resume",
  "seeds": [0, 1, 2, 3, 4, 5, 6, 7],
  "budget": {"max_steps": 1500},
  "problems": [{"type": "rosenbrock", "dim": 20000}],
  "optimizers": [{"type": "gd", "lr": 1e-4}, {"type": "adam", "lr": 1e-3}]
}
JSON

"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/full.json" --quiet
check "uninterrupted run exits 0" "[ $? -eq 0 ]"

"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/part.json" --quiet 2>"$scratch/int.err" &
pid=$!
# wait until at least two runs are journaled, then interrupt
for _ in $(seq 1 600); do
  n=$(wc -l <"$scratch/part.json.journal" 2>/dev/null || echo 0)
  [ "$n" -ge 3 ] && break
  sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
check "SIGINT exits 130" "[ $rc -eq 130 ]"
check "no results file after an interrupt" "[ ! -e '$scratch/part.json' ]"
check "journal kept after an interrupt" "[ -s '$scratch/part.json.journal' ]"
check "interrupt message tells how to resume" "grep -q -- '--resume' '$scratch/int.err'"
kept=$(( $(wc -l <"$scratch/part.json.journal") - 1 ))
check "finished runs are journaled ($kept)" "[ $kept -ge 2 ] && [ $kept -lt 16 ]"

"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/part.json" --resume >"$scratch/res.out" 2>&1
rc=$?
check "resume exits 0" "[ $rc -eq 0 ]"
check "resume reports runs taken from the journal" "grep -q 'taken from the journal' '$scratch/res.out'"
check "journal removed after the resumed run" "[ ! -e '$scratch/part.json.journal' ]"
"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/part.json" --resume >/dev/null 2>"$scratch/nores.err"
check "resume without a journal is an error (66)" "[ $? -eq 66 ]"

python3 - "$scratch/full.json" "$scratch/part.json" <<'PY'
import json, sys
def strip(run):
    run = json.loads(json.dumps(run))
    for k in ("time", "placement"):
        run.pop(k, None)
    run["memory"].pop("bandwidth_gbs", None)
    run["trace"].pop("seconds", None)
    for t in run["targets"]:
        t.pop("seconds", None)
    return run
a = json.load(open(sys.argv[1]))["runs"]
b = json.load(open(sys.argv[2]))["runs"]
assert [r["id"] for r in a] == [r["id"] for r in b], "run ids or order differ"
for x, y in zip(a, b):
    assert strip(x) == strip(y), "run %s differs" % x["id"]
print("resumed results equal the uninterrupted run's (%d runs)" % len(a))
PY
check "resumed results equal uninterrupted results except timings" "[ $? -eq 0 ]"

# run --seeds LIST: the results record the seeds that ran; a journal written
# with one seed list is refused without it and resumes with it
"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/seeds.json" --seeds 2-5 --quiet 2>/dev/null &
pid=$!
for _ in $(seq 1 600); do
  n=$( { wc -l <"$scratch/seeds.json.journal"; } 2>/dev/null || echo 0)
  [ "$n" -ge 2 ] && break
  sleep 0.05
done
kill -INT "$pid"
wait "$pid"
check "--seeds run interrupted (130)" "[ $? -eq 130 ]"
"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/seeds.json" --resume >/dev/null 2>"$scratch/seeds.err"
rc=$?
check "resuming a --seeds journal without --seeds is refused (65)" "[ $rc -eq 65 ]"
check "the refusal names the different suite" "grep -q 'different suite' '$scratch/seeds.err'"
"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/seeds.json" --seeds 2-5 --resume >/dev/null 2>&1
check "resuming with the same --seeds exits 0" "[ $? -eq 0 ]"
python3 - "$scratch/seeds.json" "$scratch/full.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
full = {r["id"]: r for r in json.load(open(sys.argv[2]))["runs"]}
assert d["suite"]["seeds"] == [2, 3, 4, 5], d["suite"]["seeds"]
assert sorted({r["seed"] for r in d["runs"]}) == [2, 3, 4, 5]
assert len(d["runs"]) == 8, len(d["runs"])
for r in d["runs"]:   # the same cells as in the uninterrupted 8-seed run
    assert r["final"] == full[r["id"]]["final"], r["id"]
PY
check "--seeds 2-5 records seeds 2 to 5 and reproduces those cells" "[ $? -eq 0 ]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
