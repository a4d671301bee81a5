"""Independent Python reference implementations of Infoplane's estimators.

Shared by Scripts/reference/make_fixtures.py (JSON test fixtures for the Swift
InfoplaneEstimators module) and Benchmarks/reference_estimators.py (timings).

Built on numpy, scipy (cKDTree), scikit-learn and the official dse-dsmi package.
Conventions follow /work/shared/reference/estimator-conventions.md; every function
states its formula, its units and its source. kNN estimators work in float64 and
count exactly (no absolute epsilons): "strict" counts use nextafter(eps, 0) with a
"<=" ball query, exactly as scikit-learn does.
"""

from __future__ import annotations

import math
import random

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma, gammaln

LN2 = math.log(2.0)


def as_2d(a: np.ndarray) -> np.ndarray:
    """Return `a` as a float64 (N, d) array (a 1-D array becomes one column)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    return np.ascontiguousarray(a)


def standardize_sklearn(a: np.ndarray) -> np.ndarray:
    """Divide each column by its population standard deviation (ddof 0), no centring.

    This is sklearn.preprocessing.scale(with_mean=False) as used by
    mutual_info_regression / mutual_info_classif; zero-variance columns are left as is.
    """
    a = as_2d(a)
    std = a.std(axis=0)
    std[std == 0.0] = 1.0
    return a / std


# ---------------------------------------------------------------------------
# k-nearest-neighbour estimators (nats)
# ---------------------------------------------------------------------------

def _knn_excluding_self(points: np.ndarray, k: int, p: float, workers: int = 1):
    """Distances and indices of the k nearest neighbours of every point, self excluded."""
    tree = cKDTree(points)
    dist, idx = tree.query(points, k=k + 1, p=p, workers=workers)
    n = points.shape[0]
    own = idx == np.arange(n)[:, None]
    # On duplicate-free data the point itself is always the first hit (distance 0).
    if not np.all(own[:, 0]):
        # Rare: another point at distance 0 came first; drop the self hit wherever it is.
        keep = ~own
        keep[keep.sum(axis=1) > k, -1] = False
        dist = dist[keep].reshape(n, k)
        idx = idx[keep].reshape(n, k)
        return dist, idx
    return dist[:, 1:], idx[:, 1:]


def _count_within(points: np.ndarray, radii: np.ndarray, p: float, workers: int = 1) -> np.ndarray:
    """#{j : ||points_j - points_i|| <= radii_i} (self included), exact, via cKDTree."""
    tree = cKDTree(points)
    return np.asarray(tree.query_ball_point(points, radii, p=p, return_length=True,
                                            workers=workers), dtype=np.int64)


def ksg(x: np.ndarray, y: np.ndarray, k: int = 3, algorithm: int = 1,
        workers: int = 1, return_details: bool = False):
    """KSG mutual information I(X;Y) in nats (Kraskov, Stoegbauer & Grassberger 2004).

    Max-norm in the joint space, z = (x, y), ||z - z'|| = max(|x-x'|_inf, |y-y'|_inf).
    eps_i = distance to the k-th joint neighbour (self excluded).
    Algorithm 1: n_x(i) = #{j != i : |x_j - x_i|_inf < eps_i} (strict), same for y;
        I = psi(k) + psi(N) - mean(psi(n_x + 1) + psi(n_y + 1)).
    Algorithm 2: eps_x(i), eps_y(i) = largest marginal distance among the k joint neighbours;
        n_x(i) = #{j != i : |x_j - x_i|_inf <= eps_x(i)} (non-strict);
        I = psi(k) - 1/k + psi(N) - mean(psi(n_x) + psi(n_y)).
    """
    x = as_2d(x)
    y = as_2d(y)
    n = x.shape[0]
    z = np.hstack([x, y])
    dist, idx = _knn_excluding_self(z, k, np.inf, workers)
    if algorithm == 1:
        eps = dist[:, -1]
        r = np.nextafter(eps, 0.0)  # strict "<" as "<=" at the next float below
        nx = _count_within(x, r, np.inf, workers) - 1
        ny = _count_within(y, r, np.inf, workers) - 1
        value = digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))
    elif algorithm == 2:
        eps_x = np.max(np.abs(x[idx] - x[:, None, :]), axis=(1, 2))
        eps_y = np.max(np.abs(y[idx] - y[:, None, :]), axis=(1, 2))
        nx = _count_within(x, eps_x, np.inf, workers) - 1
        ny = _count_within(y, eps_y, np.inf, workers) - 1
        value = digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))
    else:
        raise ValueError("algorithm must be 1 or 2")
    value = float(value)
    if return_details:
        return value, {"nx": nx, "ny": ny, "dist": dist, "idx": idx}
    return value


