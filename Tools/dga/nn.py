"""A small fastText-style network for DGA scoring, trained with plain numpy (no deep-learning framework needed).

    bag  = (1/T) * sum over the T hashed character n-gram tokens of E[token]            (D values)
    h    = relu(W1_bag^T bag + W1_dense^T standardised(hand features) + b1)             (H values)
    z    = w2 . h + b2;   score = sigmoid(z)

Training: mini-batch Adam on weighted binary cross-entropy (classes balanced, as in the logistic regression), L2
on every weight, fixed seed. After training the embedding table is quantised to int8 with one scale per dimension
(E[t, d] ~= q[t, d] * s[d]); the network is then fine-tuned for a few passes with the quantised embeddings frozen so
that the shipped weights are exactly the ones evaluated. The bag of a name is then an exact integer sum
(sum_t q[t, d]) times s[d] / T, which the Swift scorer reproduces bit for bit whatever the summation order.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


class Config:
    def __init__(self, dim=16, hidden=32, epochs=8, batch=2048, lr=3e-3, l2_emb=1e-6, l2=1e-5, finetune=2, seed=1,
                 benign_weight=1.0, ema=0.0):
        self.ema = ema  # > 0: exponential moving average of the weights over the training steps (Polyak), used at the end
        self.dim, self.hidden, self.epochs, self.batch, self.lr = dim, hidden, epochs, batch, lr
        self.l2_emb, self.l2, self.finetune, self.seed, self.benign_weight = l2_emb, l2, finetune, seed, benign_weight

    def as_dict(self):
        return dict(vars(self))


def quantise(E: np.ndarray):
    """int8 codes and one float32 scale per dimension; max |E[:, d]| maps to 127."""
    s = np.abs(E).max(axis=0).astype(np.float32) / np.float32(127.0)
    s[s == 0] = np.float32(1.0)
    q = np.clip(np.rint(E / s), -127, 127).astype(np.int8)
    return q, s


class Net:
    """Parameters: E (B x D float32, or int8 codes q + scales s once quantised), W1 ((D+F) x H), b1, w2, b2."""

    def __init__(self, nbuckets, nd, cfg: Config):
        rng = np.random.default_rng(cfg.seed)
        D, H = cfg.dim, cfg.hidden
        self.cfg = cfg
        self.E = (rng.standard_normal((nbuckets, D)) * 0.1).astype(np.float32)
        self.W1 = (rng.standard_normal((D + nd, H)) * np.sqrt(2.0 / (D + nd))).astype(np.float32)
        self.b1 = np.zeros(H, np.float32)
        self.w2 = (rng.standard_normal(H) * np.sqrt(1.0 / H)).astype(np.float32)
        self.b2 = np.zeros(1, np.float32)
        self.q = None
        self.s = None

    def embeddings(self):
        return self.E if self.q is None else self.q.astype(np.float32) * self.s

    def forward(self, X, Z, E=None):
        E = self.embeddings() if E is None else E
        bag = np.asarray(X @ E, dtype=np.float32)
        inp = np.hstack([bag, Z.astype(np.float32)])
        a = inp @ self.W1 + self.b1
        h = np.maximum(a, 0)
        z = h @ self.w2 + self.b2[0]
        return z, (inp, a, h)

    def decision64(self, X, Z):
        """float64 evaluation of the quantised network, as the reference scorer does it (X: float64 1/T weights)."""
        E = self.q.astype(np.float64) * self.s.astype(np.float64)  # exact: the reference scorer's q * s in float64
        bag = X @ E
        inp = np.hstack([bag, Z])
        a = inp @ self.W1.astype(np.float64) + self.b1.astype(np.float64)
        h = np.maximum(a, 0)
        return h @ self.w2.astype(np.float64) + float(self.b2[0])

    def fit(self, X, Z, y, log=None):
        cfg = self.cfg
        rng = np.random.default_rng(cfg.seed + 1)
        npos = int(y.sum())
        nneg = len(y) - npos
        sw = np.where(y == 1, len(y) / (2.0 * npos), cfg.benign_weight * len(y) / (2.0 * nneg)).astype(np.float32)
        Z = Z.astype(np.float32)
        yf = y.astype(np.float32)
        params = ["E", "W1", "b1", "w2", "b2"]
        m = {p: np.zeros_like(getattr(self, p)) for p in params}
        v = {p: np.zeros_like(getattr(self, p)) for p in params}
        t = 0
        b1_, b2_ = 0.9, 0.999
        D = cfg.dim
        total_epochs = cfg.epochs + cfg.finetune
        avg = {p: np.zeros_like(getattr(self, p)) for p in params} if cfg.ema > 0 else None
        n_avg = 0
        for ep in range(total_epochs):
            frozen = ep >= cfg.epochs
            if frozen and self.q is None and avg is not None:
                for p in params:  # bias-corrected: the average starts from zero, not from the initial weights
                    setattr(self, p, (avg[p] / (1 - cfg.ema ** n_avg)).astype(np.float32))
                avg = None
            if frozen and self.q is None:
                self.q, self.s = quantise(self.E)
                m = {p: np.zeros_like(getattr(self, p)) for p in params}
                v = {p: np.zeros_like(getattr(self, p)) for p in params}
            E = self.embeddings()
            lr = cfg.lr * (0.3 if frozen else (1.0 if ep < cfg.epochs - 2 else 0.3))
            perm = rng.permutation(len(y))
            loss_sum = 0.0
            for start in range(0, len(y), cfg.batch):
                idx = perm[start:start + cfg.batch]
                Xb, Zb, yb, wb = X[idx], Z[idx], yf[idx], sw[idx]
                bag = np.asarray(Xb @ E, dtype=np.float32)
                inp = np.hstack([bag, Zb])
                a = inp @ self.W1 + self.b1
                h = np.maximum(a, 0)
                z = h @ self.w2 + self.b2[0]
                p = 1.0 / (1.0 + np.exp(-z))
                wsum = wb.sum()
                loss_sum += float((wb * (np.logaddexp(0, z) - yb * z)).sum())
                dz = (p - yb) * wb / wsum
                g = {}
                g["w2"] = h.T @ dz + cfg.l2 * self.w2
                g["b2"] = np.array([dz.sum()], np.float32)
                da = np.outer(dz, self.w2) * (a > 0)
                g["W1"] = inp.T @ da + cfg.l2 * self.W1
                g["b1"] = da.sum(axis=0)
                if not frozen:
                    dbag = da @ self.W1[:D].T
                    g["E"] = np.asarray(Xb.T @ dbag, dtype=np.float32) + cfg.l2_emb * self.E
                t += 1
                for pname, gp in g.items():
                    m[pname] = b1_ * m[pname] + (1 - b1_) * gp
                    v[pname] = b2_ * v[pname] + (1 - b2_) * gp * gp
                    mh = m[pname] / (1 - b1_ ** t)
                    vh = v[pname] / (1 - b2_ ** t)
                    setattr(self, pname, (getattr(self, pname) - lr * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32))
                if not frozen:
                    E = self.E
                    if avg is not None:
                        n_avg += 1
                        for p in params:
                            avg[p] *= cfg.ema
                            avg[p] += (1 - cfg.ema) * getattr(self, p)
            if log:
                log(f"  epoch {ep + 1}/{total_epochs}{' (quantised, embeddings frozen)' if frozen else ''}: "
                    f"loss {loss_sum / sw.sum():.5f}")
        if self.q is None:
            self.q, self.s = quantise(self.E)
        return self
