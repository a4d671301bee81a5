#!/usr/bin/env python3
"""Write the reference fixtures for the Swift InfoplaneEstimators tests.

Run: `make fixtures` (or python3 Scripts/reference/make_fixtures.py [--out DIR]).
Output: Tests/InfoplaneEstimatorsTests/Fixtures/*.json, one file per estimator family,
in the format agreed with the Swift tests (see Scripts/reference/README.md).

Every expected value is computed by Scripts/reference/infoplane_reference.py (numpy,
scipy cKDTree, the official dse-dsmi package) and cross-checked here by a second path
(brute-force numpy kNN, scikit-learn, the package's own DSMI); the script stops with an
error if any cross-check fails, so a fixture file is never written from an unchecked value.
Data sets are seeded (SEED below, one numpy Generator per data set) and, for the kNN
estimators, checked tie-free with a relative margin so that any exact implementation
finds the same neighbours and the same counts.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import infoplane_reference as ref  # noqa: E402

SEED = 20260401
TIE_MARGIN = 1e-9   # relative gap required between a count's radius and any other distance
KNN_TOL = 1e-9      # Swift must match kNN estimators to this relative tolerance (issue 3)
BIN_TOL = 1e-12
DSE_TOL = 1e-6      # issue 3: DSE/DSMI to 1e-6 relative
RENYI_TOL = 1e-8
GAUSS_TOL = 1e-10

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "Tests", "InfoplaneEstimatorsTests", "Fixtures")


def versions() -> dict:
    import scipy
    import sklearn
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "dse-dsmi": importlib.metadata.version("dse-dsmi"),
    }


def rng_for(tag: str) -> np.random.Generator:
    """One independent seeded generator per data set, keyed by its name."""
    return np.random.default_rng([SEED, int.from_bytes(hashlib.sha256(tag.encode()).digest()[:8], "little")])


def rows(a) -> list:
    return ref.as_2d(a).tolist()


def check(cond: bool, what: str):
    if not cond:
        raise SystemExit(f"make_fixtures: cross-check failed: {what}")


def rel_err(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


# ---------------------------------------------------------------------------
# Data sets
# ---------------------------------------------------------------------------

def gaussian_pairs(tag, n, d, rho=0.6):
    """d independent pairs (x_j, y_j) with correlation rho; analytic I = -d/2 log(1-rho^2)."""
    g = rng_for(tag)
    x = g.standard_normal((n, d))
    y = rho * x + math.sqrt(1 - rho ** 2) * g.standard_normal((n, d))
    return x, y, -0.5 * d * math.log(1 - rho ** 2)


def uniform_pairs(tag, n, d):
    """x ~ U(0,1)^d, y = x + U(-0.3, 0.3)^d (coordinate-wise)."""
    g = rng_for(tag)
    x = g.uniform(0, 1, (n, d))
    y = x + g.uniform(-0.3, 0.3, (n, d))
    return x, y


def nonlinear_pairs(tag, n, d):
    """x ~ U(-pi, pi)^d, y = sin(x) + 0.1 N(0,1) (coordinate-wise)."""
    g = rng_for(tag)
    x = g.uniform(-math.pi, math.pi, (n, d))
    y = np.sin(x) + 0.1 * g.standard_normal((n, d))
    return x, y


# ---------------------------------------------------------------------------
# Tie checks (brute force): the counts must not depend on rounding of distances
# ---------------------------------------------------------------------------

def _maxdist(a):
    return np.max(np.abs(a[:, None, :] - a[None, :, :]), axis=2)


def _robust_count(dist_rows, radius, exact_ok_mask=None):
    """True if no distance lies within the relative margin of `radius` unless it equals it
    exactly and is allowed to (a distance that defines the radius itself)."""
    lo = radius * (1 - TIE_MARGIN)
    hi = radius * (1 + TIE_MARGIN)
    near = (dist_rows >= lo[:, None]) & (dist_rows <= hi[:, None])
    exact = dist_rows == radius[:, None]
    if exact_ok_mask is not None:
        exact = exact & exact_ok_mask
    return bool(np.all(~near | exact))


def check_ksg_tie_free(x, y, k, tag):
    x = ref.as_2d(x)
    y = ref.as_2d(y)
    n = x.shape[0]
    dx, dy = _maxdist(x), _maxdist(y)
    dz = np.maximum(dx, dy)
    np.fill_diagonal(dz, np.inf)
    srt = np.sort(dz, axis=1)
    check(np.all(srt[:, k] > srt[:, k - 1] * (1 + TIE_MARGIN)), f"{tag}: joint k-th/(k+1)-th neighbour tie")
    order = np.argsort(dz, axis=1)[:, :k]
    in_knn = np.zeros((n, n), dtype=bool)
    in_knn[np.arange(n)[:, None], order] = True
    eps = srt[:, k - 1]
    check(_robust_count(dx, eps, in_knn) and _robust_count(dy, eps, in_knn), f"{tag}: alg-1 marginal tie")
    ex = np.max(np.where(in_knn, dx, -np.inf), axis=1)
    ey = np.max(np.where(in_knn, dy, -np.inf), axis=1)
    check(_robust_count(dx, ex, in_knn) and _robust_count(dy, ey, in_knn), f"{tag}: alg-2 marginal tie")


def check_mixed_tie_free(x, labels, k, tag):
    x = ref.as_2d(x)
    labels = np.asarray(labels)
    n = x.shape[0]
    d = _maxdist(x)
    np.fill_diagonal(d, np.inf)
    radius = np.full(n, np.nan)
    for c in np.unique(labels):
        m = labels == c
        if m.sum() > 1:
            kk = min(k, int(m.sum()) - 1)
            sub = np.sort(d[np.ix_(m, m)], axis=1)
            if sub.shape[1] > kk:
                check(np.all(sub[:, kk] > sub[:, kk - 1] * (1 + TIE_MARGIN)), f"{tag}: same-label tie")
            radius[m] = sub[:, kk - 1]
    keep = ~np.isnan(radius)
    same = labels[:, None] == labels[None, :]
    check(_robust_count(d[keep], radius[keep], same[keep]), f"{tag}: mixed count tie")


# ---------------------------------------------------------------------------
# Case builders
# ---------------------------------------------------------------------------

def case(name, estimator, params, x, expected, units, tol, note, y=None, labels=None, subsets=None):
    return {
        "name": name,
        "estimator": estimator,
        "params": params,
        "x": rows(x),
        "y": rows(y) if y is not None else None,
        "labels": [int(v) for v in np.asarray(labels).reshape(-1)] if labels is not None else None,
        "subset_indices": ({str(k): v for k, v in subsets.items()} if subsets is not None else None),
        "expected": float(expected),
        "units": units,
        "tolerance_rel": tol,
        "note": note,
    }


KSG_NOTE = ("KSG algorithm {alg} (Kraskov et al. 2004), max-norm in the joint space, exact counts: "
            "{count}. Data tie-free: the k-th and (k+1)-th joint distances and every marginal distance "
            "near a counting radius differ by > 1e-9 relative (checked by brute force), so any exact "
            "Float64 implementation finds the same neighbours. Expected from scipy cKDTree (p=inf, "
            "query_ball_point counts), equal to a brute-force numpy O(N^2) computation (|diff| {bf:.1e}). "
            "Analytic/true MI of the generating process: {truth}. {extra}")
COUNT_RULE = {
    1: "n_x = #{j!=i: |x_j-x_i|_inf < eps_i} (strict, as a <= count at nextafter(eps_i, 0)); "
       "I = psi(k)+psi(N)-mean(psi(n_x+1)+psi(n_y+1))",
    2: "eps_x(i) = max marginal distance among the k joint neighbours, n_x = #{j!=i: |x_j-x_i|_inf <= eps_x(i)}; "
       "I = psi(k)-1/k+psi(N)-mean(psi(n_x)+psi(n_y))",
}


def ksg_cases(family, make, truth_fn, n_for_d):
    out = []
    for d in (1, 2, 4):
        n = n_for_d[d]
        tag = f"ksg-{family}-d{d}"
        x, y = make(tag, n, d)
        for k in (3, 5):
            check_ksg_tie_free(x, y, k, f"{tag}-k{k}")
            for alg in (1, 2):
                value = ref.ksg(x, y, k=k, algorithm=alg)
                bf = ref.ksg_bruteforce(x, y, k=k, algorithm=alg)
                check(rel_err(bf, value) < 1e-12, f"{tag} k{k} alg{alg}: cKDTree {value} vs brute force {bf}")
                note = KSG_NOTE.format(alg=alg, count=COUNT_RULE[alg], bf=abs(bf - value),
                                       truth=truth_fn(d), extra="Not standardized: use x and y as given.")
                out.append(case(f"{tag}-k{k}-alg{alg}", f"ksg{alg}",
                                {"k": k, "metric": "max", "standardize": False},
                                x, value, "nats", KNN_TOL, note, y=y))
                print(f"  {tag} k={k} alg{alg}: {value:.6f} nats (truth {truth_fn(d)})", file=sys.stderr)
    return out


def ksg_imbalanced_cases():
    """x 1-D, y 3-D: y = (sin 2x, cos 2x, N(0,1)) + 0.2 N(0,1); the marginal spaces differ in dimension."""
    out = []
    tag = "ksg-imbalanced"
    g = rng_for(tag)
    n = 800
    x = g.uniform(-1.5, 1.5, (n, 1))
    y = np.hstack([np.sin(2 * x), np.cos(2 * x), g.standard_normal((n, 1))]) + 0.2 * g.standard_normal((n, 3))
    for k in (3, 5):
        check_ksg_tie_free(x, y, k, f"{tag}-k{k}")
        for alg in (1, 2):
            value = ref.ksg(x, y, k=k, algorithm=alg)
            bf = ref.ksg_bruteforce(x, y, k=k, algorithm=alg)
            check(rel_err(bf, value) < 1e-12, f"{tag} k{k} alg{alg}: {value} vs {bf}")
            note = KSG_NOTE.format(alg=alg, count=COUNT_RULE[alg], bf=abs(bf - value),
                                   truth="not closed-form", extra="x is 1-D and y 3-D (y = (sin 2x, cos 2x, "
                                   "N(0,1)) + 0.2 N(0,1), x ~ U(-1.5, 1.5)). Not standardized.")
            out.append(case(f"{tag}-1d-3d-k{k}-alg{alg}", f"ksg{alg}", {"k": k, "metric": "max", "standardize": False},
                            x, value, "nats", KNN_TOL, note, y=y))
            print(f"  {tag} k={k} alg{alg}: {value:.6f}", file=sys.stderr)
    return out


def ksg_sklearn_cases():
    """1-D vs 1-D KSG-1 with sklearn's per-column scaling, cross-checked against
    sklearn.feature_selection.mutual_info_regression (which adds a seeded 1e-10 jitter)."""
    from sklearn.feature_selection import mutual_info_regression
    out = []
    sets = {
        "gaussian": lambda tag: gaussian_pairs(tag, 1000, 1)[:2],
        "uniform": lambda tag: uniform_pairs(tag, 1000, 1),
        "nonlinear": lambda tag: nonlinear_pairs(tag, 1000, 1),
    }
    for family, make in sets.items():
        tag = f"ksg-sklearn-{family}"
        x, y = make(tag)
        # Different scales per variable so that standardisation matters.
        x = 3.0 * x + 1.0
        y = 0.25 * y - 2.0
        xs, ys = ref.standardize_sklearn(x), ref.standardize_sklearn(y)
        for k in (3, 5):
            check_ksg_tie_free(xs, ys, k, f"{tag}-k{k}")
            value = ref.ksg(xs, ys, k=k, algorithm=1)
            sk = [float(mutual_info_regression(x, y.ravel(), n_neighbors=k, random_state=s)[0]) for s in (0, 1, 2)]
            check(value > 0, f"{tag}: MI must be > 0 for the sklearn comparison (sklearn clips at 0)")
            diffs = [rel_err(v, value) for v in sk]
            check(max(diffs) < 1e-12, f"{tag} k{k}: sklearn {sk} vs reference {value}")
            raw = ref.ksg(x, y, k=k, algorithm=1)
            note = (f"KSG algorithm 1 on 1-D x and y, standardize=true: each column divided by its population "
                    f"std (ddof 0, no centring; sklearn.preprocessing.scale(with_mean=False)), no jitter. "
                    f"Cross-check: sklearn mutual_info_regression(n_neighbors={k}) with random_state 0, 1, 2 "
                    f"(its 1e-10 jitter differs per seed) gives {sk[0]!r}, {sk[1]!r}, {sk[2]!r}: max relative "
                    f"difference to this value {max(diffs):.1e}, so the jitter changes no neighbour on this "
                    f"tie-free data. Without standardization the same data give {raw!r} "
                    f"(x scaled by 3, y by 0.25 on purpose).")
            out.append(case(f"{tag}-k{k}-standardized", "ksg1",
                            {"k": k, "metric": "max", "standardize": True},
                            x, value, "nats", KNN_TOL, note, y=y))
            print(f"  {tag} k={k}: {value:.6f} nats, sklearn max rel diff {max(diffs):.1e}", file=sys.stderr)
    return out


def kl_cases():
    out = []
    specs = [
        ("gaussian", 1, lambda g, n, d: g.standard_normal((n, d)), lambda d: 0.5 * d * math.log(2 * math.pi * math.e)),
        ("gaussian", 3, lambda g, n, d: g.standard_normal((n, d)), lambda d: 0.5 * d * math.log(2 * math.pi * math.e)),
        ("uniform", 2, lambda g, n, d: g.uniform(0, 2, (n, d)), lambda d: d * math.log(2.0)),
        ("uniform", 4, lambda g, n, d: g.uniform(0, 2, (n, d)), lambda d: d * math.log(2.0)),
    ]
    for family, d, gen, truth in specs:
        tag = f"kl-{family}-d{d}"
        x = gen(rng_for(tag), 1000, d)
        for k in (3, 5):
            for metric in ("max", "euclidean"):
                value = ref.kl_entropy(x, k=k, metric=metric)
                # Second path: brute-force distances.
                if metric == "max":
                    dm = _maxdist(x)
                    logv = d * math.log(2)
                else:
                    dm = np.sqrt(np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=2))
                    logv = 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d + 1)
                np.fill_diagonal(dm, np.inf)
                r = np.sort(dm, axis=1)[:, k - 1]
                from scipy.special import digamma
                bf = float(digamma(1000) - digamma(k) + logv + d * np.mean(np.log(r)))
                check(rel_err(bf, value) < 1e-12, f"{tag}: KL cKDTree {value} vs brute {bf}")
                vd = "2^d (r = half-width of the cube)" if metric == "max" else "pi^(d/2)/Gamma(d/2+1)"
                note = (f"Kozachenko-Leonenko entropy, H = psi(N) - psi(k) + log V_d + d*mean(log r_i), "
                        f"r_i = {metric}-norm distance to the k-th neighbour (self excluded), V_d = {vd}. "
                        f"Equal to a brute-force numpy computation (rel diff {rel_err(bf, value):.1e}). "
                        f"Closed-form entropy of the distribution: {truth(d)!r} nats.")
                out.append(case(f"{tag}-k{k}-{metric}", "kl-entropy",
                                {"k": k, "metric": metric, "standardize": False},
                                x, value, "nats", KNN_TOL, note))
                print(f"  {tag} k={k} {metric}: {value:.6f} (truth {truth(d):.6f})", file=sys.stderr)
    return out


def mixed_cases():
    from sklearn.feature_selection import mutual_info_classif
    out = []
    # 1-D, sklearn-comparable: D ~ Bernoulli(1/2), C | D ~ N(s D, 1) (Ross 2014 ground truth)
    truths = {2: 0.3368, 4: 0.6327}
    for s in (2, 4):
        tag = f"mixed-ross-s{s}"
        g = rng_for(tag)
        labels = (g.uniform(size=1000) < 0.5).astype(np.int64)
        x = (s * labels + g.standard_normal(1000)).reshape(-1, 1) * 5.0  # scale 5 so standardization matters
        xs = ref.standardize_sklearn(x)
        for k in (3, 5):
            check_mixed_tie_free(xs, labels, k, tag)
            value = ref.mixed_mi(xs, labels, k=k)
            sk = [float(mutual_info_classif(x, labels, n_neighbors=k, random_state=r)[0]) for r in (0, 1)]
            diffs = [rel_err(v, value) for v in sk]
            check(max(diffs) < 1e-12, f"{tag}: sklearn {sk} vs {value}")
            note = (f"Mixed continuous/discrete MI (Ross 2014) as sklearn mutual_info_classif: k_i = min(k, N_c-1), "
                    f"d_i = k_i-th same-label neighbour distance, m_i = #{{j: |x_j-x_i| < d_i}} over all labels "
                    f"(self included), I = psi(N)+mean(psi(k_i))-mean(psi(N_c))-mean(psi(m_i)), no clipping. "
                    f"standardize=true: x divided by its population std (ddof 0, no centring). Data: labels ~ "
                    f"Bernoulli(1/2), x = 5*(N({s}*label, 1)); true I = {truths[s]} nats. Cross-check: "
                    f"sklearn mutual_info_classif(n_neighbors={k}, random_state 0 and 1) = {sk[0]!r}, {sk[1]!r}, "
                    f"max rel diff {max(diffs):.1e} (jitter irrelevant on tie-free data).")
            out.append(case(f"{tag}-k{k}-standardized", "mixed", {"k": k, "metric": "max", "standardize": True},
                            x, value, "nats", KNN_TOL, note, labels=labels))
            print(f"  {tag} k={k}: {value:.6f} (truth {truths[s]}), sklearn diff {max(diffs):.1e}", file=sys.stderr)
    # Multivariate T, 3 classes with shifted means, plus a singleton label and a class smaller than k+1.
    for d in (2, 4):
        tag = f"mixed-multi-d{d}"
        g = rng_for(tag)
        n = 600
        labels = g.integers(0, 3, size=n)
        labels[0] = 7          # a label that occurs once: dropped, N counts the rest
        labels[1:4] = 9        # a class of 3 points: k_i = min(k, 2)
        centers = g.standard_normal((10, d)) * 1.5
        x = centers[labels] + g.standard_normal((n, d))
        for k in (3, 5):
            check_mixed_tie_free(x, labels, k, f"{tag}-k{k}")
            value = ref.mixed_mi(x, labels, k=k, metric="max")
            note = ("Mixed MI (Ross 2014, sklearn's algorithm) on multivariate x with the max-norm "
                    "(|.|_inf) for both the same-label kNN radius and the all-label strict count; "
                    "not standardized. Labels 0..2 random; label 7 occurs once (row 0: dropped, N = "
                    f"{n - 1}); label 9 has 3 rows (k_i = min(k, 2)). Tie-free by brute-force check.")
            out.append(case(f"{tag}-k{k}", "mixed", {"k": k, "metric": "max", "standardize": False},
                            x, value, "nats", KNN_TOL, note, labels=labels))
            print(f"  {tag} k={k}: {value:.6f}", file=sys.stderr)
    return out


BIN_RULE = ("Binning convention: `bins` = number of equal-width INTERVALS; edges = np.linspace(lo, hi, bins+1) "
            "(numpy: edge_i = i*((hi-lo)/bins) + lo, last edge = hi exactly); a value's index = number of "
            "interior edges <= value (np.searchsorted(edges[1:-1], v, 'right')): half-open [e_i, e_{i+1}), the "
            "last interval closed, values below lo go to bin 0 and above hi to bin bins-1. A row's symbol is "
            "the tuple of its units' indices; H(T) = -sum p log2 p over distinct rows (bits). ")
ADAPTIVE_RULE = ("Adaptive equal-mass binning per unit (Chelombiev et al. 2019): s = that column sorted "
                 "ascending, interior edges e_j = s[floor(j*N/bins)] for j = 1..bins-1, index = #{j: e_j <= v}; "
                 "equal values share a bin, repeated edges leave empty bins. ")


def binning_cases():
    out = []
    g = rng_for("binning-tanh")
    n = 1000
    tanh3 = np.tanh(g.standard_normal((n, 3)) * 0.8)
    tanh6 = np.tanh(g.standard_normal((n, 6)) * 0.04)
    labels = g.integers(0, 2, size=n)
    relu = np.maximum(0.0, g.standard_normal((n, 4)) * 2.0)  # exact zeros: ties in bin 0
    wide = g.standard_normal((n, 3)) * 0.7

    def alt(x, bins, binning, rng=(-1.0, 1.0)):
        """Second path: np.digitize on all edges, clipped."""
        x = ref.as_2d(x)
        if binning == "fixed":
            lo, hi = rng
        elif binning == "observed":
            lo, hi = x.min(), x.max()
        else:
            return None
        e = np.linspace(lo, hi, bins + 1)
        idx = np.clip(np.digitize(x, e) - 1, 0, bins - 1)
        return ref.pattern_entropy_bits(idx)

    def add(name, x, bins, binning, extra, lab=None, tol=BIN_TOL):
        params = {"bins": bins, "binning": binning}
        if binning == "fixed":
            params["range"] = [-1.0, 1.0]
        if lab is None:
            value = ref.binning_entropy(x, bins, binning)
            a = alt(x, bins, binning)
            if a is not None:
                check(a == value, f"{name}: digitize path {a} vs {value}")
            est = "binning-entropy"
        else:
            value = ref.binning_mi(x, lab, bins, binning)
            est = "binning-mi"
        rule = ADAPTIVE_RULE if binning == "adaptive" else BIN_RULE
        if binning == "observed":
            rule += "observed: lo, hi = min and max over ALL entries of the layer (all units, all rows). "
        if est == "binning-mi":
            rule += "I(T;Y) = H(T) - sum_y p(y) H(T|Y=y), T binned once on all rows. "
        out.append(case(name, est, params, x, value, "bits", tol, rule + extra, labels=lab))
        print(f"  {name}: {value:.6f} bits", file=sys.stderr)

    add("binning-entropy-tanh3-fixed30", tanh3, 30, "fixed", "Data: tanh(0.8 N(0,1)), 3 units.")
    add("binning-entropy-tanh6-fixed30", tanh6, 30, "fixed", "Data: tanh(0.04 N(0,1)), 6 units (few occupied bins).")
    add("binning-entropy-tanh3-fixed10", tanh3, 10, "fixed", "Data: tanh(0.8 N(0,1)), 3 units.")
    add("binning-entropy-relu4-observed30", relu, 30, "observed", "Data: max(0, 2 N(0,1)), 4 units (many exact zeros).")
    add("binning-entropy-wide3-observed100", wide, 100, "observed", "Data: 0.7 N(0,1), 3 units (Saxe et al. use 100 bins).")
    add("binning-entropy-wide3-adaptive10", wide, 10, "adaptive", "Data: 0.7 N(0,1), 3 units.")
    add("binning-entropy-relu4-adaptive30", relu, 30, "adaptive", "Data: max(0, 2 N(0,1)), 4 units; ties at 0 share a bin.")
    add("binning-mi-tanh3-fixed30", tanh3, 30, "fixed", "Labels: random 0/1.", lab=labels)
    lab_dep = (tanh3[:, 0] + 0.3 * g.standard_normal(n) > 0).astype(np.int64)
    add("binning-mi-tanh3-dep-fixed10", tanh3, 10, "fixed", "Labels: [tanh unit 0 + 0.3 N(0,1) > 0].", lab=lab_dep)
    add("binning-mi-relu4-observed30", relu, 30, "observed", "Labels: random 0/1.", lab=labels)
    add("binning-mi-wide3-adaptive10", wide, 10, "adaptive", "Labels: [tanh unit 0 + 0.3 N(0,1) > 0].", lab=lab_dep)

    # Values exactly on edges, exactly at +-1, and out of range.
    edges = np.linspace(-1.0, 1.0, 31)
    pool = np.concatenate([edges, [-1.5, 1.5, -1.0000001, 1.0000001, np.nextafter(1.0, 0), np.nextafter(-1.0, 0)]])
    ge = rng_for("binning-edges")
    xe = pool[ge.integers(0, len(pool), size=(400, 2))]
    add("binning-entropy-edges-fixed30", xe, 30, "fixed",
        "Data: values drawn from the 31 edges themselves (computed as np.linspace(-1, 1, 31)), +-1.5, "
        "+-1.0000001 and nextafter(+-1, 0): tests the exact edge arithmetic and the clamping; an edge value "
        "belongs to the interval it starts (1.0 to the last one).")

    # IDNNs equivalence: their linspace(-1,1,30) edges = 29 intervals for values strictly inside (-1, 1).
    inside = np.tanh(rng_for("binning-idnns").standard_normal((1000, 2)) * 0.7)
    check(np.all(np.abs(inside) < 1.0), "idnns data inside (-1,1)")
    h29 = ref.binning_entropy(inside, 29, "fixed")
    h_idnns = ref.pattern_entropy_bits(ref.idnns_digitize(inside, 30))
    check(h29 == h_idnns, f"IDNNs equivalence {h29} vs {h_idnns}")
    add("binning-entropy-idnns30-equals-bins29", inside, 29, "fixed",
        "IDNNs (ravidziv/IDNNs) uses np.linspace(-1, 1, 30) as EDGES, i.e. 29 intervals, plus a separate "
        "symbol for v >= 1 (and v < -1 wraps to that same symbol through index -1). For values strictly "
        f"inside (-1, 1) IDNNs' 'num_of_bins = 30' equals bins = 29 here: IDNNs-style value {h_idnns!r} bits, "
        "identical. Data: tanh(0.7 N(0,1)), 2 units.")

    # Shwartz-Ziv & Tishby inputs: 4096 distinct 12-bit patterns -> exactly 12 bits.
    bits = ((np.arange(4096)[:, None] >> np.arange(11, -1, -1)) & 1).astype(np.float64)
    add("binning-entropy-szt-inputs-fixed30", bits, 30, "fixed",
        "Data: all 4096 binary 12-bit patterns (Shwartz-Ziv & Tishby inputs), every row distinct: H = 12 bits exactly.")
    check(out[-1]["expected"] == 12.0, "12-bit patterns must give 12 bits")
    return out


def dse_cases():
    out = []
    g = rng_for("dse")
    sets = {
        "gauss-d4-n500": g.standard_normal((500, 4)) * 3.0,
        "uniform-d8-n300": g.uniform(0, 1, (300, 8)),
        "clusters-d3-n400": (g.standard_normal((5, 3)) * 10.0)[g.integers(0, 5, 400)] + g.standard_normal((400, 3)),
    }
    params = {
        "gauss-d4-n500": [(10.0, 1), (2.0, 2)],
        "uniform-d8-n300": [(10.0, 1), (0.5, 3)],
        "clusters-d3-n400": [(10.0, 1), (1.0, 1)],
    }
    for name, x in sets.items():
        for sigma, t in params[name]:
            value = ref.dse_package(x, sigma, t)
            mine = ref.dse_numpy(x, sigma, t)
            check(rel_err(mine, value) < 1e-10, f"dse {name}: package {value} vs numpy {mine}")
            wobble = dse_perturbed(x, sigma, t)
            check(rel_err(wobble, value) < DSE_TOL / 10, f"dse {name}: not robust to 1e-14 perturbations ({wobble} vs {value})")
            note = ("Diffusion spectral entropy by the official package dse_dsmi 1.1 "
                    "(diffusion_spectral_entropy(x, gaussian_kernel_sigma=sigma, t=t), defaults max_N=10000 not "
                    "reached): G = exp(-D^2/(2 sigma^2))/(sigma sqrt(2 pi)) on Euclidean D (sklearn "
                    "pairwise_distances), K = Deg^-1/2 G Deg^-1/2, eigvalsh, p = |lambda|^t/sum, p += 2.22e-16 "
                    "on every entry, DSE = -sum p log2 p (bits; the trivial eigenvalue 1 is kept). An "
                    f"independent numpy rewrite gives rel diff {rel_err(mine, value):.1e}; a symmetric "
                    f"perturbation of K by 1e-14*max|K| changes it by {rel_err(wobble, value):.1e} relative.")
            out.append(case(f"dse-{name}-sigma{sigma:g}-t{t}", "dse", {"sigma": sigma, "t": t},
                            x, value, "bits", DSE_TOL, note))
            print(f"  dse {name} sigma={sigma} t={t}: {value:.6f} bits", file=sys.stderr)
    return out


def dse_perturbed(x, sigma, t):
    """DSE after a seeded symmetric perturbation of K of size 1e-14 * max|K|: how much the value
    can move with round-off in another BLAS/LAPACK (must stay far below the tolerance)."""
    x = ref.as_2d(x)
    sq = np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=2)
    g = np.exp(-sq / (2.0 * sigma ** 2)) / (sigma * math.sqrt(2.0 * math.pi))
    s = 1.0 / np.sqrt(g.sum(axis=1))
    k = g * s[:, None] * s[None, :]
    e = rng_for("perturb").standard_normal(k.shape)
    k = k + 1e-14 * np.abs(k).max() * (e + e.T) / 2
    lam = np.abs(np.linalg.eigvalsh(k)) ** t
    p = lam / lam.sum() + np.finfo(float).eps
    return float(-np.sum(p * np.log2(p)))


def dsmi_cases():
    out = []
    g = rng_for("dsmi")
    n = 300
    labels = g.integers(0, 3, size=n)
    centers = g.standard_normal((3, 4)) * 2.0
    x = centers[labels] + g.standard_normal((n, 4))
    for sigma, t in ((10.0, 1), (1.0, 2)):
        pkg = ref.dsmi_package(x, labels.reshape(-1, 1).astype(np.int64), sigma, t)
        subsets = ref.dsmi_package_subsets(labels)
        mine = ref.dsmi_from_subsets(x, labels, subsets, sigma, t)
        check(mine == pkg, f"dsmi sigma={sigma}: reimplementation {mine!r} != package {pkg!r}")
        own = ref.dsmi_from_subsets(x, labels, subsets, sigma, t, dse=ref.dse_numpy)
        check(rel_err(own, pkg) < 1e-9, f"dsmi numpy-DSE path {own} vs {pkg}")
        note = ("DSMI(T;Y) with discrete labels, official dse_dsmi 1.1 algorithm: sum_b p(b) * "
                "(mean over the 5 subsets of DSE(T[subset]) - DSE(T[Y=b])), p(b) = N_b/N, classes in sorted "
                "order. The package draws the subsets with Python's `random` (random.seed(0) AGAIN before each "
                "class, then 5 x random.sample(range(N), k=N_b)); those indices, in draw order, are in "
                "subset_indices. Check: the reimplementation with these indices equals the package's "
                f"diffusion_spectral_mutual_information(x, labels[N,1] int64, sigma, t) bit for bit ({pkg!r}); "
                f"with an independent numpy DSE it differs by {rel_err(own, pkg):.1e} relative. Bits.")
        out.append(case(f"dsmi-labels3-d4-n300-sigma{sigma:g}-t{t}", "dsmi", {"sigma": sigma, "t": t},
                        x, pkg, "bits", DSE_TOL, note, labels=labels, subsets=subsets))
        print(f"  dsmi labels sigma={sigma} t={t}: {pkg:.6f} bits", file=sys.stderr)
    # Continuous 1-D reference: the package min-max scales and cuts into 10 bins (labels 1..10).
    gc = rng_for("dsmi-continuous")
    yc = gc.uniform(-1, 1, (n, 1))
    xc = np.hstack([np.sin(3 * yc), np.cos(3 * yc)]) + 0.1 * gc.standard_normal((n, 2))
    pkg = ref.dsmi_package(xc, yc, 1.0, 1)
    clusters = ref.dsmi_scalar_clusters(yc)
    subsets = ref.dsmi_package_subsets(clusters)
    mine = ref.dsmi_from_subsets(xc, clusters, subsets, 1.0, 1)
    check(mine == pkg, f"dsmi continuous: {mine!r} != {pkg!r}")
    note = ("DSMI(T;Y) with a CONTINUOUS 1-D y (float), official dse_dsmi 1.1: y is min-max scaled, "
            "v = (y-min)/(max-min), and cut by np.digitize(v, linspace(0,1,11)[:-1]) into labels 1..10 (the "
            "maximum falls in label 10); then the discrete-label algorithm (random.seed(0) before each class, "
            "5 x random.sample(range(N), N_b)); subset_indices are keyed by those labels 1..10. Reimplementation "
            f"with these indices equals the package bit for bit ({pkg!r}). Bits. labels is null: derive them from y.")
    out.append(case("dsmi-continuous1d-n300-sigma1-t1", "dsmi", {"sigma": 1.0, "t": 1},
                    xc, pkg, "bits", DSE_TOL, note, y=yc, subsets=subsets))
    print(f"  dsmi continuous: {pkg:.6f} bits", file=sys.stderr)
    return out


def renyi_cases():
    out = []
    g = rng_for("renyi")
    n = 300
    x = g.standard_normal((n, 3))
    y = np.hstack([x[:, :1] + 0.5 * g.standard_normal((n, 1)), g.standard_normal((n, 1))])
    for alpha in (1.01, 2.0):
        for sigma in (1.0, 2.5):
            v = ref.renyi_entropy(x, sigma, alpha)
            a = ref._gram_normalized(x, sigma)
            e = rng_for("perturb-renyi").standard_normal(a.shape)
            wob = ref._renyi_of_matrix_bits(a + 1e-14 * np.abs(a).max() * (e + e.T) / 2, alpha)
            check(rel_err(wob, v) < RENYI_TOL / 10, f"renyi sigma={sigma} alpha={alpha}: not robust ({wob} vs {v})")
            note = ("Matrix-based Renyi alpha-entropy (Sanchez Giraldo, Rao & Principe 2014): K_ij = "
                    "exp(-|x_i-x_j|^2/(2 sigma^2)) (Euclidean, squared distances from coordinate "
                    "differences), A = K/tr K, S = log2(sum lambda^alpha)/(1-alpha) with numpy eigvalsh, "
                    "negative round-off eigenvalues set to 0. Bits. Data: N(0, I_3).")
            out.append(case(f"renyi-entropy-d3-sigma{sigma:g}-alpha{alpha:g}", "renyi-entropy",
                            {"sigma": sigma, "alpha": alpha}, x, v, "bits", RENYI_TOL, note))
            mi = ref.renyi_mi(x, y, sigma, alpha)
            note = ("Matrix-based Renyi alpha mutual information: I = S(A) + S(B) - S(A o B / tr(A o B)), "
                    "A from x and B from y with the SAME sigma, o the Hadamard product; kernels and S as in "
                    "renyi-entropy. Bits. y = (x_0 + 0.5 N(0,1), N(0,1)).")
            out.append(case(f"renyi-mi-d3-d2-sigma{sigma:g}-alpha{alpha:g}", "renyi-mi",
                            {"sigma": sigma, "alpha": alpha}, x, mi, "bits", RENYI_TOL, note, y=y))
            print(f"  renyi sigma={sigma} alpha={alpha}: H={v:.6f} I={mi:.6f} bits", file=sys.stderr)
    return out


def gaussian_mi_cases():
    out = []
    for d in (1, 2, 4):
        tag = f"gaussian-mi-d{d}"
        x, y, truth = gaussian_pairs(tag, 2000, d)
        v = ref.gaussian_mi(x, y)
        # Second path: through correlation matrices.
        c = np.corrcoef(np.hstack([x, y]), rowvar=False)
        alt = 0.5 * (np.linalg.slogdet(c[:d, :d])[1] + np.linalg.slogdet(c[d:, d:])[1] - np.linalg.slogdet(c)[1])
        check(rel_err(alt, v) < 1e-10, f"{tag}: {alt} vs {v}")
        note = (f"Gaussian MI, I = 1/2 (log det S_x + log det S_y - log det S) in nats with S the sample "
                f"covariance (ddof 1; the ddof cancels), log-determinants by numpy slogdet. Data: {d} pairs with "
                f"rho = 0.6, analytic I = {truth!r} nats.")
        out.append(case(tag, "gaussian-mi", {}, x, v, "nats", GAUSS_TOL, note, y=y))
        print(f"  {tag}: {v:.6f} (analytic {truth:.6f})", file=sys.stderr)
    return out


# Kraskov's MILCA toolkit values (KSG algorithm 2, columns z-scored with ddof 1), as quoted in
# JIDT's unit tests (jlizier/jidt, MutualInfoMultiVariateTester), for its demos/data files.
MILCA_KS = [1, 2, 3, 4, 5, 6, 10, 15]
MILCA = [
    ("2randomCols-1.txt", [0], [1], [-0.05294175, -0.03944338, -0.02190217, 0.00120807,
                                     -0.00924771, -0.00316402, -0.00778205, -0.00565778]),
    ("4randomCols-1.txt", [0, 1], [2, 3], [0.02886644, 0.01071634, 0.00186857, -0.00377259,
                                           -0.00634851, -0.00863725, -0.01058087, -0.01106348]),
    ("4ColsPairedDirectDependence-1.txt", [0, 1], [2, 3], [5.00322122, 4.29011291, 3.91312749, 3.69192886,
                                                           3.52807488, 3.39865354, 3.05327646, 2.79951639]),
    ("4ColsPairedNoisyDependence-1.txt", [0, 1], [2, 3], [0.33738970, 0.36251531, 0.34708687, 0.36200563,
                                                          0.35766125, 0.35007623, 0.35023664, 0.33728287]),
]


def check_milca(directory):
    """Validate ref.ksg (algorithm 2) against MILCA's published values (8 decimals: |diff| <= 5e-9)."""
    worst = 0.0
    for filename, cx, cy, expected in MILCA:
        data = np.loadtxt(os.path.join(directory, filename), comments="%")
        data = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
        for k, e in zip(MILCA_KS, expected):
            v = ref.ksg(data[:, cx], data[:, cy], k=k, algorithm=2)
            worst = max(worst, abs(v - e))
            check(abs(v - e) <= 5.000001e-9, f"MILCA {filename} k={k}: {v!r} vs {e}")
    print(f"MILCA check: {len(MILCA) * len(MILCA_KS)} values reproduced, max |diff| {worst:.2e} "
          f"(MILCA prints 8 decimals)", file=sys.stderr)


