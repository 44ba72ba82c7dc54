#!/usr/bin/env python3
"""compare_inject.py -- write a copy of a results file with an injected change.

Used by tests/cli_compare.sh to make regressions and improvements that
`optbench compare` must find. Standard library only.

usage: compare_inject.py IN.json OUT.json MODE MATCH [VALUE]
  MATCH  substring of the run ids to change (every run whose id contains it)
  MODE   steps     add VALUE to steps and evals of every reached target and to
                   the run's steps (VALUE < 0: an improvement)
         unreach   the last target is no longer reached: status max_steps,
                   targets[-1].steps/evals/seconds null
         gap       multiply final.f_gap and final.f by VALUE
         time      step_median_s of the matched runs := max over them * VALUE *
                   (1 + 0.01 k) for the k-th run, so both samples separate fully
         bandwidth bandwidth_gbs := min over them / VALUE * (1 - 0.001 k)
         schema    set schema_version to VALUE (an integer)
"""
import json
import sys


def main():
    src, dst, mode, match = sys.argv[1:5]
    value = float(sys.argv[5]) if len(sys.argv) > 5 else None
    with open(src) as f:
        doc = json.load(f)
    runs = [r for r in doc["runs"] if match in r["id"]]
    if not runs and mode != "schema":
        sys.exit("compare_inject.py: no run id contains '%s'" % match)
    if mode == "steps":
        for r in runs:
            r["steps"] += int(value)
            for t in r["targets"]:
                if t.get("steps") is not None:
                    t["steps"] += int(value)
                    t["evals"] += int(value)
    elif mode == "unreach":
        for r in runs:
            r["status"] = "max_steps"
            r["reason"] = "injected by compare_inject.py"
            t = r["targets"][-1]
            t["steps"] = t["evals"] = t["seconds"] = None
    elif mode == "gap":
        for r in runs:
            r["final"]["f_gap"] *= value
            r["final"]["f"] *= value
    elif mode == "time":
        top = max(r["time"]["step_median_s"] for r in runs)
        for k, r in enumerate(runs):
            r["time"]["step_median_s"] = top * value * (1 + 0.01 * k)
    elif mode == "bandwidth":
        low = min(r["memory"]["bandwidth_gbs"] for r in runs)
        for k, r in enumerate(runs):
            r["memory"]["bandwidth_gbs"] = low / value * (1 - 0.001 * k)
    elif mode == "schema":
        doc["schema_version"] = int(value)
    else:
        sys.exit("compare_inject.py: unknown mode '%s'" % mode)
    with open(dst, "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
