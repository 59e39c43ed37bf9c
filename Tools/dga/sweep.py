#!/usr/bin/env python3
"""Model-selection sweep for the DGA model: the same leave-families-out folds and benign holdout as train.py, over a
small grid of settings. Writes Tools/dga/sweep.md (one row per setting). Slow-ish: ~1 CPU-minute per setting.

    python3 Tools/dga/sweep.py                       # the default grid
    python3 Tools/dga/sweep.py --grid "C=0.3,1 bw=1,4 dense=1"
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dgafeatures as F  # noqa: E402
import train as T  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(T.ROOT, "..", "shared", "data", "dga"))
    ap.add_argument("--grid", default="nmax=4 C=0.3,1,3 bw=1,4 dense=0,1")
    ap.add_argument("--out", default=os.path.join(T.ROOT, "Tools", "dga", "sweep.md"))
    args = ap.parse_args()
    grid = {}
    for part in args.grid.split():
        k, v = part.split("=")
        grid[k] = [float(x) if k in ("C", "bw") else int(x) for x in v.split(",")]
    t0 = time.time()
    psl = F.PSL(os.path.join(T.ROOT, "Sources", "PublicSuffix", "Resources", "PSL", "public_suffix_list.dat"))
    benign, families = T.load_data(args.data, psl)
    b_all = list(benign)
    b_train = [l for l in b_all if not T.is_holdout(l)]
    b_hold = [l for l in b_all if T.is_holdout(l)]
    fam_names = sorted(families)
    labels = b_train + b_hold
    owner = ["benign"] * len(b_train) + ["benign_holdout"] * len(b_hold)
    for fam in fam_names:
        labels.extend(families[fam].keys())
        owner.extend([fam] * len(families[fam]))
    owner = np.array(owner)
    bigram = F.bigram_table(b_train)
    Xd = T.dense_matrix(labels, bigram)
    parts = [F.fmix32(zlib.crc32(l) ^ 0x5bd1e995) % T.LM_PARTS for l in b_train]
    for k in range(T.LM_PARTS):
        bi_k = F.bigram_table([l for l, p in zip(b_train, parts) if p != k])
        rows = [i for i, p in enumerate(parts) if p == k]
        Xd[rows] = T.dense_matrix([b_train[i] for i in rows], bi_k)
    is_btrain = owner == "benign"
    is_bhold = owner == "benign_holdout"
    order = fam_names[:]
    random.Random(T.SEED).shuffle(order)
    folds = [order[i::5] for i in range(5)]
    Xs_cache = {}
    rows_out = []
    keys = sorted(grid)
    for combo in itertools.product(*(grid[k] for k in keys)):
        cfg = dict(zip(keys, combo))
        nmax = int(cfg.get("nmax", 4))
        if nmax not in Xs_cache:
            Xs_cache[nmax] = T.sparse_matrix(labels, 18, 1, nmax)
        Xs = Xs_cache[nmax]
        T.BENIGN_WEIGHT = cfg.get("bw", 1.0)
        dense_cols = None if cfg.get("dense", 1) else []
        terms, hit3, hit4, own = [], [], [], []
        for held in folds:
            held_mask = np.isin(owner, held)
            train_mask = is_btrain | (~is_bhold & ~is_btrain & ~held_mask)
            y = (~is_btrain[train_mask]).astype(int)
            Xd_use = Xd if dense_cols is None else np.zeros((Xd.shape[0], 1))
            m = T.fit(Xs[train_mask], Xd_use[train_mask], y, cfg.get("C", 1.0))
            zb = T.decision(Xs[is_bhold], Xd_use[is_bhold], m)
            zp = T.decision(Xs[held_mask], Xd_use[held_mask], m)
            nb = np.sort(zb)
            thr3 = T.tpr_at(zb, zp, 1e-3)[1]
            thr4 = T.tpr_at(zb, zp, 1e-4)[1]
            terms.append((np.searchsorted(nb, zp, "left") + np.searchsorted(nb, zp, "right")) / 2.0 / len(nb))
            hit3.append(zp > thr3)
            hit4.append(zp > thr4)
            own.append(owner[held_mask])
        terms, hit3, hit4, own = map(np.concatenate, (terms, hit3, hit4, own))
        nw = ~np.isin(own, list(T.WORDLIST_FAMILIES))
        fams = sorted(set(own))
        macro3 = np.mean([hit3[own == f].mean() for f in fams if f not in T.WORDLIST_FAMILIES])
        row = (cfg, terms.mean(), hit3.mean(), hit4.mean(), terms[nw].mean(), hit3[nw].mean(), macro3)
        rows_out.append(row)
        write_table(args.out, rows_out)
        print(f"{cfg} auc={row[1]:.4f} tpr3={row[2]:.3f} tpr4={row[3]:.3f} nw_auc={row[4]:.4f} nw_tpr3={row[5]:.3f} "
              f"nw_macro_tpr3={row[6]:.3f} ({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)


def write_table(path, rows_out):
    with open(path, "w") as f:
        f.write("| setting | AUC (all, pooled) | TPR@1e-3 | TPR@1e-4 | AUC (non-wordlist) | TPR@1e-3 (non-wordlist) | TPR@1e-3 (non-wordlist, macro) |\n")
        f.write("|---|---:|---:|---:|---:|---:|---:|\n")
        for cfg, a, t3, t4, na, nt3, m3 in rows_out:
            f.write(f"| {' '.join(f'{k}={v}' for k, v in cfg.items())} | {a:.4f} | {t3:.3f} | {t4:.3f} | {na:.4f} | {nt3:.3f} | {m3:.3f} |\n")


if __name__ == "__main__":
    main()
