#!/usr/bin/env python3
"""gen_numpy.py -- regenerate tests/reference/numpy_reference.json.

Independent float64 references for the optimizers torch.optim does not have:
lion, adabelief, diffgrad, adamp, sgdp, exadam, ademamix, adagrad_norm, dog and
polyak. Each step function below is written from the authors' official code
(or, where there is none, the paper's algorithm box), named in its docstring,
and not from optbench's C files. tests/check_paper_optimizers.c replays the
recorded iterates through optbench's driver and requires 1e-10 relative
agreement over all STEPS steps.

The problems are the ones of tests/reference/torch_reference.json (5-D
quadratic, 2-D and 4-D chained Rosenbrock), read from that file, plus their
optimal values f* (for polyak). Gradients and f use the same explicit formulas
and operation order as gen_torch.py and the C test. Reductions (norms, dot
products) are plain left-to-right sums from 0.0 (lsum), which is what optbench's
fixed-block ob_vec reductions compute for n < 2048. Element-wise arithmetic is
numpy float64 (IEEE, no fused multiply-add), so residual differences come from
libm (exp, log, pow) in the last bits only.

Needs numpy only; the tests read the JSON, never this script.

    /usr/bin/python3 tests/reference/gen_numpy.py [-o tests/reference/numpy_reference.json]
"""
import argparse
import json
import math
import os
import platform
import sys

import numpy as np

STEPS = 60
HERE = os.path.dirname(os.path.abspath(__file__))


# ---- problems ---------------------------------------------------------------

def lsum(a):
    """Left-to-right sum from 0.0 (optbench's ob_vec reductions for small n)."""
    s = 0.0
    for v in a:
        s = s + float(v)
    return s


def quad_fg(prob, x):
    A, b = prob["A"], prob["b"]
    n = len(x)
    g = np.zeros(n)
    f = 0.0
    for i in range(n):
        s = 0.0
        for j in range(n):
            s = s + A[i][j] * float(x[j])
        g[i] = s - b[i]
        f = f + (0.5 * float(x[i]) * s - b[i] * float(x[i]))
    return f, g


def rosen_fg(prob, x):
    n = len(x)
    g = [0.0] * n
    f = 0.0
    for i in range(n - 1):
        xi, xn = float(x[i]), float(x[i + 1])
        t = xn - xi * xi
        f = f + (100.0 * t * t + (1.0 - xi) * (1.0 - xi))
        g[i] = g[i] + (-400.0 * xi * t - 2.0 * (1.0 - xi))
        g[i + 1] = g[i + 1] + 200.0 * t
    return f, np.array(g)


def fg(prob, x):
    return quad_fg(prob, x) if prob["kind"] == "quadratic" else rosen_fg(prob, x)


def load_problems():
    with open(os.path.join(HERE, "torch_reference.json")) as fh:
        probs = json.load(fh)["problems"]
    for p in probs.values():
        if p["kind"] == "quadratic":
            A = np.array(p["A"])
            b = np.array(p["b"])
            xs = np.linalg.solve(A, b)
            p["f_opt"] = float(-0.5 * b @ xs)
        else:
            p["f_opt"] = 0.0
    return probs


# ---- optimizers: each step(state, x, g, f, t, P) -> new x -------------------

def lion_step(S, x, g, f, t, P):
    """google/automl lion/lion_pytorch.py: decay, sign of the interpolation, then EMA."""
    lr, b1, b2, wd = P["lr"], P["beta1"], P["beta2"], P["weight_decay"]
    m = S.setdefault("m", np.zeros_like(x))
    x = x * (1.0 - lr * wd)
    c = m * b1 + g * (1.0 - b1)
    x = x + (-lr) * np.sign(c)
    S["m"] = m * b2 + g * (1.0 - b2)
    return x


