#!/usr/bin/env python3
"""gen_sor.py -- regenerate tests/reference/sor_reference.json.

An independent reference for optbench's stationary solvers (jacobi,
gauss_seidel, sor) on small 2-D Poisson problems, written from the textbook
definitions (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
2003, sec. 4.1) and not from optbench's C files:

  A = D + L + U  (diagonal, strictly lower, strictly upper part)
  x_{k+1} = x_k + M^-1 (b - A x_k),   x_0 = 0,
  M = D (Jacobi), D + L (Gauss-Seidel), D/omega + L (SOR).

A is assembled densely: the 5-point negative Laplacian on an n x n interior
grid (unscaled, like MATLAB's delsq: 4 + c on the diagonal, -1 for each of the
four neighbours), natural (lexicographic) order with x fastest, plus c I; the
right-hand side is all ones. M^-1 r is numpy.linalg.solve on the dense M.
The stop is the first k with ||b - A x_k||_2 / ||b - A x_0||_2 < tol
(tol = 1e-8, the default of optbench's linear-system problems).

For each case the JSON records the iteration count, the iterate after the
first three iterations and the final iterate; tests/check_linsys.c requires
the counts exactly and the iterates to 1e-12 (relative, 2-norm).

Needs numpy only; the tests read the JSON, never this script.

    /usr/bin/python3 tests/reference/gen_sor.py [-o tests/reference/sor_reference.json]
"""
import argparse
import json
import math
import os

import numpy as np

TOL = 1e-8
MAXIT = 100000


def poisson2d(n, c):
    """Dense 5-point negative Laplacian + c I, lexicographic order (x fastest)."""
    N = n * n
    A = np.zeros((N, N))
    for iy in range(n):
        for ix in range(n):
            i = iy * n + ix
            A[i, i] = 4.0 + c
            if ix > 0:
                A[i, i - 1] = -1.0
            if ix + 1 < n:
                A[i, i + 1] = -1.0
            if iy > 0:
                A[i, i - n] = -1.0
            if iy + 1 < n:
                A[i, i + n] = -1.0
    return A


def splitting(A, solver, omega):
    D = np.diag(np.diag(A))
    L = np.tril(A, -1)
    if solver == "jacobi":
        return D
    if solver == "gauss_seidel":
        return D + L
    if solver == "sor":
        return D / omega + L
    raise ValueError(solver)


def run(A, b, M):
    x = np.zeros_like(b)
    r0 = np.linalg.norm(b - A @ x)
    first = []
    k = 0
    while k < MAXIT:
        x = x + np.linalg.solve(M, b - A @ x)
        k += 1
        if k <= 3:
            first.append([float(v) for v in x])
        if np.linalg.norm(b - A @ x) / r0 < TOL:
            break
    return k, first, [float(v) for v in x]


def young(n, c):
    """Young's omega from rho(J) = 4 cos(pi h) / (4 + c), h = 1/(n+1)."""
    rho = 4.0 * math.cos(math.pi / (n + 1)) / (4.0 + c)
    return 2.0 / (1.0 + math.sqrt(1.0 - rho * rho))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("-o", default=os.path.join(here, "sor_reference.json"))
    args = ap.parse_args()
    cases = []
    for n, c in [(3, 0.0), (5, 0.0), (8, 0.0), (6, 0.5)]:
        A = poisson2d(n, c)
        b = np.ones(n * n)
        runs = [("jacobi", None), ("gauss_seidel", None), ("sor", 1.0), ("sor", 1.3), ("sor", 1.7),
                ("sor", young(n, c))]
        for solver, omega in runs:
            k, first, xf = run(A, b, splitting(A, solver, omega))
            cases.append({"n": n, "shift": c, "solver": solver, "omega": omega, "iterations": k,
                          "first": first, "final": xf})
    out = {"generator": "tests/reference/gen_sor.py", "numpy": np.__version__, "tol": TOL,
           "rhs": "ones", "cases": cases}
    with open(args.o, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
