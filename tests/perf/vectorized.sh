#!/bin/sh
# vectorized.sh -- which optimizer update loops the compiler vectorizes
# (issue 7: "check with -fopt-info-vec that the hot loops vectorize").
# A report for maintainers, not a unit test: not in TESTS.
#
# usage: tests/perf/vectorized.sh [BUILD_DIR] (default: the current directory)
#
# Recompiles every optimizers/*.c and solvers/*.c with the build's CC,
# CPPFLAGS, CFLAGS and OPENMP_CFLAGS (plus -std=c11 -fno-math-errno and the
# AVX-clone define, as the build does) and -fopt-info-vec-all, and prints per
# file the OpenMP loops the vectorizer handled: "vectorized" counts loop
# versions it vectorized (each AVX/baseline clone and each compile-time
# variant counts), "missed" the distinct source lines of loops it gave up on,
# with GCC's first reason. Exit status 0 unless a compilation fails.
set -eu
B=${1:-.}
B=$(cd "$B" && pwd)
TOP=$(sed -n 's/^abs_top_srcdir = //p' "$B/Makefile" | head -n 1)
[ -n "$TOP" ] || { echo "vectorized: $B is not a configured build directory" >&2; exit 1; }
mkvar() { sed -n "s/^$1 = //p" "$B/Makefile" | head -n 1; }
CC=$(mkvar CC); CFLAGS=$(mkvar CFLAGS); OMPF=$(mkvar OPENMP_CFLAGS); KCPP=$(mkvar KERNEL_CPPFLAGS)
GSLF=$(mkvar GSL_CFLAGS); JF=$(mkvar JANSSON_CFLAGS)
W=$(mktemp -d "${TMPDIR:-/tmp}/vectorized.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
printf '%-28s %10s %7s  %s\n' file vectorized missed "first reason"
for f in "$TOP"/optimizers/*.c "$TOP"/optimizers/bilevel/*.c "$TOP"/solvers/*.c; do
  rel=${f#"$TOP"/}
  # shellcheck disable=SC2086
  ${CC:-cc} -std=c11 -fno-math-errno -DHAVE_CONFIG_H -I"$B" -I"$TOP" $KCPP $GSLF $JF $CFLAGS $OMPF \
    -fopt-info-vec-all -c "$f" -o "$W/o.o" 2>"$W/log" || { cat "$W/log" >&2; exit 1; }
  v=$(grep -c 'optimized: loop vectorized' "$W/log" || true)
  m=$(grep "couldn't vectorize loop" "$W/log" | sed 's/: missed.*//' | sort -u | wc -l)
  why=$(grep -m 1 'missed: not vectorized:' "$W/log" | sed 's/.*not vectorized: //' || true)
  printf '%-28s %10s %7s  %s\n' "$rel" "$v" "$m" "$why"
done
