#!/usr/bin/env python3
"""gen_torch.py -- regenerate tests/reference/torch_reference.json.

Runs torch.optim.SGD / Adam / AdamW / Adagrad / RMSprop / NAdam / RAdam /
Adamax in float64 (foreach=False: the single-tensor code path) on small fixed
problems and records the first 60 iterates of each run, so
tests/check_optimizers.c can assert that optbench's gd, sgd, adam, adamw,
adagrad, rmsprop, nadam, radam and adamax follow torch's trajectories.
Cases are appended in settings() order, so adding settings at the end leaves
the existing cases byte-identical.
Needs PyTorch (Debian: apt-get install python3-torch); the tests only read the
JSON, so torch is not needed to build or test optbench.

    /usr/bin/python3 tests/reference/gen_torch.py [-o tests/reference/torch_reference.json]

Determinism: ATen is forced to its portable kernels (ATEN_CPU_CAPABILITY=default,
set before torch is imported), so torch fuses no multiply-adds, and one thread.
The gradient is not taken from autograd: both sides evaluate the same explicit
formula in the same operation order (plain Python floats here, C doubles in the
test), so any difference in the trajectories comes from the optimizer alone.
The formulas are checked against autograd below. Floats are written with
repr(), which round-trips exactly through jansson's strtod.
"""
import argparse
import json
import math
import os
import platform
import re
import sys

os.environ["ATEN_CPU_CAPABILITY"] = "default"   # must precede `import torch`
try:
    import torch  # noqa: E402
except ImportError:
    sys.exit("gen_torch.py: PyTorch is not importable from %s (Debian: apt-get install "
             "python3-torch, then run this script with /usr/bin/python3)" % sys.executable)

STEPS = 60


# ---- problems (the C test implements the same formulas in the same order) ----

def quad_grad(prob, x):
    """g = A x - b: each row summed left to right from 0.0, then minus b."""
    A, b = prob["A"], prob["b"]
    n = len(x)
    g = []
    for i in range(n):
        s = 0.0
        for j in range(n):
            s = s + A[i][j] * x[j]
        g.append(s - b[i])
    return g


def quad_f(prob, x):
    A, b = prob["A"], prob["b"]
    n = len(x)
    return sum(0.5 * x[i] * sum(A[i][j] * x[j] for j in range(n)) - b[i] * x[i] for i in range(n))


def rosen_grad(prob, x):
    """Chained Rosenbrock f = sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2."""
    n = len(x)
    g = [0.0] * n
    for i in range(n - 1):
        t = x[i + 1] - x[i] * x[i]
        g[i] = g[i] + (-400.0 * x[i] * t - 2.0 * (1.0 - x[i]))
        g[i + 1] = g[i + 1] + 200.0 * t
    return g


def rosen_f_torch(x):
    return torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def quad_f_torch(prob, x):
    A = torch.tensor(prob["A"], dtype=torch.float64)
    b = torch.tensor(prob["b"], dtype=torch.float64)
    return 0.5 * x @ (A @ x) - b @ x


def make_problems():
    n = 5
    A = [[(float(i + 1) if i == j else 0.0) + 0.1 for j in range(n)] for i in range(n)]
    return {
        "quad5": {
            "kind": "quadratic",
            "description": "f = 1/2 x^T A x - b^T x, A = diag(1..5) + 0.1 ones, gradient A x - b "
                           "(rows summed left to right)",
            "dim": n, "A": A, "b": [1.0, -1.0, 2.0, 0.0, 0.5],
            "x0": [2.0, -1.0, 0.5, -3.0, 1.0],
        },
        "rosen2": {
            "kind": "rosenbrock",
            "description": "chained Rosenbrock sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2",
            "dim": 2, "x0": [-1.2, 1.0],
        },
        "rosen4": {
            "kind": "rosenbrock",
            "description": "chained Rosenbrock sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2",
            "dim": 4, "x0": [-1.2, 1.0, -1.2, 1.0],
        },
    }


def grad(prob, x):
    return quad_grad(prob, x) if prob["kind"] == "quadratic" else rosen_grad(prob, x)


def check_grad_formulas(problems):
    """The explicit formulas must agree with autograd (to rounding)."""
    for name, prob in problems.items():
        for x in (prob["x0"], [0.3 * (k + 1) - 0.7 for k in range(prob["dim"])]):
            xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            f = quad_f_torch(prob, xt) if prob["kind"] == "quadratic" else rosen_f_torch(xt)
            f.backward()
            auto = xt.grad.tolist()
            mine = grad(prob, x)
            for a, m in zip(auto, mine):
                if abs(a - m) > 1e-12 * max(1.0, abs(a)):
                    sys.exit("gen_torch.py: %s gradient formula disagrees with autograd: %r vs %r"
                             % (name, mine, auto))


# ---- optimizer settings, in optbench's parameter names ----------------------