def ksg_bruteforce(x: np.ndarray, y: np.ndarray, k: int = 3, algorithm: int = 1) -> float:
    """Same estimator as `ksg` by O(N^2) numpy distance matrices (a second, independent path)."""
    x = as_2d(x)
    y = as_2d(y)
    n = x.shape[0]
    dx = np.max(np.abs(x[:, None, :] - x[None, :, :]), axis=2)
    dy = np.max(np.abs(y[:, None, :] - y[None, :, :]), axis=2)
    dz = np.maximum(dx, dy)
    np.fill_diagonal(dz, np.inf)
    order = np.argsort(dz, axis=1, kind="stable")[:, :k]
    rows = np.arange(n)[:, None]
    off = ~np.eye(n, dtype=bool)
    if algorithm == 1:
        eps = dz[rows[:, 0], order[:, -1]][:, None]
        nx = np.sum((dx < eps) & off, axis=1)
        ny = np.sum((dy < eps) & off, axis=1)
        return float(digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1)))
    eps_x = np.max(dx[rows, order], axis=1)[:, None]
    eps_y = np.max(dy[rows, order], axis=1)[:, None]
    nx = np.sum((dx <= eps_x) & off, axis=1)
    ny = np.sum((dy <= eps_y) & off, axis=1)
    return float(digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny)))


def kl_entropy(x: np.ndarray, k: int = 3, metric: str = "max", workers: int = 1) -> float:
    """Kozachenko-Leonenko differential entropy in nats.

    H = psi(N) - psi(k) + log V_d + d * mean(log r_i), r_i = distance to the k-th neighbour
    (self excluded); V_d = 2^d for the max-norm (r is the half-width of the cube),
    V_d = pi^(d/2) / Gamma(d/2 + 1) for the Euclidean norm (unit-ball volume).
    Kozachenko & Leonenko 1987; Kraskov et al. 2004, eq. 20.
    """
    x = as_2d(x)
    n, d = x.shape
    p = np.inf if metric == "max" else 2.0
    dist, _ = _knn_excluding_self(x, k, p, workers)
    r = dist[:, -1]
    if metric == "max":
        log_vd = d * LN2
    elif metric == "euclidean":
        log_vd = 0.5 * d * math.log(math.pi) - gammaln(0.5 * d + 1.0)
    else:
        raise ValueError("metric must be 'max' or 'euclidean'")
    return float(digamma(n) - digamma(k) + log_vd + d * np.mean(np.log(r)))


def mixed_mi(x: np.ndarray, labels: np.ndarray, k: int = 3, metric: str = "max",
             workers: int = 1) -> float:
    """Mutual information between continuous X and discrete labels in nats (Ross 2014).

    As scikit-learn's mutual_info_classif (_compute_mi_cd): per point with label c,
    k_i = min(k, N_c - 1); d_i = distance to its k_i-th same-label neighbour;
    m_i = #{j : ||x_j - x_i|| < d_i}, all labels, the point itself included;
    points whose label occurs once are dropped and N counts the rest;
    I = psi(N) + mean(psi(k_i)) - mean(psi(N_c)) - mean(psi(m_i)). No clipping at 0.
    """
    x = as_2d(x)
    labels = np.asarray(labels).reshape(-1)
    p = np.inf if metric == "max" else 2.0
    n = x.shape[0]
    radius = np.empty(n)
    label_counts = np.empty(n)
    k_all = np.empty(n)
    for label in np.unique(labels):
        mask = labels == label
        count = int(mask.sum())
        if count > 1:
            kk = min(k, count - 1)
            dist, _ = _knn_excluding_self(x[mask], kk, p, workers)
            radius[mask] = np.nextafter(dist[:, -1], 0.0)
            k_all[mask] = kk
        label_counts[mask] = count
    keep = label_counts > 1
    xs = x[keep]
    m_all = _count_within(xs, radius[keep], p, workers)
    return float(digamma(int(keep.sum())) + np.mean(digamma(k_all[keep]))
                 - np.mean(digamma(label_counts[keep])) - np.mean(digamma(m_all)))