def adabelief_step(S, x, g, f, t, P):
    """juntang-zhuang/Adabelief-Optimizer pypi_packages/adabelief_pytorch0.2.1/AdaBelief.py
    (amsgrad off)."""
    lr, b1, b2, eps, wd = P["lr"], P["beta1"], P["beta2"], P["eps"], P["weight_decay"]
    m = S.setdefault("m", np.zeros_like(x))
    s = S.setdefault("s", np.zeros_like(x))
    if P["weight_decouple"]:
        x = x * (1.0 - (wd if P["fixed_decay"] else lr * wd))
    elif wd != 0:
        g = g + x * wd
    bc1 = 1 - b1 ** t
    bc2 = 1 - b2 ** t
    m = m * b1 + g * (1 - b1)
    r = g - m
    s = s * b2 + r * r * (1 - b2)
    s = s + eps                       # exp_avg_var.add_(eps) is in place: it stays in the state
    S["m"], S["s"] = m, s
    if not P["rectify"]:
        denom = np.sqrt(s) / math.sqrt(bc2) + eps
        return x + (-(lr / bc1)) * m / denom
    b2t = b2 ** t
    n_inf = 2 / (1 - b2) - 1
    n_t = n_inf - 2 * t * b2t / (1 - b2t)
    if n_t >= 5:
        step = math.sqrt((1 - b2t) * (n_t - 4) / (n_inf - 4) * (n_t - 2) / n_t * n_inf / (n_inf - 2)) / (1 - b1 ** t)
        denom = np.sqrt(s) + eps
        return x + (-step * lr) * m / denom
    if P["degenerated_to_sgd"]:
        return x + (-(1.0 / (1 - b1 ** t)) * lr) * m
    return x


def diffgrad_step(S, x, g, f, t, P):
    """shivram1987/diffGrad diffGrad_v2.py (previous gradient cloned)."""
    lr, b1, b2, eps, wd = P["lr"], P["beta1"], P["beta2"], P["eps"], P["weight_decay"]
    m = S.setdefault("m", np.zeros_like(x))
    v = S.setdefault("v", np.zeros_like(x))
    prev = S.setdefault("prev", np.zeros_like(x))
    if wd != 0:
        g = g + x * wd
    m = m * b1 + g * (1 - b1)
    v = v * b2 + g * g * (1 - b2)
    denom = np.sqrt(v) + eps
    bc1 = 1 - b1 ** t
    bc2 = 1 - b2 ** t
    diff = np.abs(prev - g)
    dfc = 1.0 / (1.0 + np.exp(-diff))
    S["m"], S["v"], S["prev"] = m, v, g.copy()
    step = lr * math.sqrt(bc2) / bc1
    return x + (-step) * (m * dfc) / denom


def _project(x, g, u, delta, wd_ratio, eps):
    """clovaai/AdamP _projection with the whole vector as the one channel:
    returns (u, wd factor)."""
    nx = math.sqrt(lsum(x * x))
    ng = math.sqrt(lsum(g * g))
    cos = abs(lsum(g * x)) / max(ng * nx, eps)
    if cos < delta / math.sqrt(len(x)):
        pn = x / (nx + eps)
        u = u - pn * lsum(pn * u)
        return u, wd_ratio
    return u, 1.0


def adamp_step(S, x, g, f, t, P):
    """clovaai/AdamP adamp/adamp.py."""
    lr, b1, b2, eps, wd = P["lr"], P["beta1"], P["beta2"], P["eps"], P["weight_decay"]
    m = S.setdefault("m", np.zeros_like(x))
    v = S.setdefault("v", np.zeros_like(x))
    bc1 = 1 - b1 ** t
    bc2 = 1 - b2 ** t
    m = m * b1 + g * (1 - b1)
    v = v * b2 + g * g * (1 - b2)
    S["m"], S["v"] = m, v
    denom = np.sqrt(v) / math.sqrt(bc2) + eps
    step = lr / bc1
    u = (b1 * m + (1 - b1) * g) / denom if P["nesterov"] else m / denom
    ratio = 1.0
    if P["projection"]:
        u, ratio = _project(x, g, u, P["delta"], P["wd_ratio"], eps)
    if wd > 0:
        x = x * (1 - lr * wd * ratio)
    return x + (-step) * u