def settings():
    """(optimizer, label, params(problem) -> optbench params)."""
    def sgd_lr(p):
        return 0.1 if p == "quad5" else 1e-3

    def radam_lr(p):
        return 0.01 if p == "quad5" else 5e-4

    return [
        ("gd", "lr", lambda p: {"lr": sgd_lr(p)}),
        ("sgd", "plain", lambda p: {"lr": sgd_lr(p)}),
        ("sgd", "momentum", lambda p: {"lr": sgd_lr(p), "momentum": 0.9}),
        ("sgd", "nesterov", lambda p: {"lr": sgd_lr(p), "momentum": 0.9, "nesterov": True}),
        ("sgd", "damp-wd", lambda p: {"lr": sgd_lr(p), "momentum": 0.9, "dampening": 0.5,
                                      "weight_decay": 0.01}),
        ("adam", "default", lambda p: {"lr": 0.01}),
        ("adam", "amsgrad", lambda p: {"lr": 0.01, "amsgrad": True}),
        ("adam", "wd-betas", lambda p: {"lr": 0.01, "weight_decay": 0.1, "beta1": 0.8,
                                        "beta2": 0.99}),
        ("adamw", "default", lambda p: {"lr": 0.01}),
        ("adamw", "amsgrad", lambda p: {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
        ("adamw", "wd-betas-eps", lambda p: {"lr": 0.02, "weight_decay": 0.5, "beta1": 0.8,
                                             "beta2": 0.99, "eps": 1e-6}),
        # The settings below name only the keys they change: torch's own defaults
        # fill in the rest, so a default that differs from optbench's fails the test.
        ("adagrad", "default", lambda p: {"lr": 0.1}),
        ("adagrad", "lrdecay-acc0", lambda p: {"lr": 0.1, "lr_decay": 0.01,
                                               "initial_accumulator_value": 0.5}),
        ("adagrad", "wd-eps", lambda p: {"lr": 0.05, "weight_decay": 0.1, "eps": 1e-6}),
        ("rmsprop", "default", lambda p: {"lr": 0.01}),
        ("rmsprop", "centered-momentum", lambda p: {"lr": 0.005, "centered": True, "momentum": 0.9}),
        ("rmsprop", "momentum-wd-alpha", lambda p: {"lr": 0.005, "momentum": 0.5, "weight_decay": 0.1,
                                                    "alpha": 0.9}),
        ("rmsprop", "centered-wd-eps", lambda p: {"lr": 0.01, "centered": True, "weight_decay": 0.05,
                                                  "eps": 1e-6}),
        ("nadam", "default", lambda p: {"lr": 0.01}),
        ("nadam", "wd", lambda p: {"lr": 0.01, "weight_decay": 0.1}),
        ("nadam", "momdecay-betas-eps", lambda p: {"lr": 0.02, "momentum_decay": 0.04, "beta1": 0.8,
                                                   "beta2": 0.99, "eps": 1e-6}),
        # RAdam's first steps (rho_t <= 5) are SGD steps x -= lr m_hat: on Rosenbrock
        # (gradient ~200 at x0, curvature ~1300) that needs the SGD learning rate.
        ("radam", "default", lambda p: {"lr": radam_lr(p)}),
        ("radam", "wd", lambda p: {"lr": radam_lr(p), "weight_decay": 0.1}),
        ("radam", "betas-eps", lambda p: {"lr": radam_lr(p), "beta1": 0.8, "beta2": 0.9, "eps": 1e-6}),
        ("adamax", "default", lambda p: {"lr": 0.01}),
        ("adamax", "wd", lambda p: {"lr": 0.01, "weight_decay": 0.1}),
        ("adamax", "betas-eps", lambda p: {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}),
        # the informative extra: torch.optim.LBFGS with max_iter=1, no line search
        ("lbfgs", "default", lambda p: {"lr": 0.1}),
        ("lbfgs", "hist3", lambda p: {"lr": 0.05, "history_size": 3}),
        ("lbfgs", "hist1-tol", lambda p: {"lr": 0.08, "history_size": 1,
                                         "tolerance_change": 1e-12}),
    ]


# optbench type -> torch.optim class, for the optimizers whose settings name only
# the keys they change (optbench's beta1/beta2 become torch's betas tuple).
TORCH_CLASSES = {
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "nadam": "NAdam",
    "radam": "RAdam",
    "adamax": "Adamax",
}


def torch_optimizer(opt, params, x):
    if opt in TORCH_CLASSES:
        cls = getattr(torch.optim, TORCH_CLASSES[opt])
        kw = {k: v for k, v in params.items() if k not in ("beta1", "beta2")}
        if "beta1" in params or "beta2" in params:
            d = cls([torch.zeros(1, dtype=torch.float64)]).defaults["betas"]
            kw["betas"] = (params.get("beta1", d[0]), params.get("beta2", d[1]))
        kw["foreach"] = False
        o = cls([x], **kw)
        # record every hyperparameter torch actually used, defaults included
        used = {k: v for k, v in o.param_groups[0].items() if k != "params"}
        return o, cls.__name__, used
    if opt == "lbfgs":
        kw = dict(lr=params["lr"], max_iter=1, history_size=params.get("history_size", 100),
                  tolerance_grad=params.get("tolerance_grad", 1e-7),
                  tolerance_change=params.get("tolerance_change", 1e-9), line_search_fn=None)
        return torch.optim.LBFGS([x], **kw), "LBFGS", kw
    if opt in ("gd", "sgd"):
        kw = dict(lr=params["lr"], momentum=params.get("momentum", 0.0),
                  dampening=params.get("dampening", 0.0), nesterov=params.get("nesterov", False),
                  weight_decay=params.get("weight_decay", 0.0), foreach=False)
        return torch.optim.SGD([x], **kw), "SGD", kw
    cls = torch.optim.Adam if opt == "adam" else torch.optim.AdamW
    kw = dict(lr=params["lr"], betas=(params.get("beta1", 0.9), params.get("beta2", 0.999)),
              eps=params.get("eps", 1e-8),
              weight_decay=params.get("weight_decay", 0.0 if opt == "adam" else 1e-2),
              amsgrad=params.get("amsgrad", False), foreach=False)
    return cls([x], **kw), cls.__name__, kw


def run_case(prob, opt, params):
    x = torch.tensor(prob["x0"], dtype=torch.float64)
    o, cls, kw = torch_optimizer(opt, params, x)
    iterates = []
    for _ in range(STEPS):
        g = grad(prob, x.tolist())
        x.grad = torch.tensor(g, dtype=torch.float64)
        if opt == "lbfgs":
            # the closure evaluates at the current x (LBFGS calls it once per step with max_iter=1)
            def closure():
                x.grad = torch.tensor(grad(prob, x.tolist()), dtype=torch.float64)
                return torch.tensor(0.0, dtype=torch.float64)
            o.step(closure)
        else:
            o.step()
        xs = x.tolist()
        if not all(math.isfinite(v) and abs(v) < 1e6 for v in xs):
            sys.exit("gen_torch.py: %s diverged on %s; pick a smaller lr" % (opt, prob))
        iterates.append(xs)
    kw = dict(kw)
    kw["betas"] = list(kw["betas"]) if "betas" in kw else None
    kw = {k: v for k, v in kw.items() if v is not None}
    return iterates, "torch.optim.%s(%s)" % (cls, ", ".join("%s=%r" % kv for kv in sorted(kw.items())))


def dump(doc, path):
    """Readable JSON with one iterate per line (json.dumps keeps repr floats)."""
    head = {k: v for k, v in doc.items() if k != "cases"}
    text = json.dumps(head, indent=2)
    # arrays of numbers on one line each
    text = re.sub(r'\[\s*([-+0-9.eE]+(?:,\s*[-+0-9.eE]+)*)\s*\]',
                  lambda m: '[' + ', '.join(v.strip() for v in m.group(1).split(',')) + ']', text)
    text = text[:-2] + ',\n  "cases": [\n'
    cases = []
    for c in doc["cases"]:
        lines = ['    {']
        fields = [k for k in c if k != "iterates"]
        for k in fields:
            lines.append('      %s: %s,' % (json.dumps(k), json.dumps(c[k])))
        lines.append('      "iterates": [')
        lines.append(',\n'.join('        ' + json.dumps(it) for it in c["iterates"]))
        lines.append('      ]')
        lines.append('    }')
        cases.append('\n'.join(lines))
    text += ',\n'.join(cases) + '\n  ]\n}\n'
    json.loads(text)   # self-check
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("-o", "--output", default=os.path.join(here, "torch_reference.json"))
    args = ap.parse_args()

    torch.set_num_threads(1)
    problems = make_problems()
    check_grad_formulas(problems)
    cases = []
    for opt, label, mk in settings():
        for pname, prob in problems.items():
            params = mk(pname)
            iterates, call = run_case(prob, opt, params)
            cases.append({"id": "%s-%s/%s" % (opt, label, pname), "optimizer": opt,
                          "params": params, "torch": call, "problem": pname,
                          "iterates": iterates})
    doc = {
        "schema": "optbench torch reference, version 1",
        "generator": "tests/reference/gen_torch.py",
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "aten_cpu_capability": os.environ["ATEN_CPU_CAPABILITY"],
        "dtype": "float64",
        "steps": STEPS,
        "note": "iterates[k] is x after k+1 optimizer steps from the problem's x0; gradients are "
                "the explicit formulas in the problem descriptions, evaluated in the documented order",
        "problems": problems,
        "cases": cases,
    }
    dump(doc, args.output)
    print("wrote %s: %d cases x %d steps" % (args.output, len(cases), STEPS))


if __name__ == "__main__":
    main()
