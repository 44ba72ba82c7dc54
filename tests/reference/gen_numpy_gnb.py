#!/usr/bin/env python3
"""gen_numpy_gnb.py -- reference trajectories of SophiaG with the Gauss-Newton-
Bartlett estimator on logistic regression, written from the paper, not from
optbench's C code.

Liu, Li, Hall, Liang & Ma, "Sophia: A Scalable Stochastic Second-order
Optimizer for Language Model Pre-training", ICLR 2024 (arXiv:2305.14342):
Algorithm 2 (GNB) inside Algorithm 3 (Sophia), per step t = 1, 2, ...:

    g = grad f(x)                               (full objective, ridge included)
    m = b1 m + (1 - b1) g
    if (t - 1) mod k == 0:
        y_hat_i ~ the model's label distribution, P(y_hat_i = +1) = sigmoid(m_i)
        g_hat = grad of (1/B) sum_i log(1 + exp(-y_hat_i m_i))   (no ridge term)
        h = b2 h + (1 - b2) B g_hat * g_hat
    x = x (1 - lr wd) - lr clip(m / max(gamma h, eps), 1)

on f(w) = (1/n) sum_i log(1 + exp(-y_i w.x_i)) + (lambda/2) ||w||^2 over the
full batch (B = n). The labels come from the counter-based stream documented
in bench/ob_rng.h (stream 3, step t, vector 0; the k-th sample uses
uniform number k), reimplemented below from that description, so the
reference draws the same labels as optbench.

Writes tests/data/logreg/gnb40.csv (the data set: 40 samples, 4 features
with 4 decimals, label last) and tests/reference/numpy_gnb_reference.json.
Run with Debian's python3-numpy: /usr/bin/python3 tests/reference/gen_numpy_gnb.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
M64 = (1 << 64) - 1
STEPS = 60


def mix(z):
    """SplitMix64's output function (Steele, Lea & Flood 2014), modulo 2^64."""
    z = (z + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def key(seed, stream, step, j):
    return mix(mix(mix(mix(seed) ^ stream) ^ step) ^ j)


def uniform(k, i):
    return float(mix(k ^ (2 * i)) >> 11) * 2.0 ** -53


def sigmoid_neg(z):
    """1 / (1 + exp(z)), the two-branch form that avoids overflow."""
    if z >= 0.0:
        e = np.exp(-z)
        return e / (1.0 + e)
    return 1.0 / (1.0 + np.exp(z))


def make_data():
    rs = np.random.RandomState(20241123)
    X = np.round(rs.standard_normal((40, 4)), 4)
    w = np.array([1.5, -2.0, 0.5, 1.0])
    y = np.where(X @ w + 0.8 * rs.standard_normal(40) > 0.0, 1.0, -1.0)
    return X, y


def objective_grad(X, y, w, lam):
    g = np.zeros_like(w)
    for i in range(X.shape[0]):
        z = y[i] * float(X[i] @ w)
        g += (-y[i] * sigmoid_neg(z)) * X[i]
    return g / X.shape[0] + lam * w


def gnb_grad(X, w, step, seed):
    kk = key(seed, 3, step, 0)
    g = np.zeros_like(w)
    for i in range(X.shape[0]):
        m = float(X[i] @ w)
        yh = 1.0 if uniform(kk, i) < sigmoid_neg(-m) else -1.0
        g += (-yh * sigmoid_neg(yh * m)) * X[i]
    return g / X.shape[0]


def sophia_gnb(X, y, lam, p):
    n = X.shape[1]
    x = np.zeros(n)
    m = np.zeros(n)
    h = np.zeros(n)
    b1, b2, lr, wd = p["beta1"], p["beta2"], p["lr"], p["weight_decay"]
    gamma, eps, k = p["gamma"], p["eps"], p["k"]
    traj = []
    for t in range(1, STEPS + 1):
        g = objective_grad(X, y, x, lam)
        m = m * b1 + g * (1.0 - b1)
        if (t - 1) % k == 0:
            gh = gnb_grad(X, x, t, 0)
            h = h * b2 + (X.shape[0] * gh * gh) * (1.0 - b2)
        d = np.maximum(gamma * h, eps)
        x = x * (1.0 - lr * wd) - lr * np.clip(m / d, -1.0, 1.0)
        traj.append([float(v) for v in x])
    return traj, int(np.sum(np.abs(m / np.maximum(gamma * h, eps)) < 1.0))


def main():
    X, y = make_data()
    path = os.path.join(TOP, "tests", "data", "logreg", "gnb40.csv")
    with open(path, "w") as fh:
        for i in range(X.shape[0]):
            fh.write(",".join("%.4f" % v for v in X[i]) + ",%d\n" % int(y[i]))
    X = np.loadtxt(path, delimiter=",")[:, :4]          # exactly what optbench reads
    defaults = {"beta1": 0.965, "beta2": 0.99, "gamma": 0.01, "eps": 1e-12, "k": 10,
                "weight_decay": 0.1, "lr": 1e-4}
    settings = [
        ("k1", {"lr": 0.05, "k": 1, "weight_decay": 0.0, "gamma": 1.0}),
        ("k3-wd", {"lr": 0.05, "k": 3, "weight_decay": 0.1, "gamma": 2.0}),
        ("betas", {"lr": 0.02, "k": 2, "weight_decay": 0.0, "gamma": 0.5, "beta1": 0.9, "beta2": 0.95}),
    ]
    cases = []
    for lam in (0.01, 0.001):
        for name, over in settings:
            p = dict(defaults, **over)
            traj, unclipped = sophia_gnb(X, y, lam, p)
            cases.append({"name": "%s/l2-%g" % (name, lam), "l2": lam,
                          "params": dict(over, estimator="gnb"),
                          "unclipped_last": unclipped, "x": traj})
    doc = {"generator": "tests/reference/gen_numpy_gnb.py", "numpy": np.__version__, "seed": 0,
           "data": "tests/data/logreg/gnb40.csv", "steps": STEPS, "cases": cases}
    with open(os.path.join(HERE, "numpy_gnb_reference.json"), "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
