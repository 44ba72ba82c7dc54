/* cmd_help.c -- `optbench help [COMMAND]`, `--help` and every command's usage text.
 *
 * The texts here are the reference a user reads first; docs/cli.md repeats
 * them with examples. Keep both in step when an option changes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "bench/cli.h"

static const struct {
  const char *name;
  const char *text;
} help[] = {
  { NULL,
    "usage: optbench COMMAND [ARGS]\n"
    "\n"
    "A benchmark suite for numerical optimizers: runs every optimizer on every problem\n"
    "under every memory placement, thread count and seed of a suite file, and writes one\n"
    "versioned JSON results file.\n"
    "\n"
    "Commands:\n"
    "  run [SUITE.json]     run a suite (default: the installed default suite)\n"
    "  validate SUITE.json  check a suite and print its cells; runs nothing\n"
    "  list [problems|optimizers|placements] [--json]\n"
    "                       what this optbench provides\n"
    "  describe NAME        parameters, defaults, ranges and reference of a problem or optimizer\n"
    "  merge FILE... -o OUT join results files of one suite (shards, MPI or partial runs)\n"
    "  topology [--json]    NUMA nodes, CPUs, memory, distances, CPU-less (CXL-like) nodes\n"
    "  bandwidth [-o BW.json] STREAM-like bandwidth and latency per (cpu node, memory node, threads)\n"
    "  compare BASE CUR     regressions of CUR against BASE (exit 1 when something regressed)\n"
    "  report RESULTS.json... [--format md|latex|csv|html] [-o OUT]\n"
    "                       tables, performance profiles, ECDFs and plots for papers\n"
    "  help [COMMAND]       this text, or a command's\n"
    "\n"
    "Options:\n"
    "  --version            print the version\n"
    "  --help               print this text\n"
    "\n"
    "Exit codes: 0 success, 1 some runs ended in error, 64 usage, 65 bad suite or data,\n"
    "66 missing input, 70 internal error, 71 out of memory, 73 cannot create output, 74 I/O error,\n"
    "130 interrupted (finished runs kept in the journal; continue with --resume).\n"
    "Documentation: README.md and docs/ (installed under share/doc/optbench).\n" },
  { "run",
    "usage: optbench run [SUITE.json] [-o RESULTS.json] [--resume] [--filter GLOB]\n"
    "                    [--threads N] [--seeds LIST] [--shard I/N] [--quiet]\n"
    "\n"
    "Runs every cell (problem x optimizer x placement x threads x seed) of SUITE.json and\n"
    "writes one results file. Without SUITE, runs the installed default suite.\n"
    "\n"
    "  -o, --output FILE  results path (default: results/<suite-name>-<UTC time>.json)\n"
    "  --resume           continue an interrupted run from FILE.journal; without -o, the\n"
    "                     newest journal of this suite under results/ is used\n"
    "  --filter GLOB      run only the cells whose id matches GLOB (fnmatch(3)), e.g.\n"
    "                     'rosenbrock-*/adam-*/*'\n"
    "  --threads N        run every cell with N OpenMP threads (overrides the suite)\n"
    "  --seeds LIST       run these seeds instead of the suite's: seeds and inclusive\n"
    "                     ranges, e.g. 0-39 or 1,5,7-9 (recorded in the results)\n"
    "  --shard I/N        run only shard I of N (1 <= I <= N): cells are split into N\n"
    "                     shards of similar estimated cost (dimension x steps x bytes per\n"
    "                     step), the same on every machine; join them with optbench merge\n"
    "  -q, --quiet        no progress bar and no summary; errors only\n"
    "\n"
    "Finished runs are appended to FILE.journal as they end; on SIGINT or SIGTERM the\n"
    "journal is kept and `optbench run SUITE -o FILE --resume` completes the rest. The\n"
    "results file is written atomically when every cell has run.\n"
    "Exit: 0 when every run finished (diverged, stalled and skipped runs are results),\n"
    "1 when some runs ended in error, 130 when interrupted.\n" },
  { "validate",
    "usage: optbench validate SUITE.json [--cells N]\n"
    "\n"
    "Parses and checks SUITE.json -- keys, types, ranges, names, and a trial set-up of\n"
    "every expanded problem and optimizer -- and prints the number of cells and the\n"
    "first N cell ids (default 10; --cells 0 prints every id). Runs nothing.\n" },
  { "list",
    "usage: optbench list [problems|optimizers|placements] [--json]\n"
    "\n"
    "Lists the registered problems, optimizers and placement forms with one-line\n"
    "summaries; --json prints the same as a JSON document.\n" },
  { "describe",
    "usage: optbench describe NAME [--json]\n"
    "\n"
    "Shows a problem's or optimizer's parameters with kinds, defaults, ranges and help,\n"
    "what it needs or provides, and the paper or reference it implements.\n" },
  { "topology",
    "usage: optbench topology [--json] [--sysfs ROOT]\n"
    "\n"
    "Shows what memory placements can use: NUMA nodes with their CPUs and memory,\n"
    "CPU-less (CXL-like) nodes, distances, node sizes and free memory (MemAvailable\n"
    "on one-node machines), the THP mode, whether mempolicy calls are permitted and\n"
    "whether the kernel supports MPOL_WEIGHTED_INTERLEAVE (both probed live).\n"
    "\n"
    "  --json        print a JSON document instead of tables\n"
    "  --sysfs ROOT  read a sysfs-like tree under ROOT instead of /sys (fake\n"
    "                topologies for tests); the live probes are not run\n" },
  { "bandwidth",
    "usage: optbench bandwidth [-o BW.json] [--threads LIST] [--size MB] [--reps N]\n"
    "                          [--no-latency] [--quiet]\n"
    "\n"
    "Measures STREAM-like copy, scale, add and triad and a read-only sum, and the idle\n"
    "latency of dependent loads, for every (cpu node, memory node, thread count), with\n"
    "memory bound and verified as for placements. Prints MLC-style matrices.\n"
    "\n"
    "  -o, --output FILE  also write the full JSON document (docs/bandwidth.md)\n"
    "  --threads LIST     thread counts, e.g. 1,2 (default: 1 and every online CPU)\n"
    "  --size MB          megabytes (10^6 B) per array (default: 4 x last-level cache,\n"
    "                     at least 64 MiB); smaller arrays break STREAM's rule and say so\n"
    "  --reps N           timed iterations after one warm-up, best reported (default 10)\n"
    "  --no-latency       skip the latency measurement\n"
    "  -q, --quiet        print nothing but errors\n"
    "\n"
    "Exit: 0 measured (pairs the machine cannot provide are listed as skipped),\n"
    "1 a kernel failed validation, 64 usage, 73 cannot create FILE.\n" },
  { "merge",
    "usage: optbench merge RESULTS.json... -o OUT.json [--quiet]\n"
    "\n"
    "Joins results files of one suite -- shards (run --shard I/N), partial or repeated\n"
    "runs -- into OUT.json, runs in the suite's cell order. The inputs must hold the same\n"
    "normalized suite and come from the same optbench version. A run found in two inputs\n"
    "is kept once if both agree except for timings, else it is an error. Cells no input\n"
    "holds are listed as a warning. context.parts keeps every input's context.\n"
    "Exit: 0 merged (even with missing cells), 64 usage, 65 inputs that do not fit\n"
    "together, 66 a missing input, 73 cannot write OUT.\n" },
  { "compare",
    "usage: optbench compare BASELINE.json CURRENT.json [--json] [--all]\n"
    "                        [--threshold 0.10] [--alpha 0.05] [--fail-on KINDS]\n"
    "                        [--steps-tol 0] [--gap-tol 0] [--success-tol 0]\n"
    "\n"
    "Pairs the runs of two results files by id and groups them by cell across seeds\n"
    "(problem/optimizer/placement/threads). Convergence (compared run by run, exactly\n"
    "unless a tolerance is given): success rate, steps and evaluations to each target,\n"
    "final gap. Time and bandwidth: median step time and GB/s across seeds; a regression\n"
    "needs both a Mann-Whitney U test with p < alpha and a change beyond the threshold;\n"
    "with fewer than 4 samples per side the check is 'weak' and never a regression.\n"
    "\n"
    "  --json             print the comparison as JSON instead of a Markdown table\n"
    "  --all              show unchanged checks in the table too\n"
    "  --threshold X      relative change that counts for time and bandwidth (0.10 or 10%)\n"
    "  --alpha X          significance level of the U test (default 0.05)\n"
    "  --fail-on KINDS    which regressions make the exit code 1: a comma list of\n"
    "                     convergence, time, bandwidth, or all (default) or none\n"
    "  --steps-tol X      allowed relative increase of steps/evals to a target (default 0)\n"
    "  --gap-tol X        allowed relative increase of the final gap (default 0)\n"
    "  --success-tol X    allowed drop of the success rate, e.g. 0.2 (default 0)\n"
    "\n"
    "Runs in only one file are listed, not judged. See docs/compare.md.\n"
    "Exit: 0 nothing regressed (of the --fail-on kinds), 1 something did, 64 usage,\n"
    "65 malformed or incompatible file (e.g. another schema_version), 66 a missing file.\n" },
  { "report",
    "usage: optbench report RESULTS.json... [--format md|latex|csv|html] [-o OUT]\n"
    "                       [--standalone] [--bandwidth BW.json] [--plots DIR]\n"
    "\n"
    "Joins the runs of one or more results files (by id; a run in two files with different\n"
    "results is an error) and writes per-problem tables (success over seeds, median and\n"
    "IQR of steps, evaluations and seconds to each target, final gap, step time; best in\n"
    "bold, * where the rank-sum test with Bonferroni finds a row worse than the best), a\n"
    "summary with performance-profile areas (Dolan-More, r_max 4), the runtime ECDF over\n"
    "all (problem, target) pairs (COCO) and a placement table (step time, GB/s, slowdown\n"
    "against local).\n"
    "\n"
    "  -f, --format F     md (default), latex (booktabs), csv (one row per run x target),\n"
    "                     html (one self-contained page with SVG plots drawn by PLplot)\n"
    "  -o, --output OUT   write to OUT atomically (default: standard output)\n"
    "  --standalone       with latex: a complete document that pdflatex compiles\n"
    "  --bandwidth BW     add % of the bandwidth limit: BW is {\"kernels\": {\"triad\":\n"
    "                     {\"<placement>/t<threads>\": GB/s}}} (as optbench bandwidth writes)\n"
    "  --plots DIR        also write every figure to DIR as PDF and PNG\n"
    "\n"
    "See docs/report.md for every table, statistic and plot.\n"
    "Exit: 0 written, 64 usage, 65 malformed or conflicting input, 66 a missing input,\n"
    "73 cannot create OUT or DIR.\n" },
  { "help",
    "usage: optbench help [COMMAND]\n"
    "\n"
    "Prints the overview or a command's help.\n" },
};

int ob_cli_print_help(const char *command, void *out)
{
  for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
    if ((!command && !help[i].name) || (command && help[i].name && strcmp(command, help[i].name) == 0)) {
      fputs(help[i].text, (FILE *)out);
      return 0;
    }
  return -1;
}

int cmd_help(int argc, char **argv)
{
  if (argc < 2) {
    ob_cli_print_help(NULL, stdout);
    return EX_OK;
  }
  if (argc > 2) return ob_cli_usage("help", "help takes at most one command name");
  if (ob_cli_print_help(argv[1], stdout) != 0) {
    char list[256];
    ob_cli_command_names(list, sizeof list);
    return ob_cli_usage(NULL, "no help for '%s': not a command (commands: %s)", argv[1], list);
  }
  return EX_OK;
}
