#!/usr/bin/env python3
"""Time the Python reference estimators on .npy files, for the Swift benchmark's ratios.

Usage (one JSON line on stdout: {"estimator","value","seconds","n","dims",...}):
  python3 Benchmarks/reference_estimators.py ksg1 --x X.npy --y Y.npy --k 3
  python3 Benchmarks/reference_estimators.py ksg2 --x X.npy --y Y.npy --k 3
  python3 Benchmarks/reference_estimators.py kl-entropy --x X.npy --k 3 [--metric max|euclidean]
  python3 Benchmarks/reference_estimators.py mixed --x X.npy --labels L.npy --k 3
  python3 Benchmarks/reference_estimators.py dse --x X.npy --sigma 10 --t 1
  python3 Benchmarks/reference_estimators.py dse-numpy --x X.npy --sigma 10 --t 1
  python3 Benchmarks/reference_estimators.py binning-entropy --x X.npy --bins 30 --range -1,1
      [--binning fixed|observed|adaptive]
  python3 Benchmarks/reference_estimators.py pca --x X.npy --components 5

kNN estimators: scipy cKDTree on all cores (workers=-1), exact counts, the code in
Scripts/reference/infoplane_reference.py. dse: the official dse-dsmi package
(diffusion_spectral_entropy); dse-numpy: the same algorithm in plain numpy (scipy cdist, row
scaling instead of the package's two dense diagonal matrix products, eigvalsh): the
"numpy eigvalsh path". binning-entropy: numpy. Only the estimator call is timed
(files are loaded before the clock starts); `seconds` is the best of --repeat runs.
`dims` is the joint dimension dx + dy for ksg1/ksg2 and the dimension of x otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Scripts", "reference"))
import infoplane_reference as ref  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description="Time a Python reference estimator on .npy files.")
    ap.add_argument("estimator", choices=["ksg1", "ksg2", "kl-entropy", "mixed", "dse", "dse-numpy",
                                                "binning-entropy", "pca"])
    ap.add_argument("--x", required=True, help="N x d array (.npy)")
    ap.add_argument("--y", help="N x d' array (.npy), for ksg1/ksg2")
    ap.add_argument("--labels", help="N integer labels (.npy), for mixed")
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--metric", choices=["max", "euclidean"], default="max")
    ap.add_argument("--sigma", type=float, default=10.0)
    ap.add_argument("--t", type=int, default=1)
    ap.add_argument("--bins", type=int, default=30)
    ap.add_argument("--components", type=int, default=5, help="for pca")
    ap.add_argument("--binning", choices=["fixed", "observed", "adaptive"], default="fixed")
    ap.add_argument("--range", default="-1,1", help="LO,HI for --binning fixed")
    ap.add_argument("--repeat", type=int, default=1, help="runs; the best time is reported")
    ap.add_argument("--warmup-seconds", type=float, default=0.0,
                    help="untimed runs for at least this long before the timed ones (thread pools, caches)")
    argv = sys.argv[1:]
    # Accept "--range -1,1" (argparse would take "-1,1" for an option).
    for i in range(len(argv) - 1):
        if argv[i] == "--range":
            argv[i:i + 2] = [f"--range={argv[i + 1]}", ""]
    a = ap.parse_args([v for v in argv if v != ""])

    def fail(msg: str) -> int:
        print(f"reference_estimators: {msg}", file=sys.stderr)
        return 2

    x = ref.as_2d(np.load(a.x))
    n, dims = x.shape
    if a.estimator in ("ksg1", "ksg2"):
        if not a.y:
            return fail(f"{a.estimator} needs --y Y.npy")
        y = ref.as_2d(np.load(a.y))
        if y.shape[0] != n:
            return fail(f"--x has {n} rows but --y has {y.shape[0]}")
        alg = 1 if a.estimator == "ksg1" else 2
        run = lambda: ref.ksg(x, y, k=a.k, algorithm=alg, workers=-1)
        dims = dims + y.shape[1]
        units = "nats"
    elif a.estimator == "kl-entropy":
        run = lambda: ref.kl_entropy(x, k=a.k, metric=a.metric, workers=-1)
        units = "nats"
    elif a.estimator == "mixed":
        if not a.labels:
            return fail("mixed needs --labels L.npy")
        labels = np.load(a.labels).reshape(-1)
        run = lambda: ref.mixed_mi(x, labels, k=a.k, metric=a.metric, workers=-1)
        units = "nats"
    elif a.estimator == "dse":
        run = lambda: ref.dse_package(x, a.sigma, a.t)
        units = "bits"
    elif a.estimator == "dse-numpy":
        run = lambda: ref.dse_numpy(x, a.sigma, a.t)
        units = "bits"
    elif a.estimator == "pca":
        from sklearn.decomposition import PCA
        fitted = {}

        def run():
            fitted["pca"] = PCA(n_components=a.components, svd_solver="randomized", random_state=0).fit(x)
            return float(fitted["pca"].explained_variance_ratio_.sum())
        units = "variance ratio"
    else:
        lo, hi = (float(v) for v in a.range.split(","))
        run = lambda: ref.binning_entropy(x, a.bins, a.binning, (lo, hi))
        units = "bits"

    warm_until = time.perf_counter() + a.warmup_seconds
    while time.perf_counter() < warm_until:
        run()
    best = float("inf")
    value = None
    for _ in range(max(1, a.repeat)):
        start = time.perf_counter()
        value = run()
        best = min(best, time.perf_counter() - start)
    extra = {"ratios": fitted["pca"].explained_variance_ratio_.tolist()} if a.estimator == "pca" else {}
    print(json.dumps({"estimator": a.estimator, "value": value, "seconds": best, "n": n, "dims": dims, **extra,
                      "units": units, "implementation": {
                          "ksg1": "scipy cKDTree (workers=-1)", "ksg2": "scipy cKDTree (workers=-1)",
                          "kl-entropy": "scipy cKDTree (workers=-1)", "mixed": "scipy cKDTree (workers=-1)",
                          "dse": "dse_dsmi.diffusion_spectral_entropy",
                          "dse-numpy": "numpy eigvalsh on Deg^-1/2 G Deg^-1/2 (no dense diagonal matmuls)",
                          "binning-entropy": "numpy",
                          "pca": "sklearn PCA(svd_solver='randomized')"}[a.estimator]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