def pca_spiked(tag, n, d, spikes, noise=0.05):
    """Data with a few strong directions: X = Z diag(spikes) Vᵀ + noise, V orthonormal."""
    rng = rng_for(tag)
    v, _ = np.linalg.qr(rng.standard_normal((d, len(spikes))))
    z = rng.standard_normal((n, len(spikes)))
    x = z * np.asarray(spikes) @ v.T + noise * rng.standard_normal((n, d)) + rng.normal(0, 2, size=d)
    return x.astype(np.float32).astype(np.float64)   # float32 values: short JSON, exact in both languages


def pca_cases():
    """PCA explained-variance ratios and components: scikit-learn's exact (`svd_solver="full"`)
    and randomized (`svd_solver="randomized"`, its defaults) solvers, cross-checked against the
    eigenvalues of numpy's covariance."""
    from sklearn.decomposition import PCA
    cases = []
    for name, n, d, spikes, k in [("pca-wide-120x400", 120, 400, [9, 6, 4, 2.5, 1.5, 1], 5),
                                  ("pca-tall-300x60", 300, 60, [5, 3, 2, 1.2, 0.8], 5)]:
        x = pca_spiked(name, n, d, spikes)
        full = PCA(n_components=k, svd_solver="full").fit(x)
        randomized = PCA(n_components=k, svd_solver="randomized", random_state=0).fit(x)
        eigen = np.sort(np.linalg.eigvalsh(np.cov(x, rowvar=False)))[::-1]
        check(np.allclose(full.explained_variance_, eigen[:k], rtol=1e-9), f"{name}: sklearn full vs numpy eigvalsh")
        check(np.allclose(full.explained_variance_ratio_, eigen[:k] / eigen.clip(min=0).sum(), rtol=1e-8),
              f"{name}: explained-variance ratio vs eigvalsh")
        cases.append({
            "name": name, "estimator": "pca", "params": {"components": k}, "x": rows(x),
            "expected_variance": full.explained_variance_.tolist(),
            "expected_variance_ratio": full.explained_variance_ratio_.tolist(),
            "expected_components": rows(full.components_),
            "randomized_variance_ratio": randomized.explained_variance_ratio_.tolist(),
            "units": "variance", "tolerance_rel": 1e-9,
            "note": "exact solvers to 1e-9; randomized to 1e-3 absolute in each ratio (issue 15)",
        })
    return cases


