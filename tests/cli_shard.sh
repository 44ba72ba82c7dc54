#!/usr/bin/env bash
# cli_shard.sh -- `run --shard I/N` and `merge`, end to end.
#
# Three shards of a deterministic suite (step budgets only) run separately and
# merged equal one full run except timings; merging results of different
# suites fails with 65 naming both files; --shard composes with --filter and
# --resume; an empty shard is a valid, empty results file.
# Never exits 77 or 99 (automake's SKIP and hard error).
set -u
: "${OPTBENCH:?}" "${top_srcdir:?}"
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/suite.json" <<'JSON'
{
  "name": "shards",
  "seeds": [0, 1, 2],
  "budget": {"max_steps": 300},
  "problems": [{"type": "rosenbrock", "dim": [2, 40]}, {"type": "quadratic", "dim": 10}],
  "optimizers": [{"type": "gd", "lr": 1e-3}, {"type": "adam", "lr": [1e-2, 1e-3]}]
}
JSON
sed 's/"max_steps": 300/"max_steps": 301/' "$scratch/suite.json" >"$scratch/other.json"

"$OPTBENCH" run "$scratch/suite.json" -o "$scratch/full.json" --quiet
check "full run exits 0" "[ $? -eq 0 ]"
for i in 1 2 3; do
  "$OPTBENCH" run "$scratch/suite.json" --shard $i/3 -o "$scratch/p$i.json" --quiet
  check "shard $i/3 exits 0" "[ $? -eq 0 ]"
done
python3 - "$scratch" <<'PY'
import json, sys
d = sys.argv[1]
full = [r["id"] for r in json.load(open(d + "/full.json"))["runs"]]
seen = []
for i in (1, 2, 3):
    doc = json.load(open("%s/p%d.json" % (d, i)))
    sh = doc["shard"]
    assert sh["index"] == i and sh["count"] == 3, sh
    ids = [r["id"] for r in doc["runs"]]
    assert ids == sh["cells"], "shard.cells lists the shard's runs"
    assert ids, "shard %d is empty" % i
    seen += ids
assert sorted(seen) == sorted(full), "every cell in exactly one shard"
PY
check "shards partition the cells and record them in \"shard\"" "[ $? -eq 0 ]"

"$OPTBENCH" merge "$scratch/p3.json" "$scratch/p1.json" "$scratch/p2.json" -o "$scratch/all.json" >"$scratch/m.out" 2>"$scratch/m.err"
check "merge exits 0" "[ $? -eq 0 ]"
check "merge prints the count and the path" "grep -q '^27 runs of 27 cells from 3 files' '$scratch/m.out' && grep -q '^results: ' '$scratch/m.out'"
check "merge of all shards warns about nothing" "[ ! -s '$scratch/m.err' ]"
python3 "$top_srcdir/tests/validate_schema.py" "$top_srcdir/docs/schema/results.schema.json" "$scratch/all.json" "$scratch/p1.json" >"$scratch/schema.out" 2>&1
check "merged and shard results are schema-valid" "[ $? -eq 0 ]"
python3 - "$scratch/full.json" "$scratch/all.json" <<'PY'
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
a = json.load(open(sys.argv[1]))
b = json.load(open(sys.argv[2]))
assert a["suite"] == b["suite"]
assert [r["id"] for r in a["runs"]] == [r["id"] for r in b["runs"]], "run ids or order differ"
for x, y in zip(a["runs"], b["runs"]):
    assert strip(x) == strip(y), "run %s differs" % x["id"]
parts = b["context"]["parts"]
assert [p["shard"]["index"] for p in parts] == [3, 1, 2]
assert b["context"]["merge"]["missing"] == 0
PY
check "merged shards equal the full run except timings" "[ $? -eq 0 ]"

"$OPTBENCH" merge "$scratch/p1.json" "$scratch/p2.json" -o "$scratch/two.json" >/dev/null 2>"$scratch/miss.err"
check "merge with a shard missing exits 0" "[ $? -eq 0 ]"
check "missing cells are warned about" "grep -q 'warning: [0-9]* of 27 cells are in none of the inputs' '$scratch/miss.err'"

"$OPTBENCH" run "$scratch/other.json" --shard 1/3 -o "$scratch/o1.json" --quiet
"$OPTBENCH" merge "$scratch/p1.json" "$scratch/o1.json" -o "$scratch/bad.json" 2>"$scratch/bad.err"
check "merge of different suites exits 65" "[ $? -eq 65 ]"
check "the error names both files" "grep -q '$scratch/o1.json' '$scratch/bad.err' && grep -q '$scratch/p1.json' '$scratch/bad.err'"
check "no output after a failed merge" "[ ! -e '$scratch/bad.json' ]"

# --shard with --filter: the intersection
"$OPTBENCH" run "$scratch/suite.json" --shard 2/3 --filter '*/adam-*' -o "$scratch/f.json" --quiet
check "--shard with --filter exits 0" "[ $? -eq 0 ]"
python3 -c '
import json, sys
f = json.load(open(sys.argv[1])); p = json.load(open(sys.argv[2]))
want = [i for i in p["shard"]["cells"] if "/adam-" in i]
assert [r["id"] for r in f["runs"]] == want and f["shard"]["cells"] == want
' "$scratch/f.json" "$scratch/p2.json"
check "--shard with --filter runs the shard's matching cells" "[ $? -eq 0 ]"

# --shard with --resume: an interrupted shard continues where it stopped
cat >"$scratch/slow.json" <<'JSON'
{
  "name": "slow",
  "seeds": [0, 1, 2, 3, 4, 5, 6, 7],
  "budget": {"max_steps": 1500},
  "problems": [{"type": "rosenbrock", "dim": 20000}],
  "optimizers": [{"type": "gd", "lr": 1e-4}, {"type": "adam", "lr": 1e-3}]
}
JSON
"$OPTBENCH" run "$scratch/slow.json" --shard 1/2 -o "$scratch/r.json" --quiet 2>/dev/null &
pid=$!
for _ in $(seq 1 600); do
  n=$(wc -l 2>/dev/null <"$scratch/r.json.journal" || echo 0)
  [ "$n" -ge 3 ] && break
  sleep 0.05
done
kill -INT "$pid"
wait "$pid"
check "an interrupted shard exits 130" "[ $? -eq 130 ]"
"$OPTBENCH" run "$scratch/slow.json" --shard 1/2 -o "$scratch/r.json" --resume >"$scratch/r.out" 2>&1
check "--shard with --resume exits 0" "[ $? -eq 0 ]"
check "--resume took runs from the journal" "grep -q 'taken from the journal' '$scratch/r.out'"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["shard"]["index"] == 1 and d["shard"]["count"] == 2
assert [r["id"] for r in d["runs"]] == d["shard"]["cells"] and len(d["runs"]) == 8
' "$scratch/r.json"
check "--shard with --resume completes the shard" "[ $? -eq 0 ]"

# more shards than cells: the extra shards are empty, valid results
"$OPTBENCH" run "$scratch/suite.json" --shard 40/40 -o "$scratch/e.json" --quiet
check "an empty shard exits 0" "[ $? -eq 0 ]"
check "an empty shard has no runs" "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d[\"runs\"] != [] or d[\"shard\"][\"cells\"] != [])' '$scratch/e.json'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
