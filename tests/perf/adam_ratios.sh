#!/bin/sh
# adam_ratios.sh -- issue 7's three step-throughput ratios, measured side by side
# in one session (a benchmark, not a unit test: not in TESTS).
#
# usage: tests/perf/adam_ratios.sh [BUILD_DIR] (default: the current directory)
# environment: N (coordinates, default 10000000), REPS (repetitions, default 5),
#              THREADS (default "1 2"), STEPS (optbench Adam steps per run, default 30),
#              PYTHON (default /usr/bin/python3, which must import torch: Debian's python3-torch)
#
# Each repetition runs, for every thread count T and in this order, interleaved:
#   adam  optbench run of adam on a diagonal quadratic of N coordinates, placement
#         local, T threads, STEPS steps: memory.bandwidth_gbs (56 bytes per
#         coordinate / median update time);
#   twin  tests/perf/adam_twin.c (compiled here with the build's CFLAGS, AM_CFLAGS'
#         -std=c11 -fno-math-errno and OPENMP_CFLAGS): the same 7 x 8-byte loads and
#         stores with trivial arithmetic, median of STEPS passes;
#   triad optbench bandwidth --threads T: kernels.triad["local/tT"] (best of 5);
#   torch torch.optim.Adam (defaults, float64, one parameter of N coordinates,
#         torch.set_num_threads(T)), median time of STEPS opt.step() calls
#         (gradient set once; only step() is timed), as 56 N / t GB/s.
# It prints every figure and, per thread count, the medians over the repetitions
# and the ratios adam/twin (target >= 0.9), adam/triad (>= 0.8) and
# adam/torch (= torch step time / optbench update time, target >= 3).
# Exit status: 0 when everything ran (whether or not targets are met), 1 on a failure.
set -eu

B=${1:-.}
B=$(cd "$B" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
N=${N:-10000000}
REPS=${REPS:-5}
THREADS=${THREADS:-"1 2"}
STEPS=${STEPS:-30}
PYTHON=${PYTHON:-/usr/bin/python3}
OB="$B/optbench"
[ -x "$OB" ] || { echo "adam_ratios: no $OB (build first)" >&2; exit 1; }
"$PYTHON" -c 'import torch' 2>/dev/null || { echo "adam_ratios: $PYTHON cannot import torch (apt-get install python3-torch)" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/adam_ratios.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

mkvar() { sed -n "s/^$1 = //p" "$B/Makefile" | head -n 1; }
CC=$(mkvar CC); CFLAGS=$(mkvar CFLAGS); OMPF=$(mkvar OPENMP_CFLAGS)
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -fno-math-errno ${CFLAGS} ${OMPF} -o "$W/adam_twin" "$HERE/adam_twin.c" -lm

for T in $THREADS; do
  cat > "$W/suite-t$T.json" <<JSON
{"schema_version": 1, "name": "adam-ratio-t$T", "seeds": [0],
 "budget": {"max_steps": $STEPS}, "targets": {"f_gap": [1e-8], "stop": false},
 "trace": {"points": 2}, "threads": [$T],
 "problems": [{"type": "quadratic", "dim": $N, "condition": 10, "rotate": false}],
 "optimizers": [{"type": "adam", "lr": 0.001}], "placements": ["local"]}
JSON
done

cat > "$W/torch_adam.py" <<'PY'
import statistics, sys, time
import torch
n, threads, steps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
p = torch.nn.Parameter(torch.ones(n, dtype=torch.float64))
p.grad = torch.full((n,), 1e-3, dtype=torch.float64)
opt = torch.optim.Adam([p], lr=1e-3)
opt.step()  # warm-up: allocates the state
ts = []
for _ in range(steps):
    t0 = time.perf_counter()
    opt.step()
    ts.append(time.perf_counter() - t0)
med = statistics.median(ts)
print("torch %s threads=%d median_s=%.6g gbs=%.4f" % (torch.__version__, torch.get_num_threads(), med, 56.0 * n / med / 1e9))
PY

jget() { "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

echo "adam_ratios: n=$N reps=$REPS threads=$THREADS steps=$STEPS host=$(hostname) $(date -u +%FT%TZ)"
: > "$W/all.txt"
r=1
while [ "$r" -le "$REPS" ]; do
  for T in $THREADS; do
    "$OB" run "$W/suite-t$T.json" -o "$W/run.json" --quiet > "$W/run.log" 2>&1 || { cat "$W/run.log" >&2; exit 1; }
    a=$(jget "$W/run.json" "d['runs'][0]['memory']['bandwidth_gbs']")
    tw=$(OMP_NUM_THREADS=$T "$W/adam_twin" "$N" "$STEPS" | sed -n 's/.* gbs=//p')
    "$OB" bandwidth --threads "$T" --reps 5 -o "$W/bw.json" > "$W/bw.log" 2>&1 || { cat "$W/bw.log" >&2; exit 1; }
    tr=$(jget "$W/bw.json" "d['kernels']['triad']['local/t$T']")
    to=$("$PYTHON" "$W/torch_adam.py" "$N" "$T" "$STEPS" | sed -n 's/.* gbs=//p')
    echo "rep $r t$T: adam $a  twin $tw  triad $tr  torch $to GB/s"
    echo "$T $a $tw $tr $to" >> "$W/all.txt"
  done
  r=$((r + 1))
done

"$PYTHON" - "$W/all.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for t in sorted({r[0] for r in rows}, key=int):
    col = lambda k: statistics.median(float(r[k]) for r in rows if r[0] == t)
    a, tw, tr, to = col(1), col(2), col(3), col(4)
    print("t%s medians GB/s: adam %.2f  twin %.2f  triad %.2f  torch %.2f" % (t, a, tw, tr, to))
    ok = lambda c: "yes" if c else "NO"
    print("t%s adam/twin  = %.2f (>= 0.9? %s)" % (t, a / tw, ok(a / tw >= 0.9)))
    print("t%s adam/triad = %.2f (>= 0.8? %s)" % (t, a / tr, ok(a / tr >= 0.8)))
    print("t%s optbench/torch = %.2fx (>= 3x? %s)" % (t, a / to, ok(a / to >= 3)))
PY
