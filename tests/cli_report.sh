#!/bin/sh
# cli_report.sh -- `optbench report` end to end on a committed results file.
#
# tests/data/report/results.json is the output of `optbench run
# tests/data/report/suite.json` (the smoke suite with 3 seeds, 2 placements,
# 2 thread counts; 108 runs). Checks:
#   - golden outputs: Markdown, LaTeX and CSV equal expected.{md,tex,csv}
#     (regenerate by hand: cd tests/data/report && optbench report results.json
#     [--format latex|csv] > expected.EXT, then read the diff);
#   - a file given twice merges (identical duplicates dropped, same tables);
#   - -o writes the same bytes atomically and prints the path; --bandwidth adds
#     a "% of limit" column with the right value; --plots writes PDF and PNG;
#   - HTML: one self-contained page (inline SVG, no script, no external URL);
#     when chromium is installed it is loaded headless: no console errors, the
#     DOM has every table and plot, and a screenshot is written
#     (kept as $top_builddir/tests/report-screenshot.png for a human to look at);
#   - LaTeX --standalone compiles with pdflatex when pdflatex is installed;
#   - sequence problems: tests/data/report/sequence-results.json is the output of
#     `optbench run tests/data/report/sequence-suite.json` (sor_sequence, 6x6, T = 20,
#     three SOR omega policies, 2 seeds); its Markdown, LaTeX and CSV equal
#     sequence-expected.{md,tex,csv}, its HTML has the sequence table and the
#     cumulative-cost figure, and --plots writes cumulative-<problem>.{pdf,png};
#   - bilevel problems: tests/data/report/bilevel-results.json is the output of
#     `optbench run tests/data/report/bilevel-suite.json` (bilevel_quadratic and a
#     small ridge_hpo, exact hypergradient descent, aid_cg, penalty and lv_hba, 2
#     seeds); its Markdown, LaTeX and CSV equal bilevel-expected.{md,tex,csv}, its
#     HTML has the bilevel table and one hypergradient-against-oracle-calls figure
#     per problem and loads in chromium (screenshot report-bilevel-screenshot.png
#     beside the other), and --plots writes
#     hypergrad-<problem>.{pdf,png}.
# A missing chromium or pdflatex is reported as "skipped: ..." inside a passing
# test (never exit 77). Exit status: 0 all passed, 1 some failed.

LC_ALL=C
export LC_ALL

if [ -z "${OPTBENCH:-}" ] || [ -z "${top_srcdir:-}" ]; then
  echo "cli_report.sh: set OPTBENCH (the optbench binary) and top_srcdir" >&2
  exit 1