def write(out_dir, filename, cases):
    doc = {
        "generator": "Scripts/reference/make_fixtures.py",
        "regenerate": "make fixtures",
        "seed": SEED,
        "versions": versions(),
        "cases": cases,
    }
    path = os.path.join(out_dir, filename)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    size = os.path.getsize(path)
    print(f"wrote {os.path.relpath(path, REPO)}: {len(cases)} cases, {size / 1e6:.2f} MB", file=sys.stderr)
    check(size < 3.2e6, f"{filename} is larger than ~3 MB")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--only", nargs="*", help="families to write (default all)")
    ap.add_argument("--milca-dir", help="directory with JIDT's demos/data files (2randomCols-1.txt, "
                    "4randomCols-1.txt, 4ColsPaired{Direct,Noisy}Dependence-1.txt): also check KSG-2 "
                    "against Kraskov's MILCA values; the data are not copied into the repository")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    os.makedirs(args.out, exist_ok=True)
    if args.milca_dir:
        check_milca(args.milca_dir)

    gauss_truth = lambda d: f"{-0.5 * d * math.log(1 - 0.36)!r} nats (d pairs, rho = 0.6)"
    families = {
        "ksg-gaussian.json": lambda: ksg_cases("gaussian", lambda t, n, d: gaussian_pairs(t, n, d)[:2],
                                               gauss_truth, {1: 1000, 2: 1000, 4: 500}),
        "ksg-uniform.json": lambda: ksg_cases("uniform", uniform_pairs,
                                              lambda d: f"{d * (0.3 - math.log(0.6))!r} nats (per coordinate h(x+u) - log 0.6 = 0.3 - log 0.6)",
                                              {1: 1000, 2: 1000, 4: 500}),
        "ksg-nonlinear.json": lambda: ksg_cases("nonlinear", nonlinear_pairs,
                                                lambda d: "not closed-form (y = sin(x) + 0.1 N(0,1))",
                                                {1: 1000, 2: 1000, 4: 500}),
        "ksg-imbalanced.json": ksg_imbalanced_cases,
        "ksg-sklearn.json": ksg_sklearn_cases,
        "kl-entropy.json": kl_cases,
        "mixed.json": mixed_cases,
        "binning.json": binning_cases,
        "dse.json": dse_cases,
        "dsmi.json": dsmi_cases,
        "renyi.json": renyi_cases,
        "gaussian-mi.json": gaussian_mi_cases,
        # Not an estimator: its own format and folder (Tests/InfoplaneEstimatorsTests/PCASolverTests.swift).
        "compression/pca.json": pca_cases,
    }
    for filename, build in families.items():
        if args.only and os.path.basename(filename).removesuffix(".json") not in args.only:
            continue
        print(f"{filename}:", file=sys.stderr)
        write(args.out, filename, build())


if __name__ == "__main__":
    main()