def sgdp_step(S, x, g, f, t, P):
    """clovaai/AdamP adamp/sgdp.py."""
    lr, mu, damp, wd, eps = P["lr"], P["momentum"], P["dampening"], P["weight_decay"], P["eps"]
    buf = S.setdefault("buf", np.zeros_like(x))
    buf = buf * mu + g * (1 - damp)
    S["buf"] = buf
    d = g + mu * buf if P["nesterov"] else buf
    ratio = 1.0
    if P["projection"]:
        d, ratio = _project(x, g, d, P["delta"], P["wd_ratio"], eps)
    if wd > 0:
        x = x * (1 - lr * wd * ratio / (1 - mu))
    return x + (-lr) * d


def exadam_step(S, x, g, f, t, P):
    """AhmedMostafa16/EXAdam exadam.py: growing step at commit 9ff8463,
    constant step at commit 5ad536f."""
    lr, b1, b2, eps, wd = P["lr"], P["beta1"], P["beta2"], P["eps"], P["weight_decay"]
    if wd != 0:
        x = x + x * (lr * -wd)
    m = S.setdefault("m", np.zeros_like(x))
    v = S.setdefault("v", np.zeros_like(x))
    b1t = b1 ** t
    b2t = b2 ** t
    bc1 = 1 - b1t
    bc2 = 1 - b2t
    m = m * b1 + g * (1 - b1)
    v = v * b2 + g * g * (1 - b2)
    S["m"], S["v"] = m, v
    d1 = 1 + (v / (v + eps)) * b2t
    d2 = 1 + ((m * m) / (m * m + eps)) * b1t
    mt = m / bc1 * d1
    vt = v / bc2 * d2
    gt = g / bc1 * d1
    step = lr * math.log(math.sqrt(t + 1) * math.sqrt(2.0)) if P["step_size"] == "growing" else lr
    return x + (-step * (mt + gt)) / (np.sqrt(vt) + eps)


def ademamix_step(S, x, g, f, t, P):
    """apple/ml-ademamix pytorch/ademamix.py with its two warm-up schedulers."""
    lr, b1, b2, b3f, eps, wd = P["lr"], P["beta1"], P["beta2"], P["beta3"], P["eps"], P["weight_decay"]
    m1 = S.setdefault("m1", np.zeros_like(x))
    m2 = S.setdefault("m2", np.zeros_like(x))
    v = S.setdefault("v", np.zeros_like(x))
    bc1 = 1 - b1 ** t
    bc2 = 1 - b2 ** t
    alpha = P["alpha"]
    if P["alpha_warmup"] is not None and t < P["alpha_warmup"]:
        a = t / float(P["alpha_warmup"])
        alpha = (1.0 - a) * 0.0 + a * P["alpha"]
    b3 = b3f
    if P["beta3_warmup"] is not None and t < P["beta3_warmup"]:
        def hl(beta):
            return math.log(0.5) / math.log(beta + 1e-8) - 1

        a = t / float(P["beta3_warmup"])
        b3 = math.pow(0.5, 1 / ((1.0 - a) * hl(b1) + a * hl(b3f) + 1))
    m1 = m1 * b1 + g * (1 - b1)
    m2 = m2 * b3 + g * (1 - b3)
    v = v * b2 + g * g * (1 - b2)
    S["m1"], S["m2"], S["v"] = m1, m2, v
    denom = np.sqrt(v) / math.sqrt(bc2) + eps
    u = (m1 / bc1 + alpha * m2) / denom
    u = u + x * wd
    return x + (-lr * u)


def adagrad_norm_step(S, x, g, f, t, P):
    """Ward, Wu & Bottou, ICML 2019, Algorithm 1 (AdaGrad-Norm)."""
    b2 = S.get("b2", P["b0"] * P["b0"])
    b2 = b2 + lsum(g * g)
    S["b2"] = b2
    return x - (P["lr"] / math.sqrt(b2)) * g


