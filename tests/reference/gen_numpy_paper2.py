#!/usr/bin/env python3
"""gen_numpy_paper2.py -- regenerate tests/reference/numpy_paper2_reference.json.

Independent float64 references for the optimizers and options of issue 3's
second batch: gravity, core, muon (on matrix-shaped problems), polyak with
momentum (ALR-MAG / ALR-SMAG), nadam's decoupled weight decay (NAdamW),
adabelief's amsgrad option, dog's
polynomial-decay averaging and the cautious wrapper's weight decay outside
the mask. Each step function below is written from the paper's equations or
the authors' official code, named in its docstring, and not from optbench's
C files. tests/check_more_paper_optimizers.c replays the recorded iterates
through optbench's driver and requires 1e-10 relative agreement over all
STEPS steps.

Problems: quad5, rosen2 and rosen4 of tests/reference/torch_reference.json
(through gen_numpy.py's loader and f/gradient formulas), plus mquad12, a
12-dimensional quadratic whose x is read row-major as a 3 x 4 (or 4 x 3,
2 x 6, ...) matrix for muon. Reductions are left-to-right sums (lsum) as in
gen_numpy.py, muon's matrix products included (mm).

Needs numpy only; the tests read the JSON, never this script.

    /usr/bin/python3 tests/reference/gen_numpy_paper2.py [-o tests/reference/numpy_paper2_reference.json]
"""
import argparse
import json
import math
import os
import platform
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_numpy  # noqa: E402  (problems, f/gradient formulas, lsum)

STEPS = 60
lsum = gen_numpy.lsum
MASK64 = (1 << 64) - 1


def load_problems():
    probs = gen_numpy.load_problems()
    n = 12
    A = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            A[i][j] = 0.05 * (1 + ((i + 2 * j) % 3)) if i != j else 0.5 + 0.25 * i
    A = 0.5 * (A + A.T)
    b = [math.sin(1.0 + i) for i in range(n)]
    x0 = [0.5 * math.cos(0.7 * i) for i in range(n)]
    xs = np.linalg.solve(A, np.array(b))
    probs["mquad12"] = {
        "kind": "quadratic",
        "description": "f = 1/2 x^T A x - b^T x, n = 12 (a 3 x 4 matrix for muon), A_ii = 0.5 + 0.25 i, "
                       "off-diagonal 0.05 (1 + (i + 2 j) mod 3) symmetrized, b_i = sin(1 + i), x0_i = 0.5 cos(0.7 i)",
        "dim": n, "A": [[float(v) for v in row] for row in A], "b": b, "x0": x0,
        "f_opt": float(-0.5 * np.array(b) @ xs),
    }
    return probs


# ---- optimizers: each step(S, x, g, f, t, P, prob) -> new x ------------------------------

