#!/bin/sh
# cli_errors.sh -- optbench's exit codes and error messages, case by case.
#
# Each directory tests/data/invalid/CASE/ holds
#   cmd         one line: the arguments after `optbench`, split on blanks (no
#               quoting, no globbing); an argument that is or starts with SUITE,
#               OUT or DIR has that word replaced by CASE/input.json, a fresh
#               output path inside a scratch directory, or the (existing, empty)
#               scratch directory itself
#   input.json  the suite, when the case needs one (it may be deliberately broken)
#   expect      line 1: the exit code; lines 2..: the whole expected stderr, with
#               the same tokens in place of the paths
# optbench runs with the scratch directory as its working directory, so a
# default output path (results/...) would be caught too. A case passes when
# the exit code and stderr match exactly, stdout is empty and the scratch
# directory is still empty afterwards: bad input must never leave a file behind.
#
# A few positive checks (--version, help, list, describe, validate) follow.
#
# Environment (set by `make check`): OPTBENCH, the binary; top_srcdir.
# `sh tests/cli_errors.sh --regenerate` rewrites every expect file from the
# current binary instead of comparing; read the diff before committing it.
#
# Exit status: 0 all passed, 1 some failed. Never 77 or 99 (automake's SKIP
# and hard error).

LC_ALL=C
export LC_ALL
unset OPTBENCH_DATADIR

regenerate=0
if [ "${1:-}" = "--regenerate" ]; then regenerate=1; fi

if [ -z "${OPTBENCH:-}" ] || [ -z "${top_srcdir:-}" ]; then
  echo "cli_errors.sh: set OPTBENCH (the optbench binary) and top_srcdir" >&2
  exit 1