def dog_step(S, x, g, f, t, P):
    """formll/dog src/dog/torch/dog.py (DoG 1.1.0, one parameter group)."""
    if P["weight_decay"] > 0:
        g = g + x * P["weight_decay"]
    if t == 1:
        S["x0"] = x.copy()
        S["rbar"] = P["reps_rel"] * (1 + math.sqrt(lsum(x * x)))
        S["G"] = lsum(g * g) + P["eps"]
    else:
        d = x - S["x0"]
        S["rbar"] = max(S["rbar"], math.sqrt(lsum(d * d)))
        S["G"] = S["G"] + lsum(g * g)
    eta = P["lr"] * S["rbar"] / math.sqrt(S["G"])
    if t == 1 and P["init_eta"] is not None:
        eta = P["init_eta"]
    return x + (-eta) * g


def polyak_step(S, x, g, f, t, P):
    """Polyak (1969; Introduction to Optimization, 1987, ch. 5), the step with known f*:
    x <- x - lr (f - f*) / ||g||^2 g, with f - f* clipped at 0."""
    gg = lsum(g * g)
    gap = max(f - P["f_opt"], 0.0)
    return x - (P["lr"] * gap / gg) * g


# ---- settings, in optbench's parameter names (defaults filled in below) -----

DEFAULTS = {
    "lion": {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
    "adabelief": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-16, "weight_decay": 0.0,
                  "weight_decouple": True, "fixed_decay": False, "rectify": True,
                  "degenerated_to_sgd": True},
    "diffgrad": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "adamp": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
              "delta": 0.1, "wd_ratio": 0.1, "nesterov": False, "projection": True},
    "sgdp": {"lr": 0.01, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False,
             "eps": 1e-8, "delta": 0.1, "wd_ratio": 0.1, "projection": True},
    "exadam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
               "step_size": "growing"},
    "ademamix": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "beta3": 0.9999, "alpha": 2.0,
                 "alpha_warmup": None, "beta3_warmup": None, "eps": 1e-8, "weight_decay": 0.0},
    "adagrad_norm": {"lr": 1.0, "b0": 0.01},
    "dog": {"lr": 1.0, "reps_rel": 1e-6, "eps": 1e-8, "weight_decay": 0.0, "init_eta": None},
    "polyak": {"lr": 1.0},
}

STEP = {
    "lion": lion_step, "adabelief": adabelief_step, "diffgrad": diffgrad_step, "adamp": adamp_step,
    "sgdp": sgdp_step, "exadam": exadam_step, "ademamix": ademamix_step,
    "adagrad_norm": adagrad_norm_step, "dog": dog_step, "polyak": polyak_step,
}