fi
case $OPTBENCH in /*) ;; *) OPTBENCH=$(pwd)/$OPTBENCH ;; esac
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 1
builddir=$(cd "${top_builddir:-.}" && pwd) || exit 1
data=$top_srcdir/tests/data/report
# Under --enable-sanitizers, fontconfig/pango caches of PLplot's cairo drivers are not leaks of ours
LSAN_OPTIONS="suppressions=$top_srcdir/tests/lsan-plplot.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

work=$(mktemp -d "${TMPDIR:-/tmp}/cli_report.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

limit=
if command -v timeout >/dev/null 2>&1; then limit="timeout 120"; fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# report NAME ARGS...: runs optbench report ARGS in $data; stdout in $work/out
report() {
  name=$1
  shift
  # shellcheck disable=SC2086
  (cd "$data" && exec $limit "$OPTBENCH" report "$@") >"$work/out" 2>"$work/err"
  code=$?
  if [ "$code" -ne 0 ]; then
    fail "$name" "exit $code: $(head -n 1 "$work/err")"
    return 1
  fi
  if [ -s "$work/err" ]; then
    fail "$name" "expected an empty stderr got \"$(head -n 1 "$work/err")\""
    return 1
  fi
  return 0
}

golden() {   # golden NAME EXPECTED ARGS...
  name=$1 want=$2
  shift 2
  if report "$name" "$@"; then
    if cmp -s "$data/$want" "$work/out"; then
      pass "$name"
    else
      fail "$name" "differs from tests/data/report/$want: $(diff "$data/$want" "$work/out" | sed -n 2p)"
    fi
  fi
}

golden golden-md expected.md results.json
golden golden-latex expected.tex results.json --format latex
golden golden-csv expected.csv results.json --format csv
golden golden-sequence-md sequence-expected.md sequence-results.json
golden golden-sequence-latex sequence-expected.tex sequence-results.json --format latex
golden golden-sequence-csv sequence-expected.csv sequence-results.json --format csv
golden golden-bilevel-md bilevel-expected.md bilevel-results.json
golden golden-bilevel-latex bilevel-expected.tex bilevel-results.json --format latex
golden golden-bilevel-csv bilevel-expected.csv bilevel-results.json --format csv

# bilevel table: final hypergradient norm and oracle counts; aid_cg (K 5, cg_iters 5) makes
# per step 5 lower_grad, 1 upper_grad and 1 hxy; CG is exact after ny = 3 products, plus one
# for the warm-start residual from step 2 on: 3 + 199 x 4 = 799 hyy
if report bilevel-table bilevel-results.json; then
  if grep -qF '| problem | optimizer | seeds | final hypergradient norm | final gap | oracle calls | upper\_grad | lower\_grad | hyy | hxy | cons |' "$work/out" &&
     grep -qF '| bilevel\_quadratic-nx2-ny3 | aid\_cg-K5-cg5 | 2 | **0.00421 [0.00268, 0.00573]** | **0.000124** | 2199 | 200 | 1000 | 799 | 200 | 0 |' "$work/out" &&
     grep -qF '| ridge\_hpo | hypergrad-gd | 2 | **0.0164 [0.0164, 0.0164]** | **0.00735** | 200 | 0 | 0 | 0 | 0 | 0 |' "$work/out"; then
    pass bilevel-table
  else
    fail bilevel-table "expected the bilevel table with aid_cg's counts and the exact baseline best on ridge_hpo"
  fi
fi

# bilevel HTML: the table, and one hypergradient figure per bilevel problem after it
bhtml=$work/bilevel.html
if report bilevel-html bilevel-results.json --format html -o "$bhtml"; then
  svgs=$(grep -c '^<svg' "$bhtml")
  if [ "$svgs" -ne 7 ]; then
    fail bilevel-html "expected 7 inline SVG plots (profile, ECDF, 2 convergence, 2 hypergradient, placement) got $svgs"
  elif ! grep -qF '<h2 id="bilevel">Bilevel problems: hypergradient norm and oracle calls</h2>' "$bhtml" ||
       ! grep -qF 'href="#bilevel"' "$bhtml"; then
    fail bilevel-html "expected the bilevel section and its link"
  elif [ "$(sed -n '/<h2 id="bilevel">/,/<h2 id="placements">/p' "$bhtml" | grep -c '^<svg')" -ne 2 ]; then
    fail bilevel-html "expected the two hypergradient figures in the bilevel section"
  elif ! grep -qF 'oracle calls' "$bhtml"; then
    fail bilevel-html "expected the axis 'oracle calls' in a figure"
  elif [ "$(grep -o 'id="[^"]*"' "$bhtml" | sort | uniq -d | wc -l)" -ne 0 ]; then
    fail bilevel-html "duplicate element ids: $(grep -o 'id="[^"]*"' "$bhtml" | sort | uniq -d | head -n 1)"
  else
    pass bilevel-html
  fi
fi

# bilevel --plots: the hypergradient figures as PDF and PNG
if report bilevel-plots bilevel-results.json -o "$work/b.md" --plots "$work/bplots"; then
  bad=
  for p in bilevel_quadratic-nx2-ny3 ridge_hpo; do
    f=$work/bplots/hypergrad-$p
    if [ "$(head -c 4 "$f.pdf" 2>/dev/null)" != "%PDF" ] || [ "$(head -c 4 "$f.png" 2>/dev/null | tail -c 3)" != "PNG" ]; then
      bad="$bad hypergrad-$p"
    fi
  done
  if [ "$(ls "$work/bplots" | wc -l)" -ne 14 ]; then
    fail bilevel-plots "expected 14 files (7 figures x PDF, PNG) got $(ls "$work/bplots" | wc -l)"
  elif [ -n "$bad" ]; then
    fail bilevel-plots "expected PDF and PNG of:$bad"
  else
    pass bilevel-plots
  fi
fi

# sequence table: policies against best-fixed, Young and the per-instance best grid point
if report sequence-table sequence-results.json; then
  if grep -qF '| problem | policy | seeds | instances | total iterations | / best fixed | / instance-optimal | / best grid point |' "$work/out" &&
     grep -qF '| sor\_sequence-n6-T20 | sor-policyyoung | 2 | 20/20 | **482 [477, 487]** |' "$work/out" &&
     grep -qF '| sor\_sequence-n6-T20 | instance-optimal omega (Young) | 2 | 20/20 | 482 [477, 487] | 0.844 [0.834, 0.854] | 1.000 [1.000, 1.000] |' "$work/out"; then
    pass sequence-table
  else
    fail sequence-table "expected the sequence table with Young's row equal to the young policy"
  fi
fi

# sequence HTML: the table, and the cumulative-cost figure after it
if report sequence-html sequence-results.json --format html -o "$work/seq.html"; then
  svgs=$(grep -c '^<svg' "$work/seq.html")
  if [ "$svgs" -ne 5 ]; then
    fail sequence-html "expected 5 inline SVG plots (profile, ECDF, convergence, cumulative cost, placement) got $svgs"
  elif ! grep -qF '<h2 id="sequence">Sequence problems: total iterations over the instances</h2>' "$work/seq.html" ||
       ! grep -qF 'href="#sequence"' "$work/seq.html"; then
    fail sequence-html "expected the sequence section and its link"
  elif [ "$(sed -n '/<h2 id="sequence">/,/<h2 id="placements">/p' "$work/seq.html" | grep -c '^<svg')" -ne 1 ]; then
    fail sequence-html "expected the cumulative-cost figure in the sequence section"
  elif [ "$(grep -o 'id="[^"]*"' "$work/seq.html" | sort | uniq -d | wc -l)" -ne 0 ]; then
    fail sequence-html "duplicate element ids: $(grep -o 'id="[^"]*"' "$work/seq.html" | sort | uniq -d | head -n 1)"
  else
    pass sequence-html
  fi
fi

# sequence --plots: the cumulative-cost figure as PDF and PNG
if report sequence-plots sequence-results.json -o "$work/s.md" --plots "$work/splots"; then
  f=$work/splots/cumulative-sor_sequence-n6-T20
  if [ "$(ls "$work/splots" | wc -l)" -ne 10 ]; then
    fail sequence-plots "expected 10 files (5 figures x PDF, PNG) got $(ls "$work/splots" | wc -l)"
  elif [ "$(head -c 4 "$f.pdf" 2>/dev/null)" != "%PDF" ] || [ "$(head -c 4 "$f.png" 2>/dev/null | tail -c 3)" != "PNG" ]; then
    fail sequence-plots "expected cumulative-sor_sequence-n6-T20.pdf and .png"
  else
    pass sequence-plots
  fi
fi

# csv: one row per run x target (108 runs x 3 targets) plus the header
if report csv-rows results.json --format csv; then
  rows=$(wc -l <"$work/out")
  if [ "$rows" -eq 325 ]; then pass "csv-rows"; else fail csv-rows "expected 325 lines got $rows"; fi
fi

# the same file twice: every run is an identical duplicate
if report merge-duplicates results.json results.json; then
  if grep -qF '108 runs of 3 problems and 3 optimizers from `results.json` and `results.json` (108 identical duplicates dropped).' "$work/out" &&
     [ "$(sed 1,3d "$work/out")" = "$(sed 1,3d "$data/expected.md")" ]; then
    pass merge-duplicates
  else
    fail merge-duplicates "expected the same tables and a note on 108 duplicates"
  fi
fi

# -o: same bytes as stdout, path printed, nothing else left behind
if report output-file results.json -o "$work/r.md"; then
  if [ "$(cat "$work/out")" != "report: $work/r.md" ]; then
    fail output-file "expected \"report: $work/r.md\" got \"$(head -n 1 "$work/out")\""
  elif ! cmp -s "$work/r.md" "$data/expected.md"; then
    fail output-file "the file differs from expected.md"
  elif ls "$work"/r.md.tmp* >/dev/null 2>&1; then
    fail output-file "a temporary file was left behind"
  else
    pass output-file
  fi
fi

# --bandwidth: % of the triad limit; the first placement row has 0.445 GB/s
cat >"$work/bw.json" <<'EOF'
{"kernels": {"triad": {"local/t1": 10, "local/t2": 20, "interleave/t1": 10, "interleave/t2": 20}}}
EOF
if report bandwidth results.json --bandwidth "$work/bw.json"; then
  if grep -qF '| problem | optimizer | placement | threads | step time (s) | GB/s | slowdown vs local | % of limit |' "$work/out" &&
     grep -qF '| quadratic-d8-cond10 | gd-lr0.05 | local | 1 | 1.23e-06 | 0.445 | 1.00 | 4.5 |' "$work/out" &&
     grep -qF '| quadratic-d8-cond10 | gd-lr0.05 | local | 2 | 1.31e-06 | 0.416 | 1.00 | 2.1 |' "$work/out"; then
    pass bandwidth
  else
    fail bandwidth "expected a '% of limit' column with 4.5 and 2.1 in the first rows"
  fi
fi

# --plots: every figure as PDF and PNG
if report plots results.json -o "$work/p.md" --plots "$work/plots"; then
  n=$(ls "$work/plots" | wc -l)
  bad=
  for f in "$work"/plots/*.pdf; do [ "$(head -c 4 "$f")" = "%PDF" ] || bad="$bad $(basename "$f")"; done
  for f in "$work"/plots/*.png; do [ "$(head -c 4 "$f" | tail -c 3)" = "PNG" ] || bad="$bad $(basename "$f")"; done
  if [ "$n" -ne 12 ]; then
    fail plots "expected 12 files (6 figures x PDF, PNG) got $n"
  elif [ -n "$bad" ]; then
    fail plots "not a PDF/PNG:$bad"
  elif ! grep -qx "plots: $work/plots (12 files)" "$work/out"; then
    fail plots "expected the line \"plots: $work/plots (12 files)\""
  else
    pass plots
  fi
fi

# HTML: self-contained
html=$work/report.html
if report html results.json --format html -o "$html"; then
  svgs=$(grep -c '^<svg' "$html")
  if [ "$svgs" -ne 6 ]; then
    fail html "expected 6 inline SVG plots (profile, ECDF, 3 convergence, placement) got $svgs"
  elif grep -qiE '<script|<link|<img|src=|url\([^#]|href="https?:' "$html"; then
    fail html "expected no script or external resource got \"$(grep -oiE '<script|<link|<img|src=|url\([^#]|href="https?:' "$html" | head -n 1)\""
  elif [ "$(grep -o 'id="[^"]*"' "$html" | sort | uniq -d | wc -l)" -ne 0 ]; then
    fail html "duplicate element ids: $(grep -o 'id="[^"]*"' "$html" | sort | uniq -d | head -n 1)"
  elif [ "$(grep -c '<table>' "$html")" -ne 6 ]; then
    fail html "expected 6 tables got $(grep -c '<table>' "$html")"
  else
    pass html
  fi
fi

# HTML in a real browser
browser=
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
# browse NAME PAGE SVGS TABLES SHOT: loads PAGE headless, expects SVGS plots and
# TABLES tables in the DOM, no console error, and a screenshot in SHOT
browse() {
  name=$1 page=$2 nsvg=$3 ntab=$4 shot=$5
  flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
         --disable-sync --no-first-run --disable-extensions --disable-dev-shm-usage"
  mkdir -p "$builddir/tests"
  rm -f "$shot"
  # shellcheck disable=SC2086
  $limit "$browser" $flags --user-data-dir="$work/$name-profile1" --enable-logging=stderr --v=0 \
    --dump-dom "file://$page" >"$work/dom" 2>"$work/browser.log"
  # shellcheck disable=SC2086
  $limit "$browser" $flags --user-data-dir="$work/$name-profile2" --window-size=1280,2000 \
    --screenshot="$shot" "file://$page" >/dev/null 2>>"$work/browser.log"
  if grep -E 'CONSOLE|Uncaught|Failed to load|ERR_' "$work/browser.log" | grep -qvi 'dbus'; then
    fail "$name" "console errors: $(grep -E 'CONSOLE|Uncaught|Failed to load|ERR_' "$work/browser.log" | head -n 1)"
  elif [ "$(grep -o '<svg' "$work/dom" | wc -l)" -ne "$nsvg" ] || [ "$(grep -o '<table>' "$work/dom" | wc -l)" -ne "$ntab" ]; then
    fail "$name" "the rendered DOM lacks plots or tables ($(grep -o '<svg' "$work/dom" | wc -l) svg)"
  elif [ ! -s "$shot" ] || [ "$(head -c 4 "$shot" | tail -c 3)" != "PNG" ]; then
    fail "$name" "no screenshot: $(tail -n 1 "$work/browser.log")"
  else
    pass "$name ($browser; screenshot $shot)"
  fi
}
if [ -z "$browser" ]; then
  pass "html-browser (skipped: chromium is not installed; apt-get install chromium)"
else
  if [ -s "$html" ]; then browse html-browser "$html" 6 6 "$builddir/tests/report-screenshot.png"; fi
  if [ -s "$bhtml" ]; then browse bilevel-html-browser "$bhtml" 7 6 "$builddir/tests/report-bilevel-screenshot.png"; fi
fi

# LaTeX compiles standalone
if ! command -v pdflatex >/dev/null 2>&1; then
  pass "latex-compile (skipped: pdflatex is not installed; apt-get install texlive-latex-base texlive-latex-recommended)"
elif mkdir -p "$work/tex" && report latex-compile results.json --format latex --standalone -o "$work/tex/report.tex"; then
  if (cd "$work/tex" && $limit pdflatex -interaction=nonstopmode -halt-on-error report.tex) >"$work/tex.log" 2>&1 &&
     [ "$(head -c 4 "$work/tex/report.pdf")" = "%PDF" ]; then
    pass latex-compile
  else
    fail latex-compile "pdflatex failed: $(grep -m 1 '^!' "$work/tex.log")"
  fi
fi

echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then exit 1; fi
exit 0