def splitmix64(state):
    """Steele, Lea & Flood (2014) splitmix64: (new state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return state, z ^ (z >> 31)


def gravity_v0(n, P):
    """v0 ~ N(0, (alpha/lr)^2) (gravity_optimizer_pytorch.py __init_v), drawn reproducibly:
    splitmix64 from `seed`, u = ((z >> 11) + 0.5) 2^-53, Box-Muller cos branch."""
    v = np.zeros(n)
    if P["alpha"] == 0:
        return v
    sd = P["alpha"] / P["lr"]
    st = P["seed"]
    for i in range(n):
        st, z1 = splitmix64(st)
        st, z2 = splitmix64(st)
        u1 = ((z1 >> 11) + 0.5) * 2.0 ** -53
        u2 = ((z2 >> 11) + 0.5) * 2.0 ** -53
        v[i] = sd * (math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))
    return v


def gravity_step(S, x, g, f, t, P, prob):
    """Bahrami & Zadeh 2021, eqs. 19-23 (gravity_optimizer_math.md) as in
    implementations/gravity_optimizer_pytorch.py: m = 1/max|g|, zeta = g/(1+(g/m)^2),
    beta_hat = (beta t + 1)/(t + 2), v <- beta_hat v + (1 - beta_hat) zeta, x <- x - lr v."""
    if "v" not in S:
        S["v"] = gravity_v0(len(x), P)
    big = float(np.max(np.abs(g)))
    bh = (P["beta"] * t + 1.0) / (t + 2.0)
    if big > 0:
        m = 1.0 / big
        zeta = g / (1.0 + (g / m) ** 2)
    else:
        zeta = np.zeros_like(g)
    S["v"] = bh * S["v"] + (1.0 - bh) * zeta
    return x - P["lr"] * S["v"]


def core_step(S, x, g, f, t, P, prob):
    """Eckhoff & Reiher (JCTC 2023) CoRe algorithm box, as the authors' reference
    _single_tensor_core without plasticity (score_history = 0)."""
    n = len(x)
    m = S.setdefault("m", np.zeros(n))
    h = S.setdefault("h", np.zeros(n))
    s = S.setdefault("s", np.full(n, P["lr"]))
    b1 = P["beta1b"] + (P["beta1a"] - P["beta1b"]) * math.exp(-(((t - 1.0) / P["beta1c"]) ** 2))
    b2 = P["beta2"]
    if b2 >= 0:
        h = h * b2 + g * g * (1.0 - b2)
    mn = g * (1.0 - b1) + m * b1
    prod = mn * m
    fac = np.where(prod > 0, P["eta_plus"], np.where(prod < 0, P["eta_minus"], 1.0))
    s = np.minimum(np.maximum(s * fac, P["step_min"]), P["step_max"])
    if b2 >= 0:
        u = (mn / (1.0 - b1 ** t)) / (np.sqrt(h / (1.0 - b2 ** t)) + P["eps"])
    else:
        u = np.sign(mn)
    u = u * s
    x = x + (-P["weight_decay"] * np.abs(u) * x)
    x = x - u
    S["m"], S["h"], S["s"] = mn, h, s
    return x


def mm(P, Q):
    """P @ Q with every entry summed left to right from 0.0 (lsum): numpy's BLAS
    matmul may sum in another order, which the Newton-Schulz iteration amplifies
    to ~1e-10 relative on these problems."""
    out = np.zeros((P.shape[0], Q.shape[1]))
    for i in range(P.shape[0]):
        for j in range(Q.shape[1]):
            out[i, j] = lsum(P[i, :] * Q[:, j])
    return out


def ns5(G, steps):
    """KellerJordan/Muon zeropower_via_newtonschulz5 in float64 (Frobenius norm
    sqrt(sum of squares), products through mm)."""
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.copy()
    tr = G.shape[0] > G.shape[1]
    if tr:
        X = X.T.copy()
    X = X / (math.sqrt(lsum(X.reshape(-1) * X.reshape(-1))) + 1e-7)
    for _ in range(steps):
        A = mm(X, X.T)
        B = b * A + c * mm(A, A)
        X = a * X + mm(B, X)
    if tr:
        X = X.T
    return X


def muon_step(S, x, g, f, t, P, prob):
    """KellerJordan/Muon muon_update + step: momentum.lerp_(grad, 1 - beta); nesterov
    update beta M + (1 - beta) G; NS5; scale; x <- x (1 - lr wd) - lr scale O."""
    r, c = P["shape"]
    G = np.array(g).reshape(r, c)
    M = S.setdefault("M", np.zeros((r, c)))
    beta = P["momentum"]
    M = M + (G - M) * (1.0 - beta)
    S["M"] = M
    U = M * beta + G * (1.0 - beta) if P["nesterov"] else M
    O = ns5(U, P["ns_steps"])
    if P["scale"] == "jordan":
        sc = math.sqrt(max(1.0, r / c))
    elif P["scale"] == "moonlight":
        sc = 0.2 * math.sqrt(max(r, c))
    else:
        sc = 1.0
    X = np.array(x).reshape(r, c)
    X = X * (1.0 - P["lr"] * P["weight_decay"]) - (P["lr"] * sc) * O
    return X.reshape(-1)


def polyak_step(S, x, g, f, t, P, prob):
    """Wang, Johansson & Zhang (ICML 2023) ALR-MAG / ALR-SMAG: d <- beta d + g,
    tau = min(gamma_b, lr (f - f*) / (c ||d||^2)), x <- x - tau d (f - f* clipped at 0)."""
    d = S.get("d", np.zeros_like(x))
    d = d * P["momentum"] + g
    S["d"] = d
    dd = lsum(d * d)
    gap = max(f - prob["f_opt"], 0.0)
    tau = P["lr"] * gap / (P["c"] * dd)
    if P["max_step"] is not None:
        tau = min(tau, P["max_step"])
    return x - tau * d


def adabelief_step(S, x, g, f, t, P, prob):
    """juntang-zhuang/Adabelief-Optimizer adabelief_pytorch0.2.1 AdaBelief.step with
    amsgrad: max_exp_avg_var = max(max_exp_avg_var, exp_avg_var + eps); the
    non-rectified denominator uses the maximum, the rectified one exp_avg_var."""
    lr, b1, b2, eps, wd = P["lr"], P["beta1"], P["beta2"], P["eps"], P["weight_decay"]
    m = S.setdefault("m", np.zeros_like(x))
    s = S.setdefault("s", np.zeros_like(x))
    if P["weight_decouple"]:
        x = x * (1.0 - (wd if P["fixed_decay"] else lr * wd))
    elif wd != 0:
        g = g + x * wd
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    m = m * b1 + g * (1 - b1)
    r = g - m
    s = s * b2 + r * r * (1 - b2)
    s = s + eps
    S["m"], S["s"] = m, s
    if P["amsgrad"]:
        S["smax"] = np.maximum(S.get("smax", np.zeros_like(x)), s)
        denom = np.sqrt(S["smax"]) / math.sqrt(bc2) + eps
    else:
        denom = np.sqrt(s) / math.sqrt(bc2) + eps
    if not P["rectify"]:
        return x + (-(lr / bc1)) * m / denom
    b2t = b2 ** t
    n_inf = 2 / (1 - b2) - 1
    n_t = n_inf - 2 * t * b2t / (1 - b2t)
    if n_t >= 5:
        step = math.sqrt((1 - b2t) * (n_t - 4) / (n_inf - 4) * (n_t - 2) / n_t * n_inf / (n_inf - 2)) / (1 - b1 ** t)
        return x + (-step * lr) * m / (np.sqrt(s) + eps)
    if P["degenerated_to_sgd"]:
        return x + (-(1.0 / (1 - b1 ** t)) * lr) * m
    return x


def dog_step(S, xbar, g_unused, f, t, P, prob):
    """formll/dog DoG (src/dog/torch/dog.py) on its own iterate, followed by
    PolynomialDecayAverager.step (src/dog/torch/averager.py): xbar starts at x0,
    xbar <- (1 - w) xbar + w x_t, w = (1 + gamma)/(t + gamma). Returns xbar."""
    if t == 1:
        S["x"] = xbar.copy()
    x = S["x"]
    _, g = gen_numpy.fg(prob, x)
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
    x = x + (-eta) * g
    S["x"] = x
    gam = P["average"]
    w = (1 + gam) / (t + gam)
    return xbar * (1 - w) + x * w


# inner optimizers of the cautious wrapper: torch.optim's documented algorithms
def inner_adam(S, x, g, t, P, decoupled):
    """torch.optim.Adam / AdamW (algorithm boxes of their docs), without amsgrad."""
    lr, b1, b2, eps, wd = P["lr"], P["beta1"], P["beta2"], P["eps"], P["weight_decay"]
    if decoupled:
        x = x * (1 - lr * wd)
    elif wd != 0:
        g = g + wd * x
    m = S.setdefault("m", np.zeros_like(x))
    v = S.setdefault("v", np.zeros_like(x))
    m = m * b1 + g * (1 - b1)
    v = v * b2 + g * g * (1 - b2)
    S["m"], S["v"] = m, v
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    return x - (lr / bc1) * m / (np.sqrt(v) / math.sqrt(bc2) + eps)


def inner_sgd(S, x, g, t, P):
    """torch.optim.SGD with momentum (dampening 0, no Nesterov, no decay): b <- mu b + g."""
    if P["momentum"] != 0:
        b = g.copy() if "b" not in S else S["b"] * P["momentum"] + g
        S["b"] = b
        g = b
    return x - P["lr"] * g


INNER_DEFAULTS = {
    "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
    "sgd": {"lr": 1e-3, "momentum": 0.0},
}


def cautious_step(S, x, g, f, t, P, prob):
    """Liang, Chen, Liu & Liu (arXiv:2411.16085), C-AdamW algorithm: phi = 1[u g > 0]
    on the base update, rescaled (mean: 1/max(mean(phi), 1e-3); numel: n/(nnz + 1);
    none: 1), and the decoupled decay -lr lambda x_{t-1} on every coordinate."""
    spec = dict(P["inner"])
    typ = spec.pop("type")
    IP = dict(INNER_DEFAULTS[typ])
    IP.update(spec)
    IS = S.setdefault("inner", {})
    if typ == "sgd":
        xs = inner_sgd(IS, x, g, t, IP)
    else:
        xs = inner_adam(IS, x, g, t, IP, typ == "adamw")
    d = xs - x
    keep = d * g < 0
    n = len(x)
    nnz = int(np.sum(keep))
    if P["scale"] == "mean":
        sc = 1.0 / max(nnz / n, 1e-3)
    elif P["scale"] == "numel":
        sc = n / (nnz + 1)
    else:
        sc = 1.0
    xn = np.where(keep, xs if sc == 1.0 else x + sc * d, x)
    return xn - (IP["lr"] * P["weight_decay"]) * x


def nadam_step(S, x, g, f, t, P, prob):
    """NAdamW: torch.optim.NAdam's documented algorithm with decoupled_weight_decay
    (torch >= 2.1; Loshchilov & Hutter, ICLR 2019, applied to Dozat's NAdam):
    x <- x (1 - lr wd) first, then NAdam's step on the raw gradient, with torch
    1.13's arithmetic (float32 product of the mu_t, taken once more for the
    momentum term's correction) that optbench's nadam follows."""
    lr, b1, b2, eps, wd, psi = P["lr"], P["beta1"], P["beta2"], P["eps"], P["weight_decay"], P["momentum_decay"]
    if P["decoupled_weight_decay"]:
        x = x * (1.0 - lr * wd)
    elif wd != 0:
        g = g + wd * x
    mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
    mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1.0) * psi))
    S["prod"] = np.float32(S.get("prod", np.float32(1.0)) * np.float32(mu))
    prod_next = np.float32(np.float32(S["prod"] * np.float32(mu)) * np.float32(mu_next))
    m = S.setdefault("m", np.zeros_like(x))
    v = S.setdefault("v", np.zeros_like(x))
    m = m * b1 + (1.0 - b1) * g
    v = v * b2 + (1.0 - b2) * g * g
    S["m"], S["v"] = m, v
    d = np.sqrt(v / (1.0 - b2 ** t)) + eps
    c1 = -lr * (1.0 - mu) / (1.0 - float(S["prod"]))
    c2 = -lr * mu_next / (1.0 - float(prod_next))
    x = x + c1 * g / d
    return x + c2 * m / d


DEFAULTS = {
    "gravity": {"lr": 0.1, "alpha": 0.01, "beta": 0.9, "seed": 0},
    "core": {"lr": 1e-3, "beta1a": 0.7375, "beta1b": 0.8125, "beta1c": 250.0, "beta2": 0.99, "eps": 1e-8,
             "eta_minus": 0.7375, "eta_plus": 1.2, "step_min": 1e-6, "step_max": 1e-2, "weight_decay": 0.1},
    "muon": {"lr": 0.02, "momentum": 0.95, "nesterov": True, "ns_steps": 5, "weight_decay": 0.0,
             "scale": "jordan", "shape": None},
    "polyak": {"lr": 1.0, "momentum": 0.0, "c": 1.0, "max_step": None},
    "adabelief": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-16, "weight_decay": 0.0,
                  "weight_decouple": True, "fixed_decay": False, "rectify": True,
                  "degenerated_to_sgd": True, "amsgrad": False},
    "dog": {"lr": 1.0, "reps_rel": 1e-6, "eps": 1e-8, "weight_decay": 0.0, "init_eta": None, "average": None},
    "cautious": {"scale": "mean", "weight_decay": 0.0, "inner": {"type": "adamw", "weight_decay": 0}},
    "nadam": {"lr": 0.002, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
              "momentum_decay": 0.004, "decoupled_weight_decay": False},
}

STEP = {
    "gravity": gravity_step, "core": core_step, "muon": muon_step, "polyak": polyak_step,
    "adabelief": adabelief_step, "dog": dog_step, "cautious": cautious_step, "nadam": nadam_step,
}


def settings():
    """(optimizer, label, problems, params(problem) -> the suite's params)."""
    std = ("quad5", "rosen2", "rosen4")

    def q(p, a, b):
        return a if p in ("quad5", "mquad12") else b

    def shape(p, a, b):
        return {"mquad12": a, "rosen4": [2, 2], "quad5": b}[p]

    return [
        ("gravity", "default-lr", std, lambda p: {"lr": q(p, 0.1, 0.002)}),
        ("gravity", "beta-seed", std, lambda p: {"lr": q(p, 0.3, 0.003), "beta": 0.5, "alpha": 0.1, "seed": 42}),
        ("gravity", "zero-init", std, lambda p: {"lr": q(p, 0.05, 0.001), "alpha": 0.0, "beta": 0.95}),
        ("core", "default", std, lambda p: {"lr": q(p, 1e-3, 1e-4)}),
        ("core", "fast-beta1", std, lambda p: {"beta1c": 10.0, "beta2": 0.999, "weight_decay": 0.0,
                                               "step_max": q(p, 0.05, 0.002), "eta_plus": 1.3}),
        ("core", "rprop-mode", std, lambda p: {"beta2": -1.0, "weight_decay": 0.01, "lr": q(p, 0.01, 1e-4),
                                               "step_max": q(p, 0.1, 0.001), "eta_minus": 0.5}),
        ("muon", "default", ("mquad12", "rosen4", "quad5"),
         lambda p: {"shape": shape(p, [3, 4], [1, 5]), "lr": q(p, 0.02, 0.002)}),
        ("muon", "transposed-plain-wd", ("mquad12", "rosen4", "quad5"),
         lambda p: {"shape": shape(p, [4, 3], [5, 1]), "lr": q(p, 0.05, 0.002), "nesterov": False,
                    "momentum": 0.9, "weight_decay": 0.1}),
        ("muon", "moonlight-ns3", ("mquad12", "rosen4"),
         lambda p: {"shape": shape(p, [2, 6], None), "lr": q(p, 0.03, 0.001), "scale": "moonlight",
                    "ns_steps": 3}),
        ("muon", "unscaled-tall", ("mquad12", "rosen4"),
         lambda p: {"shape": shape(p, [6, 2], None), "lr": q(p, 0.02, 0.001), "scale": "none", "ns_steps": 7}),
        ("polyak", "momentum", std, lambda p: {"momentum": 0.5}),
        ("polyak", "momentum-c", std, lambda p: {"momentum": 0.9, "c": 2.0}),
        ("polyak", "momentum-cap", std, lambda p: {"momentum": 0.7, "max_step": q(p, 0.3, 1e-3), "lr": 0.8}),
        ("adabelief", "amsgrad", std, lambda p: {"lr": q(p, 0.01, 1e-3), "amsgrad": True}),
        ("adabelief", "amsgrad-plain", std, lambda p: {"lr": q(p, 0.01, 1e-3), "amsgrad": True, "rectify": False}),
        ("adabelief", "amsgrad-l2", std, lambda p: {"lr": q(p, 0.01, 1e-3), "amsgrad": True, "rectify": False,
                                                    "weight_decouple": False, "weight_decay": 0.1, "eps": 1e-8,
                                                    "beta2": 0.99}),
        ("dog", "average", std, lambda p: {"average": 8.0}),
        ("dog", "average0-reps", std, lambda p: {"average": 0.0, "reps_rel": 1e-3}),
        ("dog", "average2-wd-eta", std, lambda p: {"average": 2.0, "weight_decay": 0.01,
                                                    "init_eta": q(p, 0.01, 1e-4)}),
        ("nadam", "nadamw", std, lambda p: {"lr": q(p, 0.01, 2e-3), "weight_decay": 0.1,
                                            "decoupled_weight_decay": True}),
        ("nadam", "nadamw-strong", std, lambda p: {"lr": q(p, 0.02, 1e-3), "weight_decay": 1.0,
                                                   "decoupled_weight_decay": True}),
        ("nadam", "nadamw-betas", std, lambda p: {"lr": q(p, 0.01, 2e-3), "weight_decay": 0.05,
                                                  "decoupled_weight_decay": True, "beta1": 0.8, "beta2": 0.99,
                                                  "momentum_decay": 0.04}),
        ("cautious", "adamw-wd", std, lambda p: {"weight_decay": 0.1,
                                                 "inner": {"type": "adamw", "lr": q(p, 0.01, 2e-3),
                                                           "weight_decay": 0}}),
        ("cautious", "numel-adam-wd", std, lambda p: {"scale": "numel", "weight_decay": 0.5,
                                                      "inner": {"type": "adam", "lr": q(p, 0.01, 2e-3)}}),
        ("cautious", "none-sgd-wd", std, lambda p: {"scale": "none", "weight_decay": 0.05,
                                                    "inner": {"type": "sgd", "lr": q(p, 0.05, 5e-4),
                                                              "momentum": 0.9}}),
    ]


def run(opt, given, prob):
    P = dict(DEFAULTS[opt])
    for k, v in given.items():
        if k not in P:
            sys.exit("gen_numpy_paper2.py: %s has no parameter %r" % (opt, k))
        P[k] = v
    x = np.array(prob["x0"], dtype=np.float64)
    S = {}
    out = []
    for t in range(1, STEPS + 1):
        f, g = gen_numpy.fg(prob, x)
        x = STEP[opt](S, x, g, f, t, P, prob)
        if not np.all(np.isfinite(x)):
            sys.exit("gen_numpy_paper2.py: %s %r diverged at step %d" % (opt, given, t))
        out.append([float(v) for v in x])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "numpy_paper2_reference.json"))
    args = ap.parse_args()
    problems = load_problems()
    cases = []
    for opt, label, pnames, params in settings():
        for pname in pnames:
            given = params(pname)
            cases.append({"id": "%s/%s/%s" % (opt, label, pname), "optimizer": opt, "params": given,
                          "problem": pname, "iterates": run(opt, given, problems[pname])})
    doc = {
        "schema": "optbench numpy reference trajectories v1",
        "generator": "tests/reference/gen_numpy_paper2.py",
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "dtype": "float64",
        "steps": STEPS,
        "note": "x after each of the first `steps` steps, from the problem's x0 (dog with averaging: the "
                "averaged iterate); f_opt is used by polyak",
        "problems": problems,
        "cases": cases,
    }
    with open(args.output, "w") as fh:
        json.dump(doc, fh, indent=1, default=repr)
        fh.write("\n")
    print("wrote %d cases to %s" % (len(cases), args.output))


if __name__ == "__main__":
    main()
