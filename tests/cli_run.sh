#!/usr/bin/env bash
# cli_run.sh -- end-to-end runs of the command-line tool.
#
# Runs the smoke suite and checks the exit code, the printed summary, that the
# journal is gone, and that the results file (and every shipped suite) is
# valid against the JSON Schemas in docs/schema. Also covers the default
# output path, --filter, --threads, --quiet and `run` without a suite.
# Never exits 77 or 99 (automake's SKIP and hard error).
set -u
: "${OPTBENCH:?}" "${top_srcdir:?}"
top_srcdir=$(cd "$top_srcdir" && pwd)   # the tests change directory
pass=0 fail=0
ok() { echo "ok $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
schema_dir="$top_srcdir/docs/schema"
validate() { python3 "$top_srcdir/tests/validate_schema.py" "$@" >"$scratch/schema.out" 2>&1; }

# 1. a full run with -o
"$OPTBENCH" run "$top_srcdir/suites/smoke.json" -o "$scratch/r.json" >"$scratch/out" 2>"$scratch/err"
rc=$?
check "smoke run exits 0" "[ $rc -eq 0 ]"
check "smoke run prints the results path" "grep -q '^results: $scratch/r.json\$' '$scratch/out'"
check "smoke run prints a status summary" "grep -q '^12 runs:' '$scratch/out'"
check "smoke run writes nothing to stderr" "[ ! -s '$scratch/err' ]"
check "journal removed after success" "[ ! -e '$scratch/r.json.journal' ]"
check "results file has 12 runs" "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(len(d[\"runs\"]) != 12)' '$scratch/r.json'"
check "results file is valid against results.schema.json" "validate '$schema_dir/results.schema.json' '$scratch/r.json'"
[ -s "$scratch/schema.out" ] && grep -v '^ok ' "$scratch/schema.out"
check "shipped suites are valid against suite.schema.json" "validate '$schema_dir/suite.schema.json' '$top_srcdir'/suites/*.json"
check "suite schema names every registered problem and optimizer type" "\"\$OPTBENCH\" list --json >'$scratch/list.json' && python3 -c '
import json, sys
schema = json.load(open(sys.argv[1]))[\"\$defs\"]
names = json.load(open(sys.argv[2]))
for kind, key in ((\"problems\", \"problem_type\"), (\"optimizers\", \"optimizer_type\")):
    reg = sorted(x[\"name\"] for x in names[kind])
    if sorted(schema[key][\"enum\"]) != reg:
        sys.exit(\"schema %s enum differs from the registry: %s\" % (key, sorted(set(reg) ^ set(schema[key][\"enum\"]))))
' '$schema_dir/suite.schema.json' '$scratch/list.json'"
check "no NaN or Infinity in the results" "! grep -Eq 'NaN|Infinity' '$scratch/r.json'"

# 2. default output path under results/, --filter, --threads, --quiet
( cd "$scratch" && "$OPTBENCH" run "$top_srcdir/suites/smoke.json" --filter 'rosenbrock-*/adam-*' --threads 2 --quiet >"$scratch/q.out" 2>&1 )
rc=$?
check "filtered quiet run exits 0" "[ $rc -eq 0 ]"
check "--quiet prints nothing" "[ ! -s '$scratch/q.out' ]"
f=$(find "$scratch/results" -name 'smoke-*.json' 2>/dev/null | head -n 1)
check "default output is results/smoke-<UTC time>.json" "[ -n '$f' ] && echo '$f' | grep -Eq 'smoke-[0-9]{8}T[0-9]{6}Z\\.json\$'"
check "--filter and --threads select one t2 cell" "[ -n '$f' ] && python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[\"runs\"]; sys.exit(not (len(r)==1 and r[0][\"id\"]==\"rosenbrock-d2/adam-lr0.05/local/t2/s0\" and r[0][\"threads\"]==2))' '$f'"

# 3. run without a suite uses the installed default suite (a filtered slice of it)
"$OPTBENCH" run --filter 'rastrigin-*/gd-*/local/t1/s0' -o "$scratch/d.json" >"$scratch/d.out" 2>&1
rc=$?
check "run without a suite runs the default suite" "[ $rc -eq 0 ] && grep -q '^1 runs:' '$scratch/d.out'"
check "default suite's results are schema-valid" "validate '$schema_dir/results.schema.json' '$scratch/d.json'"
# bilevel runs carry evals.bilevel; sequence runs carry final.sequence
"$OPTBENCH" run "$top_srcdir/suites/bilevel.json" --filter 'bilevel_quadratic-*/aid_cg-*' -o "$scratch/b.json" --quiet
check "bilevel results (evals.bilevel) are schema-valid" \
  "[ \$? -eq 0 ] && validate '$schema_dir/results.schema.json' '$scratch/b.json' && grep -q '\"hyy\"' '$scratch/b.json'"

# 4. an existing results file is replaced only on success
echo '{"keep": true}' >"$scratch/keep.json"
"$OPTBENCH" run "$top_srcdir/suites/smoke.json" --filter 'nomatch' -o "$scratch/keep.json" >/dev/null 2>&1
check "a failed run leaves an existing output alone" "grep -q keep '$scratch/keep.json'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
