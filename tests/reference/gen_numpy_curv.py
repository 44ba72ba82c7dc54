#!/usr/bin/env python3
"""gen_numpy_curv.py -- regenerate tests/reference/numpy_curv_reference.json.

Independent float64 references for sophia, zo_sgd, aegd and damped_newton
(the curvature, zeroth-order and energy methods of issue 3), each written from
the paper's algorithm box or the authors' official code (named in the step
function's docstring), not from optbench's C files.
tests/check_more_optimizers.c replays the recorded iterates through
optbench's driver and requires 1e-10 relative agreement at every recorded
step, and the recorded oracle counts exactly.

Problems (defined here and in the C test with the same formulas and
operation order):
  quad5   f = 1/2 x^T A x - b^T x, 5-D, A SPD and not diagonal; H = G = A.
  rosen2  chained Rosenbrock sum 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2, n = 2,
  rosen4  n = 4, x0 = (-1.2, 1, -1.2, 1); the Hessian-vector product is the
          exact Hessian's, the Gauss-Newton product is 2 J^T J v for the
          residuals 10 (x[i+1] - x[i]^2) and 1 - x[i].
  rosen2c n = 2 from x0 = (0, 1), where the Hessian is indefinite (damped
          Newton's shift; backtracking only: full or AICN steps from there
          leave the valley).

Random vectors (sophia's Rademacher probe, zo_sgd's Gaussian directions)
come from the counter-based scheme documented in bench/ob_rng.h,
reimplemented below with Python integers (SplitMix64's output function;
Box-Muller with math.log, math.cos and math.sqrt, which call the C library).
The run seed is 0, as in the test harness.

Sums that optbench computes with its fixed-block reductions (dot products,
norms) are plain left-to-right sums from 0.0 here (lsum): the same for
n < 2048. The Cholesky factorization and the triangular solves follow the
textbook algorithms in the operation order of GSL's unblocked code with its
reference CBLAS (what optbench links by default); with another BLAS damped
Newton agrees to rounding only.

Needs numpy only; the tests read the JSON, never this script.

    /usr/bin/python3 tests/reference/gen_numpy_curv.py [-o tests/reference/numpy_curv_reference.json]
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
SEED = 0
M64 = (1 << 64) - 1


# ---- the counter-based random stream (bench/ob_rng.h) ---------------------

def mix(z):
    z = (z + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def key(seed, stream, step, j):
    return mix(mix(mix(mix(seed) ^ stream) ^ step) ^ j)


def rademacher(k, n):
    return np.array([1.0 if mix(k ^ (2 * i)) & 1 else -1.0 for i in range(n)])


def gauss(k, n):
    out = np.zeros(n)
    for i in range(n):
        a = float((mix(k ^ (2 * i)) >> 11) + 1) * 2.0 ** -53
        b = float(mix(k ^ (2 * i + 1)) >> 11) * 2.0 ** -53
        out[i] = math.sqrt(-2.0 * math.log(a)) * math.cos(6.283185307179586 * b)
    return out


# ---- problems -----------------------------------------------------------------

def lsum(a):
    s = 0.0
    for v in a:
        s = s + float(v)
    return s


QUAD_A = [[4.0, 1.0, 0.5, 0.0, 0.2],
          [1.0, 3.0, 0.3, 0.1, 0.0],
          [0.5, 0.3, 2.0, 0.4, 0.1],
          [0.0, 0.1, 0.4, 1.5, 0.3],
          [0.2, 0.0, 0.1, 0.3, 0.8]]
QUAD_B = [1.0, -2.0, 0.5, 3.0, -1.0]
QUAD_X0 = [1.0, 1.0, -1.0, 0.5, 2.0]


class Quad:
    def __init__(self, A, b, x0):
        self.A, self.b, self.x0 = A, b, x0
        self.n = len(b)
        xs = np.linalg.solve(np.array(A), np.array(b))
        self.f_opt = float(-0.5 * np.dot(np.array(b), xs))

    def f(self, x):
        return self.fg(x)[0]

    def fg(self, x):
        n, A, b = self.n, self.A, self.b
        g = np.zeros(n)
        f = 0.0
        for i in range(n):
            s = 0.0
            for j in range(n):
                s = s + A[i][j] * float(x[j])
            g[i] = s - b[i]
            f = f + (0.5 * float(x[i]) * s - b[i] * float(x[i]))
        return f, g

    def hvp(self, x, v):
        n, A = self.n, self.A
        out = np.zeros(n)
        for i in range(n):
            s = 0.0
            for j in range(n):
                s = s + A[i][j] * float(v[j])
            out[i] = s
        return out

    gnvp = hvp

    def doc(self):
        return {"kind": "quadratic", "dim": self.n, "A": self.A, "b": self.b, "x0": self.x0, "f_opt": self.f_opt}


class Rosen:
    def __init__(self, n, x0=None):
        self.n = n
        self.x0 = x0 if x0 is not None else [1.0 if i % 2 else -1.2 for i in range(n)]
        self.f_opt = 0.0

    def f(self, x):
        return self.fg(x)[0]

    def fg(self, x):
        n = self.n
        g = [0.0] * n
        f = 0.0
        for i in range(n - 1):
            xi, xn = float(x[i]), float(x[i + 1])
            t = xn - xi * xi
            f = f + (100.0 * t * t + (1.0 - xi) * (1.0 - xi))
            g[i] = g[i] + (-400.0 * xi * t - 2.0 * (1.0 - xi))
            g[i + 1] = g[i + 1] + 200.0 * t
        return f, np.array(g)

    def hvp(self, x, v):
        """Exact Hessian of the chained form: per term i, d2/dxi2 = 1200 xi^2 - 400 x(i+1) + 2,
        d2/dxi dx(i+1) = -400 xi, d2/dx(i+1)2 = 200."""
        n = self.n
        out = [0.0] * n
        for i in range(n - 1):
            xi, xn = float(x[i]), float(x[i + 1])
            a = 1200.0 * xi * xi - 400.0 * xn + 2.0
            c = -400.0 * xi
            out[i] = out[i] + (a * float(v[i]) + c * float(v[i + 1]))
            out[i + 1] = out[i + 1] + (c * float(v[i]) + 200.0 * float(v[i + 1]))
        return np.array(out)

    def gnvp(self, x, v):
        """2 J^T J v for residuals ra = 10 (x(i+1) - xi^2), rb = 1 - xi (f = sum ra^2 + rb^2)."""
        n = self.n
        out = [0.0] * n
        for i in range(n - 1):
            xi = float(x[i])
            ja = -20.0 * xi * float(v[i]) + 10.0 * float(v[i + 1])
            jb = -float(v[i])
            out[i] = out[i] + 2.0 * (-20.0 * xi * ja - jb)
            out[i + 1] = out[i + 1] + 2.0 * (10.0 * ja)
        return np.array(out)

    def doc(self):
        return {"kind": "rosenbrock", "dim": self.n, "x0": self.x0, "f_opt": 0.0}


PROBLEMS = {
    "quad5": Quad(QUAD_A, QUAD_B, QUAD_X0),
    "rosen2": Rosen(2),
    "rosen4": Rosen(4),
    "rosen2c": Rosen(2, [0.0, 1.0]),
}


class Counts:
    def __init__(self):
        self.f = self.grad = self.hvp = self.gnvp = 0


# ---- optimizers ------------------------------------------------------------------

def run_sophia(prob, P, steps, cnt):
    """Liu et al., ICLR 2024, Algorithm 3: m = b1 m + (1-b1) g; at t mod k = 1 (t = 1, k+1, ...)
    h = b2 h + (1-b2) h_hat(x_t); x = x - lr wd x; x = x - lr clip(m / max(gamma h, eps), 1).
    h_hat = u * (H u) (Algorithm 1, Hutchinson) or u * (G u) (Gauss-Newton matrix; optbench's
    stand-in for GNB, see optimizers/sophia.c), u Rademacher from (seed, stream 1, t, 0)."""
    lr, b1, b2 = P.get("lr", 1e-4), P.get("beta1", 0.965), P.get("beta2", 0.99)
    gamma, eps, k = P.get("gamma", 0.01), P.get("eps", 1e-12), P.get("k", 10)
    wd, est = P.get("weight_decay", 0.1), P.get("estimator", "hutchinson")
    x = np.array(prob.x0, dtype=float)
    n = prob.n
    m, h = np.zeros(n), np.zeros(n)
    out = []
    for t in range(1, steps + 1):
        _, g = prob.fg(x)
        cnt.grad += 1
        if (t - 1) % k == 0:
            u = rademacher(key(SEED, 1, t, 0), n)
            if est == "gn_hutchinson":
                hu = prob.gnvp(x, u)
                cnt.gnvp += 1
            else:
                hu = prob.hvp(x, u)
                cnt.hvp += 1
            h = h * b2 + (u * hu) * (1.0 - b2)
        m = m * b1 + g * (1.0 - b1)
        den = np.maximum(gamma * h, eps)
        x = x * (1.0 - lr * wd) - lr * np.clip(m / den, -1.0, 1.0)
        out.append(x.copy())
    return out


def run_zo_sgd(prob, P, steps, cnt):
    """Malladi et al., NeurIPS 2023, Algorithm 1 (MeZO) with n-SPSA: for each direction
    z_j ~ N(0, I) from (seed, stream 2, t, j): pg_j = (f(x + eps z_j) - f(x - eps z_j)) / (2 eps);
    d = (sum_j pg_j z_j) / q + wd x; x = x - lr d, or with momentum b = mu b + d, x = x - lr b."""
    lr, eps, q = P.get("lr", 1e-3), P.get("eps", 1e-3), P.get("n_directions", 1)
    mu, wd = P.get("momentum", 0.0), P.get("weight_decay", 0.0)
    x = np.array(prob.x0, dtype=float)
    n = prob.n
    b = np.zeros(n)
    out = []
    for t in range(1, steps + 1):
        zs, pgs = [], []
        for j in range(q):
            z = gauss(key(SEED, 2, t, j), n)
            fp = prob.f(x + eps * z)
            fm = prob.f(x + (-eps) * z)
            cnt.f += 2
            pgs.append((fp - fm) / (2.0 * eps))
            zs.append(z)
        acc = np.zeros(n)
        for j in range(q):
            acc = acc + pgs[j] * zs[j]
        d = acc / float(q) + wd * x
        if mu > 0.0:
            b = mu * b + d
            x = x - lr * b
        else:
            x = x - lr * d
        out.append(x.copy())
    return out


def run_aegd(prob, P, steps, cnt):
    """txping/AEGD aegd.py (official): s = sqrt(f + c); dg = g / (2 s); aegdw: x *= 1 - lr wd,
    else dg += wd x; r starts at s (first step); r /= 1 + 2 lr dg^2; x -= 2 lr r dg.
    energy "scalar" (the paper's basic scheme): one r, r /= 1 + 2 lr |dg|^2."""
    lr, c = P.get("lr", 0.1), P.get("c", 1.0)
    wd, aegdw, scalar = P.get("weight_decay", 0.0), P.get("aegdw", False), P.get("energy") == "scalar"
    x = np.array(prob.x0, dtype=float)
    n = prob.n
    r = None
    out = []
    for t in range(1, steps + 1):
        f, g = prob.fg(x)
        cnt.f += 1
        cnt.grad += 1
        s = math.sqrt(f + c)
        dg = g / (2.0 * s)
        if aegdw:
            x = x * (1.0 - lr * wd)
        else:
            dg = dg + wd * x
        if scalar:
            r0 = s if r is None else r
            r = r0 / (1.0 + 2.0 * lr * lsum(dg * dg))
        else:
            r0 = np.full(n, s) if r is None else r
            r = r0 / (1.0 + 2.0 * lr * (dg * dg))
        x = x - 2.0 * lr * (r * dg)
        out.append(x.copy())
    return out


def gaxpy_cholesky(A):
    """Lower Cholesky factor by Golub & Van Loan's gaxpy Cholesky (Matrix Computations, 4th ed.,
    Algorithm 4.2.1), in the operation order of GSL 2.7's unblocked cholesky_decomp_L2 (used for
    n <= 24) with the reference CBLAS: v = A(j:n, j) - A(j:n, 0:j) A(j, 0:j)^T (row sums left to
    right), then v *= 1 / sqrt(v[0]). Returns None when a pivot is <= 0 (not positive definite)."""
    n = A.shape[0]
    L = [[float(A[i, j]) for j in range(n)] for i in range(n)]
    for j in range(n):
        if j > 0:
            for i in range(j, n):
                t = 0.0
                for k in range(j):
                    t = t + L[i][k] * L[j][k]
                L[i][j] = L[i][j] + (-1.0) * t
        ajj = L[j][j]
        if not ajj > 0.0:
            return None
        r = 1.0 / math.sqrt(ajj)
        for i in range(j, n):
            L[i][j] = L[i][j] * r
    return L


def cholesky_solve(L, b):
    """L L^T x = b by forward then back substitution (each row: tmp = b_i - sum_j L_ij x_j,
    left to right, x_i = tmp / L_ii)."""
    n = len(b)
    x = [float(v) for v in b]
    for i in range(n):
        t = x[i]
        for j in range(i):
            t = t - L[i][j] * x[j]
        x[i] = t / L[i][i]
    for i in range(n - 1, -1, -1):
        t = x[i]
        for j in range(i + 1, n):
            t = t - L[j][i] * x[j]
        x[i] = t / L[i][i]
    return np.array(x)


def chol_shift(A):
    """Cholesky with added multiple of the identity (Nocedal & Wright, 2nd ed., Algorithm 3.3),
    beta = 1e-3 max(1, max|A_ii|): tau = 0 if min A_ii > 0 else beta - min A_ii; while
    A + tau I is not positive definite: tau = max(2 tau, beta)."""
    n = A.shape[0]
    beta = 1e-3 * max(1.0, max(abs(A[i, i]) for i in range(n)))
    dmin = min(A[i, i] for i in range(n))
    tau = 0.0 if dmin > 0.0 else beta - dmin
    for _ in range(64):
        B = A.copy()
        if tau > 0.0:
            for i in range(n):
                B[i, i] = B[i, i] + tau
        L = gaxpy_cholesky(B)
        if L is not None:
            return L
        tau = max(2.0 * tau, beta)
    raise RuntimeError("indefinite")


def run_damped_newton(prob, P, steps, cnt):
    """Newton direction d = H^-1 g (H from n Hessian-vector products, symmetrized); G = sqrt(g.d).
    hanzely: alpha = (sqrt(1 + 2 L G) - 1) / (L G) (Hanzely et al., NeurIPS 2022, AICN);
    plain: 1; backtracking: Armijo f(x - a d) <= f(x) - c1 a g.d, a <- rho a (Nocedal & Wright
    Alg. 3.1). Stops recording when |g|_inf <= 1e-9: past that point the comparison says nothing."""
    sched, L = P.get("stepsize", "hanzely"), P.get("L", 1.0)
    c1, rho = P.get("c1", 1e-4), P.get("rho", 0.5)
    x = np.array(prob.x0, dtype=float)
    n = prob.n
    out = []
    for t in range(1, steps + 1):
        f, g = prob.fg(x)
        if np.max(np.abs(g)) <= 1e-9 and t > 1:
            break
        cnt.grad += 1
        if sched == "backtracking":
            cnt.f += 1
        H = np.zeros((n, n))
        for j in range(n):
            e = np.zeros(n)
            e[j] = 1.0
            H[:, j] = prob.hvp(x, e)
            cnt.hvp += 1
        A = H.copy()
        for i in range(n):
            for j in range(i):
                A[i, j] = A[j, i] = 0.5 * (H[j, i] + H[i, j])
        Lc = chol_shift(A)
        d = cholesky_solve(Lc, g)
        gd = lsum(g * d)
        alpha = 1.0
        if sched == "hanzely":
            lg = L * math.sqrt(gd)
            alpha = (math.sqrt(1.0 + 2.0 * lg) - 1.0) / lg
        elif sched == "backtracking":
            for _ in range(51):
                ft = prob.f(x - alpha * d)
                cnt.f += 1
                if ft <= f - c1 * alpha * gd:
                    break
                alpha = alpha * rho
            else:
                raise RuntimeError("no Armijo step")
        x = x - alpha * d
        out.append(x.copy())
    return out


RUNNERS = {"sophia": run_sophia, "zo_sgd": run_zo_sgd, "aegd": run_aegd, "damped_newton": run_damped_newton}


def settings():
    S = []
    sophia = [
        ("hutch", {"lr": 0.01, "weight_decay": 0.0, "gamma": 0.5}),
        ("gnh-k3-wd", {"lr": 0.005, "weight_decay": 0.1, "k": 3, "gamma": 0.05, "estimator": "gn_hutchinson"}),
        ("hutch-k1", {"lr": 0.02, "beta1": 0.9, "beta2": 0.95, "k": 1, "eps": 1e-6, "gamma": 1.0,
                      "weight_decay": 0.0}),
        ("gnh-k1", {"lr": 0.01, "k": 1, "weight_decay": 0.0, "gamma": 2.0, "estimator": "gn_hutchinson"}),
    ]
    zo = [
        ("base", {"lr": 2e-4}),
        ("q4-mom", {"lr": 1e-4, "eps": 1e-4, "n_directions": 4, "momentum": 0.9}),
        ("q2-wd", {"lr": 3e-4, "eps": 1e-2, "n_directions": 2, "weight_decay": 0.01}),
    ]
    aegd = [
        ("c10", {"c": 10.0}),   # quad5 has f* = -6.26: c = 1 (the default) would fail f + c > 0
        ("scalar", {"lr": 0.05, "c": 8.0, "energy": "scalar"}),
        ("aegdw", {"lr": 0.2, "c": 7.0, "weight_decay": 0.01, "aegdw": True}),
        ("l2", {"lr": 0.1, "c": 20.0, "weight_decay": 0.05}),
    ]
    newton = [
        ("hanzely", {}),
        ("hanzely-L10", {"L": 10.0}),
        ("plain", {"stepsize": "plain"}),
        ("backtracking", {"stepsize": "backtracking", "c1": 1e-4, "rho": 0.5}),
    ]
    for name, params in sophia:
        for p in ("quad5", "rosen2", "rosen4"):
            S.append(("sophia", name, p, params))
    for name, params in zo:
        for p in ("quad5", "rosen2", "rosen4"):
            S.append(("zo_sgd", name, p, params))
    for name, params in aegd:
        for p in ("quad5", "rosen2", "rosen4"):
            S.append(("aegd", name, p, params))
    for name, params in newton:
        for p in ("quad5", "rosen2", "rosen4", "rosen2c"):
            if p != "rosen2c" or params.get("stepsize") == "backtracking":
                S.append(("damped_newton", name, p, params))
    return S


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "numpy_curv_reference.json"))
    args = ap.parse_args()
    cases = []
    for opt, name, pname, params in settings():
        cnt = Counts()
        its = RUNNERS[opt](PROBLEMS[pname], params, STEPS, cnt)
        for k, x in enumerate(its):
            if not np.all(np.isfinite(x)):
                sys.exit("%s/%s/%s diverged at step %d" % (opt, name, pname, k + 1))
        cases.append({
            "id": "%s/%s/%s" % (opt, name, pname), "optimizer": opt, "problem": pname, "params": params,
            "counts": {"f": cnt.f, "grad": cnt.grad, "hvp": cnt.hvp, "gnvp": cnt.gnvp},
            "iterates": [[float(v) for v in x] for x in its],
        })
    doc = {
        "generator": "tests/reference/gen_numpy_curv.py",
        "numpy": np.__version__, "python": platform.python_version(),
        "seed": SEED, "steps": STEPS,
        "problems": {k: v.doc() for k, v in PROBLEMS.items()},
        "cases": cases,
    }
    with open(args.output, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
