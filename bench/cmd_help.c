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
    "                    [--threads N] [--shard I/N] [--quiet]\n"
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
  if (ob_cli_print_help(argv[1], stdout) != 0)
    return ob_cli_usage(NULL, "no help for '%s': not a command (commands: run, validate, list, describe, merge, help)",
                        argv[1]);
  return EX_OK;
}
