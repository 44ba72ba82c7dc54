#!/usr/bin/env python3
"""mannwhitney_ref.py -- independent reference values for reports/stats.c.

Standard library only (no scipy). The exact two-sided p-value is found by
enumerating every way to choose which of the pooled positions belong to
sample a (itertools.combinations), not by the recursion stats.c uses; the
normal approximation is written out from its textbook formula with math.erfc.
Prints one line per case: name, U of a, two-sided p. The values are pasted
into tests/check_stats.c; rerun this script to check them.
"""
import itertools
import math


def u_stat(a, b):
    return sum(1.0 if x > y else 0.5 if x == y else 0.0 for x in a for y in b)


def exact_p(a, b):
    m, n = len(a), len(b)
    u = u_stat(a, b)
    lo = min(u, m * n - u)
    hits = total = 0
    for pos in itertools.combinations(range(m + n), m):
        # ranks 0..m+n-1 with no ties: U of a = sum of ranks of a - m(m-1)/2
        uu = sum(pos) - m * (m - 1) // 2
        total += 1
        if uu <= lo:
            hits += 1
    return u, min(1.0, 2.0 * hits / total)


def exact_p_qbinom(a, b):
    """Exact p for sizes too large to enumerate: the counts of U are the
    coefficients of the Gaussian binomial [m+n choose m]_q, built as
    prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i) with integer polynomials."""
    m, n = len(a), len(b)
    u = u_stat(a, b)
    lo = int(min(u, m * n - u))
    c = [1] + [0] * (m * n)
    for i in range(1, m + 1):
        for k in range(m * n, n + i - 1, -1):  # multiply by 1 - q^(n+i)
            c[k] -= c[k - n - i]
        for k in range(i, m * n + 1):  # divide by 1 - q^i
            c[k] += c[k - i]
    return u, min(1.0, 2.0 * sum(c[: lo + 1]) / sum(c))


def normal_p(a, b):
    m, n = len(a), len(b)
    u = u_stat(a, b)
    pooled = sorted(a + b)
    N = m + n
    ties = 0
    for v in set(pooled):
        t = pooled.count(v)
        ties += t ** 3 - t
    var = m * n / 12.0 * ((N + 1) - ties / (N * (N - 1)))
    if var <= 0:
        return u, 1.0
    z = (abs(u - m * n / 2.0) - 0.5) / math.sqrt(var)
    if z <= 0:
        return u, 1.0
    return u, min(1.0, math.erfc(z / math.sqrt(2.0)))


CASES = [
    ("scipy_doc", [19, 22, 16, 29, 24], [20, 11, 17, 12], exact_p),
    ("separated3", [1, 2, 3], [4, 5, 6], exact_p),
    ("interleaved", [1, 3, 5, 7, 9, 11], [2, 4, 6, 8, 10, 12, 14], exact_p),
    ("one_each", [2.0], [1.0], exact_p),
    ("twelve_nine", [0.1 * i * i for i in range(1, 13)], [0.37 * i + 1.01 for i in range(9)], exact_p),
    ("twenty_interleaved", [2.0 * i for i in range(20)], [2.0 * i + 1 for i in range(20)], exact_p_qbinom),
    ("separated3_qbinom", [1, 2, 3], [4, 5, 6], exact_p_qbinom),
    ("ties_small", [1, 2, 2, 3, 4, 5], [2, 3, 3, 6, 7, 8, 8], normal_p),
    ("scipy_doc_normal", [19, 22, 16, 29, 24], [20, 11, 17, 12], normal_p),
    ("large_shift", [i + 0.5 for i in range(25)], [i + 3.25 for i in range(22)], normal_p),
    ("all_equal", [1.0] * 5, [1.0] * 5, normal_p),
]

if __name__ == "__main__":
    for name, a, b, fn in CASES:
        u, p = fn(a, b)
        print(f"{name} U={u!r} p={p!r}")