def settings():
    """(optimizer, label, params(problem) -> the suite's params)."""
    def q(p, a, b):
        return a if p == "quad5" else b

    return [
        ("lion", "default-lr", lambda p: {"lr": q(p, 0.01, 0.003)}),
        ("lion", "betas-wd", lambda p: {"lr": q(p, 0.01, 0.002), "beta1": 0.95, "beta2": 0.98,
                                        "weight_decay": 0.5}),
        ("adabelief", "default", lambda p: {"lr": q(p, 0.01, 1e-3)}),
        ("adabelief", "plain-l2", lambda p: {"lr": q(p, 0.01, 1e-3), "rectify": False,
                                             "weight_decouple": False, "weight_decay": 0.1, "eps": 1e-8}),
        ("adabelief", "fixed-nosgd", lambda p: {"lr": q(p, 0.01, 1e-3), "fixed_decay": True,
                                                "weight_decay": 1e-3, "degenerated_to_sgd": False,
                                                "beta2": 0.99, "eps": 1e-12}),
        ("diffgrad", "default-lr", lambda p: {"lr": q(p, 0.01, 2e-3)}),
        ("diffgrad", "betas-wd", lambda p: {"lr": q(p, 0.02, 2e-3), "beta1": 0.8, "beta2": 0.99,
                                            "weight_decay": 0.1}),
        ("adamp", "default-lr", lambda p: {"lr": q(p, 0.01, 2e-3)}),
        ("adamp", "projected-wd-nesterov", lambda p: {"lr": q(p, 0.01, 2e-3), "delta": 1.5,
                                                      "weight_decay": 0.1, "nesterov": True}),
        ("adamp", "projected", lambda p: {"lr": q(p, 0.01, 2e-3), "delta": 1.5, "wd_ratio": 0.5,
                                          "weight_decay": 0.05}),
        ("sgdp", "plain", lambda p: {"lr": q(p, 0.1, 1e-3)}),
        ("sgdp", "momentum-projected", lambda p: {"lr": q(p, 0.05, 5e-4), "momentum": 0.9, "delta": 1.5,
                                                  "weight_decay": 0.01, "nesterov": True}),
        ("sgdp", "dampened-wd", lambda p: {"lr": q(p, 0.05, 5e-4), "momentum": 0.9, "dampening": 0.5,
                                           "weight_decay": 0.01}),
        ("exadam", "growing", lambda p: {"lr": q(p, 0.01, 1e-3)}),
        ("exadam", "constant-wd", lambda p: {"lr": q(p, 0.01, 1e-3), "step_size": "constant",
                                             "weight_decay": 0.1, "beta1": 0.8}),
        ("ademamix", "default-lr", lambda p: {"lr": q(p, 0.01, 1e-3)}),
        ("ademamix", "warmups-wd", lambda p: {"lr": q(p, 0.01, 1e-3), "alpha": 5.0, "alpha_warmup": 40,
                                              "beta3_warmup": 40, "weight_decay": 0.1, "beta3": 0.999}),
        ("adagrad_norm", "default", lambda p: {"lr": q(p, 1.0, 0.1)}),
        ("adagrad_norm", "b0", lambda p: {"lr": q(p, 0.5, 0.05), "b0": 2.0}),
        ("dog", "default", lambda p: {}),
        ("dog", "reps-wd", lambda p: {"reps_rel": 1e-3, "weight_decay": 0.01}),
        ("dog", "init-eta", lambda p: {"init_eta": q(p, 0.01, 1e-4), "lr": 0.5}),
        ("polyak", "default", lambda p: {}),
        ("polyak", "half", lambda p: {"lr": 0.5}),
    ]


def run(opt, given, prob):
    P = dict(DEFAULTS[opt])
    for k, v in given.items():
        if k not in P:
            sys.exit("gen_numpy.py: %s has no parameter %r" % (opt, k))
        P[k] = v
    P["f_opt"] = prob["f_opt"]
    x = np.array(prob["x0"], dtype=np.float64)
    S = {}
    out = []
    for t in range(1, STEPS + 1):
        f, g = fg(prob, x)
        x = STEP[opt](S, x, g, f, t, P)
        if not np.all(np.isfinite(x)):
            sys.exit("gen_numpy.py: %s %r diverged at step %d" % (opt, given, t))
        out.append([float(v) for v in x])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "numpy_reference.json"))
    args = ap.parse_args()
    problems = load_problems()
    cases = []
    for opt, label, params in settings():
        for pname in ("quad5", "rosen2", "rosen4"):
            given = params(pname)
            cases.append({"id": "%s/%s/%s" % (opt, label, pname), "optimizer": opt, "params": given,
                          "problem": pname, "iterates": run(opt, given, problems[pname])})
    doc = {
        "schema": "optbench numpy reference trajectories v1",
        "generator": "tests/reference/gen_numpy.py",
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "dtype": "float64",
        "steps": STEPS,
        "note": "x after each of the first `steps` steps, from the problem's x0; f_opt is used by polyak",
        "problems": problems,
        "cases": cases,
    }
    with open(args.output, "w") as fh:
        json.dump(doc, fh, indent=1, default=repr)
        fh.write("\n")
    print("wrote %d cases to %s" % (len(cases), args.output))


if __name__ == "__main__":
    main()
