"""The numerics behind :mod:`lbtools.analysis.capability` (private): the logit factor model fitted by EM from
several starts, nested cross-validation of ``k`` and the penalty, split-conformal prediction intervals
calibrated per benchmark, and the baselines the validation compares against.

Arrays are dense (models × benchmarks) with a boolean ``mask`` of the cells a fit may use; scores are on the logit
scale (``y``) with their binomial variance (``binom``, 0 where the item count is unknown). Everything here is pure
numpy/scipy on arrays; the public module turns frames into arrays and back.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

DEFAULT_CLIP = 0.005  # a score of 0 or 100 % on an unknown number of items is taken as 0.5 % / 99.5 %
INTERCEPT_PRIOR = 0.5  # pseudo-observations pulling a benchmark's intercept towards the mean intercept
VARIANCE_PRIOR = 2.0  # pseudo-observations pulling a benchmark's misfit variance towards the pooled one
MIN_VARIANCE = 0.01  # the smallest misfit variance (logit scale, SD 0.1)
PENALTIES = (1.0, 10.0, 0.3)  # ridge on the slopes, in pseudo-observations; the first is tried for every k
MAX_K = 8
MONDRIAN_MIN = 20  # a benchmark with this many calibration cells is calibrated on its own cells
CV_MODELS = 1000  # beyond this many models, fold fits learn the benchmark parameters from a random subset of them
BIG_CELLS = 20000  # above this many published cells: one penalty, no nested choice per fold, shorter EM (see docs)
SVD_RANKS = (1, 2, 3, 4)  # rank-r SVD imputations tried as blend parts
KNN_SIZES = (5,)  # KNN imputations (the mean of this many nearest models) tried as blend parts
STACK_MIN = 0.02  # blend weights below this are dropped (the rest rescaled to sum to 1)
CV_TOL = 1e-3  # fold fits stop when no fitted logit moves by more than this (the final fits: 1e-4)


# --------------------------------------------------------------------------------------------
# scales


def logit(p):
    return np.log(p) - np.log1p(-p)


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def to_logit(pct: np.ndarray, n_items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logit of each score on 0–100 (clipped half an item from 0 and 1) and its binomial variance (0: unknown)."""
    n_items = np.broadcast_to(n_items, pct.shape)
    known = np.isfinite(n_items)
    clip = np.where(known, 0.5 / np.where(known, n_items, 1.0), DEFAULT_CLIP)
    clip = np.minimum(clip, 0.25)
    p = np.clip(np.where(np.isfinite(pct), pct, 50.0) / 100.0, clip, 1.0 - clip)
    binom = np.where(known, 1.0 / (np.where(known, n_items, 1.0) * p * (1.0 - p)), 0.0)
    return logit(p), binom


def binomial_var(mu: np.ndarray, n_items: np.ndarray) -> np.ndarray:
    p = sigmoid(mu)
    n = np.where(np.isfinite(n_items), n_items, np.inf)
    clip = np.minimum(0.5 / n, 0.25)
    p = np.clip(p, clip, 1.0 - clip)
    return np.where(np.isfinite(n), 1.0 / (np.minimum(n, 1e12) * p * (1.0 - p)), 0.0)


def expected_pct(mu, sd):
    """E[sigmoid(y)] for y ~ N(mu, sd²) on 0–100 (the probit approximation)."""
    return 100 * sigmoid(mu / np.sqrt(1.0 + np.pi * sd**2 / 8.0))


# --------------------------------------------------------------------------------------------
# the factor model


@dataclass
class Fit:
    theta: np.ndarray  # (n, k) posterior means
    cov: np.ndarray  # (n, k, k) posterior covariances
    a: np.ndarray  # (m, k) slopes
    b: np.ndarray  # (m,) intercepts
    s2: np.ndarray  # (m,) misfit variances
    item_cov: np.ndarray  # (m, k+1, k+1) sampling covariance of (b_j, a_j) given theta
    iterations: int
    converged: bool
    objective: float  # penalised marginal log-likelihood (higher is better)
    penalty: float
    start: str = "additive"
    others: list = field(default_factory=list)  # (start, objective, rank agreement with this fit) of other starts

    @property
    def k(self) -> int:
        return self.a.shape[1]


def _inv_small(P: np.ndarray) -> np.ndarray:
    k = P.shape[-1]
    if k == 1:
        return 1.0 / P
    if k == 2:
        det = P[:, 0, 0] * P[:, 1, 1] - P[:, 0, 1] * P[:, 1, 0]
        out = np.empty_like(P)
        out[:, 0, 0], out[:, 1, 1] = P[:, 1, 1] / det, P[:, 0, 0] / det
        out[:, 0, 1], out[:, 1, 0] = -P[:, 0, 1] / det, -P[:, 1, 0] / det
        return out
    return np.linalg.inv(P)