fi
case $OPTBENCH in
  /*) ;;
  *) OPTBENCH=$(pwd)/$OPTBENCH ;;
esac
if [ ! -x "$OPTBENCH" ]; then
  echo "cli_errors.sh: $OPTBENCH is not an executable" >&2
  exit 1
fi
if ! top_srcdir=$(cd "$top_srcdir" && pwd); then
  echo "cli_errors.sh: top_srcdir '$top_srcdir' is not a directory" >&2
  exit 1
fi
cases_dir=$top_srcdir/tests/data/invalid

work=$(mktemp -d "${TMPDIR:-/tmp}/cli_errors.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

# A hung optbench must fail the test, not stall `make check`.
limit=
if command -v timeout >/dev/null 2>&1; then limit="timeout 120"; fi

passed=0
failed=0

pass() {
  passed=$((passed + 1))
  echo "ok $1"
}

fail() {
  failed=$((failed + 1))
  echo "FAIL $1: $2"
}

# Writes file $1 to stdout with the literal paths in $OB_SUITE, $OB_OUT and
# $OB_DIR turned back into SUITE, OUT and DIR (OUT before DIR: it is inside it).
unsubstitute() {
  awk '
    function rep(s, a, b,   out, i) {
      out = ""
      if (a == "") return s
      while ((i = index(s, a)) > 0) {
        out = out substr(s, 1, i - 1) b
        s = substr(s, i + length(a))
      }
      return out s
    }
    {
      s = rep($0, ENVIRON["OB_SUITE"], "SUITE")
      s = rep(s, ENVIRON["OB_OUT"], "OUT")
      print rep(s, ENVIRON["OB_DIR"], "DIR")
    }' "$1"
}

# Succeeds when file $1 is empty or ends in a newline.
ends_in_newline() {
  [ ! -s "$1" ] || [ "$(tail -c 1 "$1" | wc -l)" -eq 1 ]
}

# Prints the first differing line of two files, as "expected ... got ...".
first_difference() {
  awk '
    NR == FNR { want[FNR] = $0; nwant = FNR; next }
    { got[FNR] = $0; ngot = FNR }
    END {
      n = nwant > ngot ? nwant : ngot
      for (i = 1; i <= n; i++) {
        w = i <= nwant ? want[i] : "(nothing)"
        g = i <= ngot ? got[i] : "(nothing)"
        if (w != g) { printf "stderr line %d: expected \"%s\" got \"%s\"\n", i, w, g; exit }
      }
    }' "$1" "$2"
}

run_case() {
  name=$1
  dir=$cases_dir/$name
  if [ ! -f "$dir/cmd" ]; then
    fail "$name" "no cmd file"
    return
  fi
  if [ $regenerate -eq 0 ] && [ ! -f "$dir/expect" ]; then
    fail "$name" "no expect file"
    return
  fi
  scratch=$(mktemp -d "$work/case.XXXXXX") || { fail "$name" "mktemp failed"; return; }
  OB_SUITE=$dir/input.json
  OB_OUT=$scratch/out.json
  OB_DIR=$scratch
  export OB_SUITE OB_OUT OB_DIR

  IFS= read -r line <"$dir/cmd"
  set -f
  set --
  for tok in $line; do
    case $tok in
      SUITE*) tok=$OB_SUITE${tok#SUITE} ;;
      OUT*) tok=$OB_OUT${tok#OUT} ;;
      DIR*) tok=$OB_DIR${tok#DIR} ;;
    esac
    set -- "$@" "$tok"
  done
  set +f

  # shellcheck disable=SC2086 # $limit is a command prefix or nothing
  (cd "$scratch" && exec $limit "$OPTBENCH" "$@") >"$work/stdout" 2>"$work/stderr" </dev/null
  code=$?
  unsubstitute "$work/stderr" >"$work/got"

  if [ $regenerate -eq 1 ]; then
    { echo "$code"; cat "$work/got"; } >"$dir/expect"
  fi

  want_code=$(sed -n 1p "$dir/expect")
  sed 1d "$dir/expect" >"$work/want"
  leftovers=$(cd "$scratch" && ls -A)
  if [ "$code" -gt 128 ] && [ "$code" -ne 130 ]; then
    fail "$name" "optbench died with exit code $code (signal $((code - 128)))"
  elif [ "$code" != "$want_code" ]; then
    fail "$name" "expected exit $want_code got $code"
  elif ! cmp -s "$work/want" "$work/got"; then
    fail "$name" "$(first_difference "$work/want" "$work/got")"
  elif [ -s "$work/stdout" ]; then
    fail "$name" "expected nothing on stdout got \"$(head -n 1 "$work/stdout")\""
  elif ! ends_in_newline "$work/stderr"; then
    fail "$name" "expected stderr to end in a newline"
  elif [ -e "$OB_OUT" ] || [ -e "$OB_OUT.journal" ]; then
    fail "$name" "expected no output file got $(cd "$scratch" && ls -d out.json*)"
  elif [ -n "$leftovers" ]; then
    fail "$name" "expected an empty scratch directory got $(echo "$leftovers" | tr '\n' ' ')"
  else
    pass "$name"
  fi
  rm -rf "$scratch"
}

ncases=0
for d in "$cases_dir"/*/; do
  [ -d "$d" ] || continue
  name=${d%/}
  name=${name##*/}
  run_case "$name"
  ncases=$((ncases + 1))
done
if [ "$ncases" -lt 40 ]; then
  fail "corpus" "expected at least 40 cases in $cases_dir got $ncases"
fi

# ---- positive checks ------------------------------------------------------

# check_ok NAME ARGS...: optbench ARGS exits 0, writes nothing to stderr and
# creates no file in its working directory. stdout is left in $work/stdout.
check_ok() {
  name=$1
  shift
  scratch=$(mktemp -d "$work/ok.XXXXXX") || { fail "$name" "mktemp failed"; return 1; }
  # shellcheck disable=SC2086 # $limit is a command prefix or nothing
  (cd "$scratch" && exec $limit "$OPTBENCH" "$@") >"$work/stdout" 2>"$work/stderr" </dev/null
  code=$?
  leftovers=$(cd "$scratch" && ls -A)
  rm -rf "$scratch"
  if [ "$code" -ne 0 ]; then
    fail "$name" "expected exit 0 got $code: $(head -n 1 "$work/stderr")"
  elif [ -s "$work/stderr" ]; then
    fail "$name" "expected an empty stderr got \"$(head -n 1 "$work/stderr")\""
  elif [ ! -s "$work/stdout" ]; then
    fail "$name" "expected output on stdout got nothing"
  elif [ -n "$leftovers" ]; then
    fail "$name" "expected no files created got $(echo "$leftovers" | tr '\n' ' ')"
  else
    return 0
  fi
  return 1
}

# expect_stdout NAME TEXT: the last check_ok's stdout contains the line TEXT.
expect_line() {
  # columns are padded to the longest name: compare with runs of spaces squeezed
  if tr -s ' ' <"$work/stdout" | grep -qxF -- "$(printf '%s' "$2" | tr -s ' ')"; then
    pass "$1"
  else
    fail "$1" "expected the line \"$2\" got \"$(head -n 1 "$work/stdout")\""
  fi
}

# expect_json NAME: the last check_ok's stdout is one JSON document.
expect_json() {
  if ! command -v python3 >/dev/null 2>&1; then
    pass "$1 (python3 not found: JSON syntax not checked)"
  elif python3 -c 'import json, sys; json.load(sys.stdin)' <"$work/stdout" 2>"$work/pyerr"; then
    pass "$1"
  else
    fail "$1" "expected valid JSON got: $(tail -n 1 "$work/pyerr")"
  fi
}

version=$(sed -n 's/^AC_INIT(\[optbench\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
if check_ok version --version; then
  first=$(head -n 1 "$work/stdout")
  case $first in
    "optbench $version" | "optbench $version "*) pass version ;;
    *) fail version "expected \"optbench $version\" got \"$first\"" ;;
  esac