# ---------------------------------------------------------------------------
# Binning (bits)
# ---------------------------------------------------------------------------

def equal_width_edges(lo: float, hi: float, bins: int) -> np.ndarray:
    """Edges of `bins` equal-width intervals: np.linspace(lo, hi, bins + 1).

    numpy computes edge_i = i * ((hi - lo) / bins) + lo for i < bins and sets the
    last edge to hi exactly.
    """
    return np.linspace(lo, hi, bins + 1)


def bin_indices(x: np.ndarray, bins: int = 30, binning: str = "fixed",
                value_range=(-1.0, 1.0)) -> np.ndarray:
    """Per-unit bin index in 0..bins-1 for every entry of x (N, d).

    fixed:    edges = linspace(lo, hi, bins + 1) over the given range.
    observed: the same with lo, hi = min and max over ALL entries of x (the whole layer).
    Equal-width rule: index = #{interior edges e (edges[1:-1]) with e <= v}, i.e.
      np.searchsorted(edges[1:-1], v, side="right"); v < lo -> 0, v >= hi -> bins-1
      (the last interval is closed; out-of-range values are clamped to the end bins).
    adaptive: equal-mass per unit (column): s = sorted column, interior edges
      e_j = s[floor(j * N / bins)] for j = 1..bins-1; index = #{j : e_j <= v}
      (searchsorted side="right"); equal values always share a bin, repeated edges
      leave empty bins.
    """
    x = as_2d(x)
    if binning in ("fixed", "observed"):
        if binning == "fixed":
            lo, hi = float(value_range[0]), float(value_range[1])
        else:
            lo, hi = float(x.min()), float(x.max())
        inner = equal_width_edges(lo, hi, bins)[1:-1]
        return np.searchsorted(inner, x, side="right").astype(np.int64)
    if binning == "adaptive":
        n, d = x.shape
        out = np.empty((n, d), dtype=np.int64)
        pos = (np.arange(1, bins) * n) // bins
        for u in range(d):
            s = np.sort(x[:, u])
            inner = s[pos]
            out[:, u] = np.searchsorted(inner, x[:, u], side="right")
        return out
    raise ValueError("binning must be fixed, observed or adaptive")


def _entropy_of_counts_bits(counts: np.ndarray) -> float:
    p = counts / counts.sum()
    return float(-np.sum(p * np.log2(p)))


def pattern_entropy_bits(symbols: np.ndarray) -> float:
    """Plug-in entropy (bits) of the distinct rows of an integer matrix."""
    _, counts = np.unique(symbols, axis=0, return_counts=True)
    return _entropy_of_counts_bits(counts.astype(np.float64))


def binning_entropy(x: np.ndarray, bins: int = 30, binning: str = "fixed",
                    value_range=(-1.0, 1.0)) -> float:
    """H(T) in bits of the whole binned activation pattern (Shwartz-Ziv & Tishby 2017).

    Equals I(X;T) for a deterministic network on distinct inputs.
    """
    return pattern_entropy_bits(bin_indices(x, bins, binning, value_range))


def binning_mi(x: np.ndarray, labels: np.ndarray, bins: int = 30, binning: str = "fixed",
               value_range=(-1.0, 1.0)) -> float:
    """I(T;Y) = H(T) - sum_y p(y) H(T | Y = y) in bits, T binned on all rows at once."""
    sym = bin_indices(x, bins, binning, value_range)
    labels = np.asarray(labels).reshape(-1)
    h = pattern_entropy_bits(sym)
    n = labels.shape[0]
    cond = 0.0
    for label in np.unique(labels):
        mask = labels == label
        cond += mask.sum() / n * pattern_entropy_bits(sym[mask])
    return float(h - cond)


