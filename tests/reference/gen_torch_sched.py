#!/usr/bin/env python3
"""gen_torch_sched.py -- regenerate tests/reference/torch_sched_reference.json.

Learning-rate schedules against torch.optim.lr_scheduler (torch 1.13, float64,
foreach=False): each case runs a torch optimizer with a scheduler on the
diagonal quadratic f(x) = 1/2 sum l_i x_i^2, l_i = condition^(i/(n-1))
(optbench's "quadratic" problem with rotate = false: the gradient l_i x_i is
one multiplication, so both sides compute the same doubles), and records the
iterates. tests/check_wrappers.c replays each case through optbench's suite
syntax ("schedule": {...}) and compares iterates at the case's rel_tol.

The schedules are written here from their definitions, independently of
optimizers/schedule.c: torch's LambdaLR multiplies the base lr by
lambda(s), s = completed steps, which is optbench's factor of step s + 1.
CosineAnnealingLR is torch's own class (its recursive form, not a closed
formula), so that case also checks optbench's indexing convention against a
scheduler we did not write; its recursion differs from the closed form in the
last bits, hence rel_tol 1e-10 there.

Needs PyTorch (Debian: python3-torch); the tests read only the JSON.

    /usr/bin/python3 tests/reference/gen_torch_sched.py [-o tests/reference/torch_sched_reference.json]
"""
import argparse
import json
import math
import os
import sys

os.environ["ATEN_CPU_CAPABILITY"] = "default"   # portable kernels, no fused multiply-add
try:
    import torch  # noqa: E402
except ImportError:
    sys.exit("gen_torch_sched.py: PyTorch is not importable (Debian: apt-get install python3-torch)")


def warm_cosine(warmup, horizon, m):
    def f(s):
        if s < warmup:
            return (s + 1) / warmup
        p = 1.0 if s >= horizon else (s - warmup) / (horizon - warmup)
        return m + (1.0 - m) * (1.0 + math.cos(math.pi * p)) / 2.0
    return f


def warm_inverse_sqrt(warmup, m):
    def f(s):
        if s < warmup:
            return (s + 1) / warmup
        return max(m, math.sqrt(max(warmup, 1) / (s + 1)))
    return f


def warm_linear(warmup, horizon, m):
    def f(s):
        if s < warmup:
            return (s + 1) / warmup
        p = 1.0 if s >= horizon else (s - warmup) / (horizon - warmup)
        return m + (1.0 - m) * (1.0 - p)
    return f


def run(opt_name, opt_kw, sched, n, cond, x0, steps):
    lam = [1.0 if n == 1 else cond ** (i / (n - 1)) for i in range(n)]
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    cls = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[opt_name]
    opt = cls([x], foreach=False, **opt_kw)
    if sched[0] == "lambda":
        sch = torch.optim.lr_scheduler.LambdaLR(opt, sched[1])
    else:
        sch = torch.optim.lr_scheduler.CosineAnnealingLR(opt, **sched[1])
    traj = []
    for _ in range(steps):
        with torch.no_grad():
            g = [lam[i] * float(x[i]) for i in range(n)]
        x.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        sch.step()
        traj.append([float(v) for v in x.detach()])
    return traj


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", default=os.path.join(os.path.dirname(__file__), "torch_sched_reference.json"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    n, cond = 4, 10.0
    x0 = [1.0, -0.5, 0.25, 2.0]
    problem = {"dim": n, "condition": cond, "rotate": False}
    cases = []

    steps = 40
    cases.append({
        "name": "adam-lambda-warmup-cosine",
        "optimizer": {"type": "adam", "lr": 0.05,
                      "schedule": {"type": "cosine", "warmup": 5, "min_factor": 0.1}},
        "max_steps": steps, "rel_tol": 1e-10,
        "x": run("adam", {"lr": 0.05}, ("lambda", warm_cosine(5, steps, 0.1)), n, cond, x0, steps)})
    cases.append({
        "name": "adam-lambda-warmup-inverse_sqrt",
        "optimizer": {"type": "adam", "lr": 0.05, "schedule": {"type": "inverse_sqrt", "warmup": 4}},
        "max_steps": steps, "rel_tol": 1e-10,
        "x": run("adam", {"lr": 0.05}, ("lambda", warm_inverse_sqrt(4, 0.0)), n, cond, x0, steps)})
    cases.append({
        "name": "sgd-momentum-lambda-linear",
        "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9,
                      "schedule": {"type": "linear", "warmup": 3, "horizon": 30, "min_factor": 0.05}},
        "max_steps": steps, "rel_tol": 1e-10,
        "x": run("sgd", {"lr": 0.05, "momentum": 0.9}, ("lambda", warm_linear(3, 30, 0.05)), n, cond, x0, steps)})
    cases.append({
        "name": "sgd-momentum-CosineAnnealingLR",
        "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9, "schedule": {"type": "cosine"}},
        "max_steps": steps, "rel_tol": 1e-10,
        "x": run("sgd", {"lr": 0.05, "momentum": 0.9}, ("cosine", {"T_max": steps, "eta_min": 0.0}),
                 n, cond, x0, steps)})
    for c in cases:
        c["problem"] = problem
        c["x0"] = x0
    doc = {"generator": "tests/reference/gen_torch_sched.py", "torch": torch.__version__, "cases": cases}
    with open(a.o, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