fi
if check_ok help --help; then expect_line help "usage: optbench COMMAND [ARGS]"; fi
if check_ok help-run help run; then
  expect_line help-run "usage: optbench run [SUITE.json] [-o RESULTS.json] [--resume] [--filter GLOB]"
fi
if check_ok help-validate help validate; then
  expect_line help-validate "usage: optbench validate SUITE.json [--cells N]"
fi
if check_ok list list; then
  for section in problems: optimizers: placements:; do
    if ! grep -qxF "$section" "$work/stdout"; then
      fail list "expected a section \"$section\""
      section=
      break
    fi
  done
  if [ -n "$section" ]; then expect_line list "  adam     Adam / AMSGrad with L2 weight decay (torch.optim.Adam)"; fi
fi
if check_ok list-optimizers-json list optimizers --json; then expect_json list-optimizers-json; fi
if check_ok describe-adam describe adam; then
  expect_line describe-adam "adam (optimizer): Adam / AMSGrad with L2 weight decay (torch.optim.Adam)"
fi
if check_ok describe-quadratic-json describe quadratic --json; then expect_json describe-quadratic-json; fi

# validate: the cell count it announces is the number of cells it lists.
smoke=$top_srcdir/suites/smoke.json
if check_ok validate-smoke validate "$smoke" --cells 0; then
  first=$(head -n 1 "$work/stdout")
  count=$(sed -n "1s/^.*: suite 'smoke': \([0-9][0-9]*\) cells = .*/\1/p" "$work/stdout")
  listed=$(grep -c '^  [^ ]' "$work/stdout")
  case $first in
    "$smoke: suite 'smoke': "*) ;;
    *) count= ;;
  esac
  if [ -z "$count" ]; then
    fail validate-smoke "expected \"$smoke: suite 'smoke': N cells = ...\" got \"$first\""
  elif [ "$count" -ne "$listed" ] || [ "$count" -eq 0 ]; then
    fail validate-smoke "expected $count cells listed got $listed"
  else
    pass "validate-smoke ($count cells)"
  fi
fi

echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then exit 1; fi
exit 0