def idnns_digitize(x: np.ndarray, num_of_bins: int = 30) -> np.ndarray:
    """The IDNNs code's binning (ravidziv/IDNNs): bins = linspace(-1, 1, num_of_bins) as
    edges, value -> bins[np.digitize(v, bins) - 1]. Written from its description, for the
    equivalence check in make_fixtures.py only."""
    edges = np.linspace(-1, 1, num_of_bins)
    return edges[np.digitize(x, edges) - 1]


# ---------------------------------------------------------------------------
# Diffusion spectral entropy / mutual information (bits), official package
# ---------------------------------------------------------------------------

def squared_distances(x: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances from coordinate differences (scipy cdist 'sqeuclidean'),
    not the Gram-matrix shortcut: exact to a few ulps, N x N memory only."""
    from scipy.spatial.distance import cdist
    x = as_2d(x)
    return cdist(x, x, "sqeuclidean")


def dse_package(x: np.ndarray, sigma: float = 10.0, t: int = 1) -> float:
    """DSE in bits by the official package (dse_dsmi.diffusion_spectral_entropy)."""
    import dse_dsmi
    return float(dse_dsmi.diffusion_spectral_entropy(as_2d(x), gaussian_kernel_sigma=sigma, t=t))


def dse_numpy(x: np.ndarray, sigma: float = 10.0, t: int = 1) -> float:
    """DSE in bits, written from the package's algorithm (Liao, Liu et al. 2023).

    D = Euclidean distances (here from coordinate differences; the package uses sklearn's
    pairwise_distances, the Gram-matrix formula with the diagonal set to 0); G = exp(-D^2 / (2 sigma^2)) / (sigma sqrt(2 pi));
    K = Deg^-1/2 G Deg^-1/2, Deg = row sums of G; lambda = eigvalsh(K);
    p = |lambda|^t / sum |lambda|^t; p += 2.220446049250313e-16 (float64 eps, every entry);
    DSE = -sum p log2 p.
    """
    sq = squared_distances(x)
    g = np.exp(-sq / (2.0 * sigma ** 2)) / (sigma * math.sqrt(2.0 * math.pi))
    inv_sqrt_deg = 1.0 / np.sqrt(g.sum(axis=1))
    k = g * inv_sqrt_deg[:, None] * inv_sqrt_deg[None, :]
    lam = np.abs(np.linalg.eigvalsh(k)) ** t
    p = lam / lam.sum() + np.finfo(float).eps
    return float(-np.sum(p * np.log2(p)))


def dsmi_package_subsets(labels: np.ndarray, num_repetitions: int = 5, random_seed: int = 0):
    """The random subsets that dse_dsmi 1.1 draws inside diffusion_spectral_mutual_information.

    For each class b (in np.unique order) the package calls random.seed(random_seed) again
    and then draws num_repetitions subsets random.sample(range(N), k=N_b) (Python's
    `random`, not numpy). Returns {label: [subset, ...]} with the indices in draw order.
    """
    labels = np.asarray(labels).reshape(-1)
    n = labels.shape[0]
    out = {}
    for b in np.unique(labels):
        n_b = int(np.sum(labels == b))
        if random_seed is not None:
            random.seed(random_seed)
        out[b.item()] = [list(random.sample(range(n), k=n_b)) for _ in range(num_repetitions)]
    return out


def dsmi_from_subsets(x: np.ndarray, labels: np.ndarray, subsets: dict, sigma: float = 10.0,
                      t: int = 1, dse=None) -> float:
    """DSMI(T;Y) in bits with explicit subsets, the package's algorithm:

    DSMI = sum_b p(b) * (mean_r DSE(T[subset_{b,r}]) - DSE(T[Y == b])), p(b) = N_b / N.
    `dse` defaults to the official package's diffusion_spectral_entropy.
    """
    x = as_2d(x)
    labels = np.asarray(labels).reshape(-1)
    dse = dse or dse_package
    values, counts = np.unique(labels, return_counts=True)
    per_class = []
    for b in values:
        cond = dse(x[labels == b], sigma, t)
        reps = [dse(x[np.asarray(s)], sigma, t) for s in subsets[b.item()]]
        per_class.append(np.mean(reps) - cond)
    return float(np.sum(counts / np.sum(counts) * np.array(per_class)))


def dsmi_package(x: np.ndarray, reference: np.ndarray, sigma: float = 10.0, t: int = 1) -> float:
    """DSMI in bits by the official package (dse_dsmi.diffusion_spectral_mutual_information)."""
    import dse_dsmi
    value, _ = dse_dsmi.diffusion_spectral_mutual_information(
        embedding_vectors=as_2d(x), reference_vectors=reference,
        gaussian_kernel_sigma=sigma, t=t)
    return float(value)


def dsmi_scalar_clusters(y: np.ndarray, n_clusters: int = 10) -> np.ndarray:
    """How the package turns a continuous 1-D reference into labels: min-max scale,
    then np.digitize with edges linspace(0, 1, n_clusters + 1)[:-1] (labels 1..n_clusters;
    the maximum lands in label n_clusters)."""
    v = np.asarray(y, dtype=np.float64).reshape(-1)
    v = (v - v.min()) / (v.max() - v.min())
    return np.digitize(v, np.linspace(0, 1, n_clusters + 1)[:-1])


# ---------------------------------------------------------------------------
# Matrix-based Renyi alpha-entropy (bits) and Gaussian MI (nats)
# ---------------------------------------------------------------------------

def _gram_normalized(x: np.ndarray, sigma: float) -> np.ndarray:
    sq = squared_distances(x)
    k = np.exp(-sq / (2.0 * sigma ** 2))
    return k / np.trace(k)


def _renyi_of_matrix_bits(a: np.ndarray, alpha: float) -> float:
    lam = np.linalg.eigvalsh(a)
    lam = np.clip(lam, 0.0, None)  # round-off can make tiny eigenvalues negative
    return float(math.log2(np.sum(lam ** alpha)) / (1.0 - alpha))


def renyi_entropy(x: np.ndarray, sigma: float, alpha: float) -> float:
    """Matrix-based Renyi alpha-entropy in bits (Sanchez Giraldo, Rao & Principe 2014).

    K_ij = exp(-|x_i - x_j|^2 / (2 sigma^2)); A = K / tr K;
    S_alpha(A) = log2(sum_i lambda_i(A)^alpha) / (1 - alpha), negative eigenvalues set to 0.
    """
    return _renyi_of_matrix_bits(_gram_normalized(x, sigma), alpha)


def renyi_mi(x: np.ndarray, y: np.ndarray, sigma: float, alpha: float) -> float:
    """I_alpha(X;Y) = S(A) + S(B) - S(A o B / tr(A o B)) in bits, same sigma for X and Y."""
    a = _gram_normalized(x, sigma)
    b = _gram_normalized(y, sigma)
    ab = a * b
    ab = ab / np.trace(ab)
    return (_renyi_of_matrix_bits(a, alpha) + _renyi_of_matrix_bits(b, alpha)
            - _renyi_of_matrix_bits(ab, alpha))


def gaussian_mi(x: np.ndarray, y: np.ndarray) -> float:
    """Gaussian mutual information in nats: I = 1/2 log(det S_x det S_y / det S), S the
    sample covariance of (x, y) (ddof cancels in the ratio)."""
    x = as_2d(x)
    y = as_2d(y)
    dx = x.shape[1]
    s = np.cov(np.hstack([x, y]), rowvar=False).reshape(dx + y.shape[1], -1)
    _, ld_x = np.linalg.slogdet(s[:dx, :dx])
    _, ld_y = np.linalg.slogdet(s[dx:, dx:])
    _, ld = np.linalg.slogdet(s)
    return float(0.5 * (ld_x + ld_y - ld))