def posterior(a, b, s2, y, mask, binom, *, loglik=True):
    """Posterior mean and covariance of every model's θ given benchmark parameters, from its cells in ``mask``.

    Also returns the marginal log-likelihood (NaN with ``loglik=False``: EM's iterations don't use it)."""
    n, m = y.shape
    k = a.shape[1]
    W = np.where(mask, 1.0 / (s2[None, :] + binom), 0.0)
    R = np.where(mask, y - b[None, :], 0.0)
    aa = (a[:, :, None] * a[:, None, :]).reshape(m, k * k)
    P = (W @ aa).reshape(n, k, k) + np.eye(k)
    cov = _inv_small(P)
    rhs = (W * R) @ a
    theta = np.einsum("nkl,nl->nk", cov, rhs)
    if not loglik:
        return theta, cov, float("nan")
    # log N(y_i; b + A θ-marginal): -0.5 [n_i log 2π - Σ log w + log det P + Σ w r² - rhs·θ]
    logdet = np.linalg.slogdet(P)[1] if k > 2 else np.log(np.maximum(
        P[:, 0, 0] if k == 1 else P[:, 0, 0] * P[:, 1, 1] - P[:, 0, 1] ** 2, 1e-300))
    logw = np.where(mask, np.log(np.where(mask, W, 1.0)), 0.0)
    ll = -0.5 * (mask.sum(1) * np.log(2 * np.pi) - logw.sum(1) + logdet + (W * R * R).sum(1) - (rhs * theta).sum(1))
    return theta, cov, float(ll.sum())


def additive_offsets(y, mask, ridge=1.0, iters=100):
    """Two-way additive model y_ij ≈ e_j + u_i by alternating least squares (a small ridge on u)."""
    M = mask.astype(float)
    Z = np.where(mask, y, 0.0)
    u = np.zeros(y.shape[0])
    nj = np.maximum(M.sum(0), 1e-9)
    for _ in range(iters):
        e = ((Z - u[:, None]) * M).sum(0) / nj
        new = ((Z - e[None, :]) * M).sum(1) / (M.sum(1) + ridge)
        done = np.max(np.abs(new - u)) < 1e-5
        u = new
        if done:
            break
    e = ((Z - u[:, None]) * M).sum(0) / nj
    return e, u


def _start(y, mask, k, kind, rng, nonneg):
    """Initial (a, b) from a starting θ: the additive model's offsets, the table's leading eigenvectors, or noise."""
    n, m = y.shape
    e, u = additive_offsets(y, mask)
    resid = np.where(mask, y - e[None, :] - u[:, None], 0.0)
    if kind == "additive":
        sd = u.std() or 1.0
        cols = [(u - u.mean()) / sd]
    elif kind == "eigen":
        # the leading eigenvectors of the zero-filled centred table (the old start)
        cent = np.where(mask, y - e[None, :], 0.0) * np.sqrt(m / np.maximum(mask.sum(1), 1))[:, None]
        vals, vecs = np.linalg.eigh(cent @ cent.T / max(m, 1)) if n <= m else (None, None)
        if vals is None:
            gram = cent.T @ cent / max(n, 1)
            gv, gw = np.linalg.eigh(gram)
            t0 = cent @ gw[:, -1]
        else:
            t0 = vecs[:, -1]
        t0 = (t0 - t0.mean()) / (t0.std() or 1.0)
        if np.corrcoef(t0, u)[0, 1] < 0 if u.std() > 0 else False:
            t0 = -t0
        cols = [t0]
    else:  # "jitter": the additive offsets plus noise of half their spread
        sd = u.std() or 1.0
        v = (u - u.mean()) / sd + rng.normal(0, 0.5, size=n)
        cols = [(v - v.mean()) / (v.std() or 1.0)]
    if k > 1:
        # further dimensions: leading right singular vectors of the additive model's residuals
        # (from the m × m cross-product: n can be large)
        vals, vecs = np.linalg.eigh(resid.T @ resid)
        uu = resid @ vecs[:, ::-1]
        for d in range(k - 1):
            v = uu[:, d] if d < uu.shape[1] else rng.normal(size=n)
            cols.append((v - v.mean()) / (v.std() or 1.0))
    theta = np.column_stack(cols)
    # one regression per benchmark of y on [1, θ] over its published cells (a small ridge)
    X = np.concatenate([np.ones((n, 1)), theta], axis=1)
    M = mask.astype(float)
    Sxx = np.einsum("nm,na,nb->mab", M, X, X) + np.diag([1e-3] + [1.0] * k)
    Sxy = np.einsum("nm,nm,na->ma", M, np.where(mask, y, 0.0), X)
    beta = np.linalg.solve(Sxx, Sxy[:, :, None])[:, :, 0]
    b, a = beta[:, 0], beta[:, 1:].copy()
    if nonneg:
        a[:, 0] = np.maximum(a[:, 0], 0.05)
    return a, b


def fit_em(y, mask, binom, k, penalty, *, start="additive", nonneg=False, rng=None, max_iter=1000, tol=1e-4):
    """EM (with parameter expansion, accelerated by SQUAREM) for y_ij = b_j + a_j·θ_i + e_ij, θ_i ~ N(0, I),
    e_ij ~ N(0, s_j² + v_ij). ``max_iter`` and the fit's ``iterations`` count EM steps.

    ``nonneg``: the slopes on the first dimension are kept ≥ 0 (a better score never lowers θ_1); the M-step is
    then the constrained maximiser (the unconstrained one, or the one with that slope at 0), so EM stays monotone,
    and SQUAREM's extrapolated steps are projected back onto slopes ≥ 0.

    References: Varadhan, R. & Roland, C. (2008). Simple and globally convergent methods for accelerating the
    convergence of any EM algorithm. *Scand. J. Statist.* 35(2), 335–353 (scheme S3, step bounds ×4).
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    n, m = y.shape
    M = mask.astype(float)
    n_j = M.sum(0)
    yz = np.where(mask, y, 0.0)
    b0 = float(yz.sum() / max(M.sum(), 1))
    a, b = _start(y, mask, k, start, rng, nonneg)
    resid = np.where(mask, y - b[None, :], 0.0)
    s2 = np.full(m, max(float((resid**2).sum() / max(M.sum(), 1)) * 0.5, MIN_VARIANCE))
    binom = np.where(mask, binom, 0.0)
    sum_e = binom.sum(0)
    prior = np.diag([INTERCEPT_PRIOR] + [penalty] * k)
    eye_k = np.eye(k)

    def e_step(a, b, s2, loglik=False):
        """θ's posterior given (a, b, s2), and the M-step's weighted cross-products of [1, θ] (with the prior)."""
        theta, cov, ll = posterior(a, b, s2, y, mask, binom, loglik=loglik)
        W = np.where(mask, 1.0 / (s2[None, :] + binom), 0.0)
        w_bar = W.sum(0) / np.maximum(n_j, 1)
        rel = W / np.maximum(w_bar, 1e-300)[None, :]
        X = np.concatenate([np.ones((n, 1)), theta], axis=1)
        XX = X[:, :, None] * X[:, None, :]
        XX[:, 1:, 1:] += cov
        Sxx = (rel.T @ XX.reshape(n, -1)).reshape(m, k + 1, k + 1) + prior
        return theta, cov, ll, w_bar, rel, X, Sxx

    def em_step(a, b, s2):
        """One EM iteration: (a, b, s2) → the next (a, b, s2) and the fitted logits of its M-step."""
        theta, cov, _, _, rel, X, Sxx = e_step(a, b, s2)
        Sxy = (rel * yz).T @ X
        Sxy[:, 0] += INTERCEPT_PRIOR * b0
        if nonneg:
            # the index's slopes are shrunk towards their common value, not towards 0 (discriminations of
            # one family of tests, as in hierarchical IRT): a benchmark that shares few models with the rest
            # keeps ordering models the way the others do
            Sxy[:, 1] += penalty * float(np.mean(a[:, 0]))
        beta = np.linalg.solve(Sxx, Sxy[:, :, None])[:, :, 0]
        if nonneg:
            neg = beta[:, 1] < 0
            if neg.any():
                keep = [0] + list(range(2, k + 1))
                sub = Sxx[neg][:, keep][:, :, keep]
                sol = np.linalg.solve(sub, Sxy[neg][:, keep][:, :, None])[:, :, 0]
                fixed = np.zeros((int(neg.sum()), k + 1))
                fixed[:, keep] = sol
                beta[neg] = fixed
        b, a = beta[:, 0], beta[:, 1:]
        aa = (a[:, :, None] * a[:, None, :]).reshape(m, k * k)
        fitted = b[None, :] + theta @ a.T
        quad = cov.reshape(n, k * k) @ aa.T
        raw = (M * ((yz - fitted) ** 2 + quad)).sum(0) - sum_e
        s2_pool = max(float(raw.sum() / max(M.sum(), 1)), MIN_VARIANCE)
        s2 = np.maximum((raw + VARIANCE_PRIOR * s2_pool) / (n_j + VARIANCE_PRIOR), MIN_VARIANCE)
        # parameter expansion: the fitted population of θ has mean 0 and covariance I, as the prior says
        centre = theta.mean(axis=0)
        second = (theta - centre).T @ (theta - centre) / n + cov.mean(axis=0)
        if nonneg and k > 1:
            # keep the first dimension's direction: only rescale (no rotation into the others)
            chol = np.diag(np.sqrt(np.maximum(np.diag(second), 1e-12)))
        else:
            chol = np.sqrt(second + 1e-9) if k == 1 else np.linalg.cholesky(second + 1e-9 * eye_k)
        b = b + a @ centre
        a = a @ chol
        return a, b, s2, fitted

    def pack(a, b, s2):
        return np.concatenate([a.ravel(), b, np.log(s2)])

    def unpack(x):
        a = x[: m * k].reshape(m, k).copy()
        if nonneg:
            a[:, 0] = np.maximum(a[:, 0], 0.0)
        return a, x[m * k : m * k + m], np.maximum(np.exp(x[m * k + m :]), MIN_VARIANCE)

    def moved(f_new, f_old):
        # converged when the fitted logits of the published cells stop moving (the slopes themselves can crawl
        # along directions that change no prediction, e.g. a rotation of θ when k > 1)
        return float(np.abs(np.where(mask, f_new - f_old, 0.0)).max())

    # SQUAREM (Varadhan & Roland 2008, scheme S3 with its step bounds): two EM steps, a step along them of length
    # α (α = 1: the two EM steps alone), one EM step from there. EM converges linearly here, slowly where the
    # table is sparse; this reaches the same fixed point in about half the EM steps
    converged = False
    it, step_max, fitted_old = 0, 1.0, None
    while it < max_iter:
        a1, b1, s2_1, f1 = em_step(a, b, s2)
        it += 1
        if fitted_old is not None and moved(f1, fitted_old) < tol:
            a, b, s2, converged = a1, b1, s2_1, True
            break
        a2, b2, s2_2, f2 = em_step(a1, b1, s2_1)
        it += 1
        if moved(f2, f1) < tol:
            a, b, s2, converged = a2, b2, s2_2, True
            break
        x0, x1, x2 = pack(a, b, s2), pack(a1, b1, s2_1), pack(a2, b2, s2_2)
        r, v = x1 - x0, x2 - 2 * x1 + x0
        norm_v = float(np.linalg.norm(v))
        alpha = min(max(float(np.linalg.norm(r)) / norm_v, 1.0), step_max) if norm_v > 0 else 1.0
        if alpha == step_max:
            step_max *= 4.0
        a, b, s2 = unpack(x0 + 2 * alpha * r + alpha**2 * v)
        if not (np.isfinite(a).all() and np.isfinite(b).all() and np.isfinite(s2).all()):
            a, b, s2 = a2, b2, s2_2
        a, b, s2, fitted_old = em_step(a, b, s2)
        it += 1
    theta, cov, ll, w_bar, _, _, Sxx = e_step(a, b, s2, loglik=True)
    item_cov = np.linalg.inv(Sxx) / np.maximum(w_bar, 1e-12)[:, None, None]
    s2_pool = float(np.mean(s2))
    a_centre = a.copy()
    if nonneg:
        a_centre[:, 0] -= float(np.mean(a[:, 0]))
    log_prior = (
        -0.5 * float((w_bar * (penalty * (a_centre**2).sum(1) + INTERCEPT_PRIOR * (b - b0) ** 2)).sum())
        - 0.5 * VARIANCE_PRIOR * float((np.log(s2) + s2_pool / s2).sum())
    )
    if not nonneg and k == 1 and a[:, 0].sum() < 0:  # higher ability = higher scores
        a, theta = -a, -theta
        item_cov = item_cov * np.array([[1, -1], [-1, 1]])
    return Fit(theta, cov, a, b, s2, item_cov, it, converged, ll + log_prior, penalty, start)


def spearman(x, y) -> float:
    from scipy.stats import spearmanr

    if np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(spearmanr(x, y)[0])


def fit_best(y, mask, binom, k, penalty, *, nonneg=False, starts=("additive", "jitter", "jitter"), check=("eigen",),
             rng=None, **kw):
    """Fits from several starts; the one with the highest penalised objective is kept, the others recorded.

    ``starts`` compete (the additive model's offsets and jittered copies of them); ``check`` starts (the leading
    eigenvector of the zero-filled table, lbtools' old start) are fitted and recorded but never kept: on tables
    whose old and new benchmarks share few models that start can reach a *higher* likelihood with an order of
    models that follows the blocks, and the caller warns when it does."""
    rng = rng if rng is not None else np.random.default_rng(0)
    fits, checks = [], []
    for s in tuple(starts) + tuple(check):
        try:
            f = fit_em(y, mask, binom, k, penalty, start=s, nonneg=nonneg, rng=rng, **kw)
        except np.linalg.LinAlgError:
            continue
        (fits if s in starts else checks).append(f)
    best = max(fits, key=lambda f: f.objective)
    rows = mask.any(axis=1)
    for f in fits + checks:
        if f is best:
            continue
        agree = spearman(f.theta[rows, 0], best.theta[rows, 0])
        best.others.append((f.start, f.objective, agree))
    return best


def predict(fit: Fit, n_items: np.ndarray, rows=None, cols=None):
    """Mean and model-based variance (logit scale) of a newly published score: every cell, or the cells given."""
    n, k = fit.theta.shape
    m = len(fit.b)
    X = np.concatenate([np.ones((n, 1)), fit.theta], axis=1)
    aa = (fit.a[:, :, None] * fit.a[:, None, :]).reshape(m, k * k)
    xx = (X[:, :, None] * X[:, None, :]).reshape(n, -1)
    if rows is None:
        mu = X @ np.concatenate([fit.b[:, None], fit.a], axis=1).T
        var = fit.cov.reshape(n, k * k) @ aa.T + xx @ fit.item_cov.reshape(m, -1).T + fit.s2[None, :]
        return mu, var + binomial_var(mu, n_items[None, :])
    mu = fit.b[cols] + (fit.theta[rows] * fit.a[cols]).sum(axis=1)
    var = (fit.cov.reshape(n, k * k)[rows] * aa[cols]).sum(axis=1) + (xx[rows] * fit.item_cov.reshape(m, -1)[cols]).sum(axis=1)
    return mu, var + fit.s2[cols] + binomial_var(mu, n_items[cols])


def max_k(n_models: int, m: int, n_cells: int) -> int:
    """The most latent dimensions the table can support: fewer than the benchmarks, and at least as many
    published cells per dimension as there are parameters per dimension (one per model and one per benchmark)."""
    return int(max(1, min(MAX_K, m - 1, n_cells // max(n_models + m, 1))))


# --------------------------------------------------------------------------------------------
# cross-validation, nested selection and split-conformal calibration


def make_folds(mask: np.ndarray, n_folds: int, rng) -> np.ndarray:
    """A fold number (0..n_folds-1) for each published cell, -1 elsewhere."""
    fold = np.full(mask.shape, -1)
    idx = np.flatnonzero(mask)
    perm = rng.permutation(idx.size)
    fold.flat[idx[perm]] = np.arange(idx.size) % n_folds
    return fold


class CrossFitter:
    """Fits on the published cells minus some folds, cached by (folds left out, k, penalty).

    ``select(base)`` chooses (k, penalty) by cross-validation *inside* the cells not in ``base``: the folds not in
    ``base`` are its folds, each predicted by a fit that also leaves it out. With ``base = {f}`` this is the nested
    selection that makes fold ``f``'s fit a fixed algorithm of its training cells, so fold ``f`` is a calibration
    set no fit or choice saw (as split conformal requires); with ``base = ()`` it is the ordinary choice on all cells.
    """

    def __init__(self, y, mask, binom, n_items, fold, rows_for_items, max_k_, penalties=PENALTIES, max_iter=300,
                 patience=1):
        self.y, self.mask, self.binom, self.n_items, self.fold = y, mask, binom, n_items, fold
        self.n_folds = int(fold.max()) + 1
        self.rows = rows_for_items  # bool (n,), models whose cells teach the benchmark parameters
        self.max_k = max_k_
        self.penalties = penalties
        self.max_iter = max_iter
        self.patience = patience
        self.cache: dict = {}
        self.pred: dict = {}
        self.truth = 100 * sigmoid(y)

    def train_mask(self, out):
        m = self.mask.copy()
        for f in out:
            m &= self.fold != f
        return m

    def fit(self, out, k, lam):
        key = (frozenset(out), k, lam)
        if key not in self.cache:
            train = self.train_mask(out)
            fit = fit_em(self.y[self.rows], train[self.rows], self.binom[self.rows], k, lam, tol=CV_TOL, max_iter=self.max_iter)
            if not self.rows.all():
                theta, cov, _ = posterior(fit.a, fit.b, fit.s2, self.y, train, self.binom, loglik=False)
                fit.theta, fit.cov = theta, cov
            self.cache[key] = fit
        return self.cache[key]

    def predict_all(self, out, k, lam):
        key = (frozenset(out), k, lam)
        if key not in self.pred:
            mu, var = predict(self.fit(out, k, lam), self.n_items)
            self.pred[key] = (mu, np.sqrt(var))
        return self.pred[key]

    def _held_out_rmse(self, base, point_of) -> float:
        """RMSE on 0–100 of the cells in folds not in ``base``, each predicted by ``point_of(left_out, test)`` from
        a fit leaving out ``left_out`` = base ∪ its fold."""
        sq, cnt = 0.0, 0
        for g in range(self.n_folds):
            if g in base:
                continue
            test = self.fold == g
            if not test.any():
                continue
            point = point_of(set(base) | {g}, test)
            sq += float(((point - self.truth[test]) ** 2).sum())
            cnt += int(test.sum())
        return float(np.sqrt(sq / max(cnt, 1)))

    def cv_error(self, base, k, lam):
        """Held-out RMSE (0–100) of the (k, penalty) fit."""
        def point_of(left_out, test):
            mu, sd = self.predict_all(left_out, k, lam)
            return expected_pct(mu[test], sd[test])

        return self._held_out_rmse(base, point_of)

    def select(self, base=()):
        """Coordinate search: k = 1, 2, … at the first penalty (stopping at the first that does not improve), then
        the other penalties at the best k. Returns (k, penalty, {(k, penalty): rmse})."""
        errors = {}
        lam0 = self.penalties[0]
        best_k, best_e, worse = 1, np.inf, 0
        for k in range(1, self.max_k + 1):
            e = self.cv_error(base, k, lam0)
            errors[(k, lam0)] = e
            if e < best_e - 1e-9:
                best_k, best_e, worse = k, e, 0
            else:
                worse += 1
                if worse >= self.patience:
                    break
        best = (best_k, lam0)
        for lam in self.penalties[1:]:
            e = self.cv_error(base, best_k, lam)
            errors[(best_k, lam)] = e
            if e < errors[best] - 1e-9:
                best = (best_k, lam)
        return best[0], best[1], errors


    # ---- blends: a weighted average of the chosen (k, penalty) fit with other predictors, the weights chosen by the
    # same cross-validation (stacking). The others are the factor fits already made for the choice of (k, penalty),
    # iterative rank-r SVD imputation on 0–100 (hard-impute, ObsScaling's recipe; ``k = "svd<r>"``) and KNN.

    def _part(self, out, name):
        """A non-factor blend part's 0–100 predictions from the cells not in ``out``: ``"svd<r>"`` (rank-r SVD
        imputation) or ``"knn"`` / ``"knn<r>"`` (the mean of the 5 / r nearest models, scikit-learn's KNNImputer)."""
        key = (frozenset(out), name)
        if key not in self.pred:
            train = self.train_mask(out)
            if name.startswith("knn"):
                self.pred[key] = baseline_predict("KNNImputer", self.truth, train, neighbours=int(name[3:] or 5))
            else:
                # (at most 50 sweeps, stopping when no imputed cell moves by 0.01 points: the baseline runs to 200 and 10⁻⁴;
                # the blend only needs a smooth low-rank part, and the CV scores the truncated one it uses)
                self.pred[key] = np.clip(_pca_impute(self.truth, train, int(name[3:]), iters=50, tol=0.01), 0.0, 100.0)
        return self.pred[key]

    def point_choice(self, out, choice):
        """0–100 point prediction of a choice ``((k, penalty, weight), ...)`` and the factor fits' logit sd."""
        point, var, wf = 0.0, 0.0, 0.0
        for k, lam, w in choice:
            if isinstance(k, str):
                point = point + w * self._part(out, k)
            else:
                m_, s_ = self.predict_all(out, k, lam)
                point = point + w * expected_pct(m_, s_)
                var, wf = var + w * s_**2, wf + w
        return point, np.sqrt(var / wf)

    def predict_choice(self, out, choice):
        """(logit mean, sd) of a choice: for a blend, the weighted mean of the predictors on 0–100, returned as the
        logit mean whose :func:`expected_pct` it is, with the factor fits' pooled sd."""
        if len(choice) == 1:
            k, lam, _ = choice[0]
            return self.predict_all(out, k, lam)
        point, sd = self.point_choice(out, choice)
        return pct_to_mu(point, sd), sd

    def _out_of_fold(self, base, key):
        """0–100 predictions of candidate ``key`` for the cells of the folds not in ``base``, each from the fit
        that left out ``base`` and that cell's fold (the cells in fold order)."""
        parts = []
        for g in range(self.n_folds):
            test = self.fold == g
            if g in base or not test.any():
                continue
            left = set(base) | {g}
            if isinstance(key[0], str):
                parts.append(self._part(left, key[0])[test])
            else:
                mu, sd = self.predict_all(left, key[0], key[1])
                parts.append(expected_pct(mu[test], sd[test]))
        return np.concatenate(parts)

    def select_blend(self, base=(), svd_ranks=SVD_RANKS, knn_sizes=KNN_SIZES):
        """:meth:`select`, then stacking (Breiman 1996): the blend weights are the non-negative least-squares
        weights, summing to 1, of the candidates' out-of-fold predictions of the held-out folds' cells. The
        candidates are the (k, penalty) fits the choice made, rank-r SVD imputation (r up to the cap on k: a table
        supports no more dimensions for an imputation than for the factor model) and KNN imputation; all are
        scored on the same folds (nested inside ``base`` as :meth:`select` is), so the blend is one more choice of
        the same cross-validation. Returns (choice, errors) with ``choice`` a tuple of (k, penalty, weight), the
        factor fit with the largest weight first; k is ``"svd<r>"`` or ``"knn"``/``"knn<r>"`` for imputations."""
        from scipy.optimize import nnls

        k, lam, errors = self.select(base)
        m = self.y.shape[1]
        cands = [(k, lam)] + [key for key in sorted(errors, key=errors.get) if key != (k, lam)]
        if self.rows.all():  # (on a subset of models, for large tables: factor fits only)
            cands += [(f"svd{r}", None) for r in svd_ranks if r < m - 1 and r <= self.max_k]
            cands += [("knn" if r == 5 else f"knn{r}", None) for r in knn_sizes]
        truth = np.concatenate([self.truth[self.fold == g] for g in range(self.n_folds) if g not in base])
        P = np.column_stack([self._out_of_fold(base, key) for key in cands])
        # Σ w = 1 as a heavily weighted extra row of the least-squares problem
        big = 1e3 * np.sqrt(truth.size)
        w, _ = nnls(np.vstack([P, np.full((1, len(cands)), big)]), np.append(truth, big))
        w = np.where(w >= STACK_MIN, w, 0.0)
        ranked = [i for i in np.argsort(-w, kind="stable") if w[i] > 0]
        factor = [i for i in ranked if not isinstance(cands[i][0], str)]
        if not factor:
            return ((k, lam, 1.0),), errors
        order = factor[:1] + [i for i in ranked if i != factor[0]]
        w = w / w[order].sum()
        return tuple((cands[i][0], cands[i][1], float(w[i])) for i in order), errors


def pct_to_mu(point, sd):
    """The logit mean whose :func:`expected_pct` with ``sd`` is ``point`` (0–100)."""
    p = np.clip(point / 100.0, 1e-4, 1 - 1e-4)
    return logit(p) * np.sqrt(1.0 + np.pi * sd**2 / 8.0)


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ⌈level·(n + 1)⌉-th smallest of ``n`` calibration scores (∞ when that exceeds n): split conformal's
    quantile, which covers a new exchangeable score with probability in [level, level + 1/(n + 1))."""
    scores = np.sort(np.asarray(scores, dtype=float))
    rank = int(np.ceil(level * (scores.size + 1)))
    return float(scores[rank - 1]) if 1 <= rank <= scores.size else np.inf


def conformal_classes(mask: np.ndarray, min_cells: int = MONDRIAN_MIN) -> np.ndarray:
    """Calibration class per benchmark: its own index with ≥ ``min_cells`` calibration cells in ``mask``, else -1
    (pooled)."""
    n_j = mask.sum(axis=0)
    return np.where(n_j >= min_cells, np.arange(mask.shape[1]), -1)


def split_conformal(fold_mu, fold_sd, y, mask, fold, level, pick, min_cells: int = MONDRIAN_MIN):
    """Split-conformal intervals (logit scale) for every cell, each from one calibration fold (Lei et al. 2018).

    ``fold_mu``/``fold_sd``: (K, n, m) the predictions of fold ``f``'s model, fitted (selection included) on the
    published cells outside fold ``f``; the cells of fold ``f`` are its calibration cells, which neither that fit
    nor its choices saw. ``pick`` (n, m): the fold whose model and calibration cells give each cell's interval,
    drawn independently of the data. The interval of a cell from fold ``f`` is ``μ̂_f ± q·σ̂_f`` with ``q`` the
    :func:`conformal_quantile` of the normalised scores ``|y − μ̂_f| / σ̂_f`` of fold ``f``'s calibration cells of
    the cell's class: its benchmark when fold ``f`` holds ≥ ``min_cells`` of its cells (Mondrian), otherwise the
    pooled cells of the fold's smaller benchmarks (all the fold's cells when even those are fewer).

    Returns (low, high, z, own) with ``z`` the signed normalised out-of-fold residual of every published cell (NaN
    elsewhere) and ``own`` (K, m) whether fold ``f`` calibrated benchmark ``j`` on its own cells."""
    K, n, m = fold_mu.shape
    z = np.full((n, m), np.nan)
    for f in range(K):
        sel = fold == f
        z[sel] = (y[sel] - fold_mu[f][sel]) / fold_sd[f][sel]
    R = np.abs(z)
    low = np.empty((n, m))
    high = np.empty((n, m))
    own = np.zeros((K, m), bool)
    for f in range(K):
        cal = (fold == f) & mask
        classes = conformal_classes(cal, min_cells)
        own[f] = classes >= 0
        q = np.empty(m)
        for j in np.flatnonzero(own[f]):
            q[j] = conformal_quantile(R[:, j][cal[:, j]], level)
        small = np.flatnonzero(~own[f])
        if small.size:
            pool = R[:, small][cal[:, small]]
            q[small] = conformal_quantile(pool if pool.size >= min_cells else R[cal], level)
        sel = pick == f
        low[sel] = (fold_mu[f] - q[None, :] * fold_sd[f])[sel]
        high[sel] = (fold_mu[f] + q[None, :] * fold_sd[f])[sel]
    return low, high, z, own


# --------------------------------------------------------------------------------------------
# baselines (0–100 scale, fitted on the training cells only)


BASELINES = (
    "benchmark mean",
    "two-way additive",
    "two-way additive (logit)",
    "rank-1 PCA",
    "rank-2 PCA",
    "rank-3 PCA",
    "rank-k PCA (CV)",
    "IterativeImputer",
    "KNNImputer",
)


def _col_means(pct, train):
    X = np.where(train, pct, np.nan)
    overall = np.nanmean(X) if train.any() else 50.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        col = np.nanmean(X, axis=0)
    return np.where(np.isfinite(col), col, overall)


def _low_rank(c: np.ndarray, rank: int) -> np.ndarray:
    """The best rank-``rank`` approximation of ``c`` (truncated SVD), from the eigenvectors of its smaller
    cross-product: the same projection, about twice as fast as a full SVD on tables of a few benchmarks."""
    n, m = c.shape
    if m <= n:
        v = np.linalg.eigh(c.T @ c)[1][:, : -rank - 1 : -1]
        return (c @ v) @ v.T
    u = np.linalg.eigh(c @ c.T)[1][:, : -rank - 1 : -1]
    return u @ (u.T @ c)


def _pca_impute(pct, train, rank, iters=200, tol=1e-4):
    """Iterative rank-k SVD imputation (hard-impute), started from the benchmark means (ObsScaling's recipe)."""
    col = _col_means(pct, train)
    filled = np.where(train, pct, col[None, :])
    rank = max(1, min(rank, min(filled.shape) - 1))
    low = filled
    for _ in range(iters):
        centre = filled.mean(axis=0)
        low = centre + _low_rank(filled - centre, rank)
        new = np.where(train, pct, low)
        if np.max(np.abs(new - filled)) < tol:
            filled = new
            break
        filled = new
    return low


def baseline_predict(method: str, pct: np.ndarray, train: np.ndarray, seed: int = 0, neighbours: int = 5) -> np.ndarray:
    """Predictions on 0–100 for every cell from the training cells only (``neighbours``: KNNImputer's)."""
    n, m = pct.shape
    col = _col_means(pct, train)
    if method == "benchmark mean":
        return np.broadcast_to(col, (n, m)).copy()
    if method == "two-way additive":
        e, u = additive_offsets(np.where(train, pct, 0.0), train)
        return np.clip(e[None, :] + u[:, None], 0, 100)
    if method == "two-way additive (logit)":
        y, _ = to_logit(pct, np.full(m, np.nan))
        e, u = additive_offsets(y, train)
        return 100 * sigmoid(e[None, :] + u[:, None])
    if method.startswith("rank-") and method.endswith(" PCA"):
        return np.clip(_pca_impute(pct, train, int(method[5])), 0, 100)
    if method == "rank-k PCA (CV)":
        rng = np.random.default_rng(seed)
        fold = make_folds(train, 5, rng)
        best, best_e = 1, np.inf
        for r in range(1, min(6, m - 1) + 1):
            sq = 0.0
            for f in range(5):
                t = fold == f
                p = _pca_impute(pct, train & ~t, r)
                sq += float(((p[t] - pct[t]) ** 2).sum())
            if sq < best_e:
                best, best_e = r, sq
        return np.clip(_pca_impute(pct, train, best), 0, 100)
    if method in ("IterativeImputer", "KNNImputer"):
        from sklearn.experimental import enable_iterative_imputer  # noqa: F401
        from sklearn.impute import IterativeImputer, KNNImputer
        from sklearn.linear_model import BayesianRidge

        X = np.where(train, pct, np.nan)
        keep_cols = train.any(axis=0)
        out = np.broadcast_to(col, (n, m)).copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "early stopping criterion not reached" is not the user's concern
            if method == "IterativeImputer":
                imp = IterativeImputer(estimator=BayesianRidge(), max_iter=25, random_state=seed)
            else:
                imp = KNNImputer(n_neighbors=neighbours)
            rows = train.any(axis=1)
            filled = imp.fit_transform(X[rows][:, keep_cols])
            sub = out[rows]
            sub[:, keep_cols] = filled
            out[rows] = sub
        return np.clip(out, 0, 100)
    raise ValueError(f"unknown method {method!r}")
