#!/usr/bin/env python3
"""Upper-bound experiment for issue 7's DGA targets: a clearly larger model class than the shipped one, on exactly
the shipped protocol (train.py's benign split, family folds, thresholds and metrics), to see whether the targets are
within reach of *any* label-only character model or whether the data bounds them.

Not part of the shipped pipeline; needs PyTorch (CPU is enough; `pip install torch`). The machine is shared, so it
runs on one thread (torch.set_num_threads(1)); start it under `nice -n 19` with OMP_NUM_THREADS=1.

    OMP_NUM_THREADS=1 nice -n 19 python3 Tools/dga/upper_bound.py --arch cnn --features --out /tmp/ub_cnnf.npz
    python3 Tools/dga/error_budget.py --dump /tmp/ub_cnnf.npz        # tables from the dump

Model (--arch cnn): character embeddings (32) -> parallel 1-D convolutions of widths 2..6 (--filters each) ->
global max-pool -> [optional: the shipped model's 18 hand features, standardised, with train.py's cross-fitted
benign character models] -> dense 256 ReLU -> dropout -> sigmoid. 0.25 M parameters and ~1.3 M multiply-adds for a
14-character label, against ~2 k for the shipped network (so it could not meet the 1 M names/s target in Swift: it is an
upper-bound experiment, not a candidate); (--arch lstm) a bidirectional LSTM of 64 units per direction instead of the
convolutions.
Loss weighting as the shipped network: classes balanced, then the benign class x --benign-weight.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dgafeatures as F  # noqa: E402
import foldmetrics as M  # noqa: E402
import train as T  # noqa: E402

MAXLEN = 64          # registrable labels are at most 63 bytes; +BEGIN/END would be 65, so a 63-byte label loses END
PAD = F.NSYM         # index 41


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def encode(labels):
    X = np.full((len(labels), MAXLEN), PAD, dtype=np.int64)
    L = np.zeros(len(labels), dtype=np.int64)
    for i, l in enumerate(labels):
        seq = ([F.BEGIN] + [F.symbol(c) for c in l] + [F.END])[:MAXLEN]
        X[i, :len(seq)] = seq
        L[i] = len(seq)
    return X, L


def hand_features(b_train, all_labels, words, cache):
    """train.py's 18 hand features, with the same cross-fitting of the benign character models (cached)."""
    if cache and os.path.exists(cache):
        return np.load(cache)["Xd"]
    bloom = F.WordBloom.from_word_list(words, 22)
    bigram, trigram = F.bigram_table(b_train), F.trigram_table(b_train)
    Xd = T.dense_matrix(all_labels, bigram, bloom, trigram)
    parts = [F.fmix32(zlib.crc32(l) ^ 0x5bd1e995) % T.LM_PARTS for l in b_train]
    for k in range(T.LM_PARTS):
        rest = [l for l, p in zip(b_train, parts) if p != k]
        rows = [i for i, p in enumerate(parts) if p == k]
        Xd[rows] = T.dense_matrix([b_train[i] for i in rows], F.bigram_table(rest), bloom, F.trigram_table(rest))
    if cache:
        np.savez_compressed(cache, Xd=Xd)
    return Xd


def make_net(torch, args, nd):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(F.NSYM + 1, 32, padding_idx=PAD)
            if args.arch == "cnn":
                self.convs = nn.ModuleList([nn.Conv1d(32, args.filters, k, padding=k - 1) for k in range(2, 7)])
                width = args.filters * 5
            else:
                self.rnn = nn.LSTM(32, 64, batch_first=True, bidirectional=True)
                width = 128
            self.head = nn.Sequential(nn.Linear(width + nd, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 1))

        def forward(self, x, lengths, z):
            e = self.emb(x)
            if args.arch == "cnn":
                e = e.transpose(1, 2)
                # padding positions must not win the max-pool: mask them to -inf after each convolution
                pos = torch.arange(x.shape[1])
                outs = []
                for conv in self.convs:
                    c = torch.relu(conv(e))[:, :, : x.shape[1]]
                    c = c.masked_fill((pos[None, None, :] >= lengths[:, None, None]), 0.0)
                    outs.append(c.max(dim=2).values)
                h = torch.cat(outs, dim=1)
            else:
                packed = nn.utils.rnn.pack_padded_sequence(e, lengths.cpu(), batch_first=True, enforce_sorted=False)
                out, _ = self.rnn(packed)
                out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, padding_value=-1e4)
                h = out.max(dim=1).values
            if z is not None:
                h = torch.cat([h, z], dim=1)
            return self.head(h).squeeze(1)

    return Net()


def fit_predict(torch, args, Xc, Lc, Z, y, evals, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    nd = Z.shape[1] if Z is not None else 0
    net = make_net(torch, args, nd)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=0.0)
    npos = int(y.sum())
    nneg = len(y) - npos
    sw = np.where(y == 1, len(y) / (2.0 * npos), args.benign_weight * len(y) / (2.0 * nneg)).astype(np.float32)
    steps = args.epochs * ((len(y) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.1)
    t0 = time.time()
    for ep in range(args.epochs):
        net.train()
        # length-bucketed batches: shuffle, sort chunks of 64 batches by length, shuffle the batches; padding to the
        # batch's longest label then costs little (most labels are 8-20 characters, a few 60)
        perm = rng.permutation(len(y))
        chunk = args.batch * 64
        batches = []
        for c in range(0, len(perm), chunk):
            part = perm[c:c + chunk]
            part = part[np.argsort(Lc[part], kind="stable")]
            batches.extend(part[i:i + args.batch] for i in range(0, len(part), args.batch))
        tot = 0.0
        for bi in rng.permutation(len(batches)):
            idx = batches[bi]
            ml = int(Lc[idx].max())
            xb = torch.from_numpy(Xc[idx, :ml])
            lb = torch.from_numpy(Lc[idx])
            zb = torch.from_numpy(Z[idx]) if Z is not None else None
            logits = net(xb, lb, zb)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, torch.from_numpy(y[idx].astype(np.float32)), weight=torch.from_numpy(sw[idx]),
                reduction="sum") / float(sw[idx].sum())
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        log(f"  epoch {ep + 1}/{args.epochs}: loss {tot / len(y):.5f} ({time.time() - t0:.0f}s)")
    net.eval()
    outs = []
    with torch.no_grad():
        for Xe, Le, Ze in evals:
            o = np.argsort(Le, kind="stable")
            z = np.empty(len(Le))
            for s in range(0, len(Le), 1024):
                idx = o[s:s + 1024]
                ml = int(Le[idx].max())
                zz = torch.from_numpy(Ze[idx]) if Ze is not None else None
                z[idx] = net(torch.from_numpy(Xe[idx, :ml]), torch.from_numpy(Le[idx]), zz).double().numpy()
            outs.append(z)
    return outs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(T.ROOT, "..", "shared", "data", "dga"))
    ap.add_argument("--psl", default=os.path.join(T.ROOT, "Sources", "PublicSuffix", "Resources", "PSL", "public_suffix_list.dat"))
    ap.add_argument("--words", default="/usr/share/dict/words")
    ap.add_argument("--arch", choices=["cnn", "lstm"], default="cnn")
    ap.add_argument("--features", action="store_true", help="also feed the shipped model's 18 hand features")
    ap.add_argument("--filters", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--benign-weight", type=float, default=4.0)
    ap.add_argument("--train-fraction", type=float, default=1.0, help="< 1: subsample every fold's training rows "
                    "(benign-train and training families alike, seeded); the evaluation rows are never subsampled")
    ap.add_argument("--folds-only", default=None, help="comma-separated fold numbers to run (default all)")
    ap.add_argument("--feature-cache", default="/tmp/dga_ub_features.npz")
    ap.add_argument("--out", required=True, help=".npz score dump (foldmetrics format)")
    args = ap.parse_args()

    import torch
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)

    t0 = time.time()
    psl = F.PSL(args.psl)
    benign, families = T.load_data(args.data, psl)
    benign_all = list(benign.keys())
    b_train = [l for l in benign_all if not T.is_holdout(l)]
    b_hold = [l for l in benign_all if T.is_holdout(l)]
    fam_names = sorted(families)
    all_labels = b_train + b_hold
    owner = ["benign"] * len(b_train) + ["benign_holdout"] * len(b_hold)
    for fam in fam_names:
        all_labels.extend(families[fam].keys())
        owner.extend([fam] * len(families[fam]))
    owner = np.array(owner)
    # same fold dealing as train.py (the seeded shuffle of the sorted family names)
    order = fam_names[:]
    random.Random(T.SEED).shuffle(order)
    folds = [order[i::5] for i in range(5)]
    Xc, Lc = encode(all_labels)
    Zall = None
    if args.features:
        Xd = hand_features(b_train, all_labels, args.words, args.feature_cache)
        Zall = Xd
    log(f"data ready: {len(all_labels)} labels ({time.time() - t0:.0f}s)")

    is_btrain = owner == "benign"
    is_bhold = owner == "benign_holdout"
    dump = {"hold_labels": np.array([l.decode("latin-1") for l in b_hold])}
    run = range(5) if args.folds_only is None else [int(x) for x in args.folds_only.split(",")]
    for fi in run:
        held = folds[fi]
        held_mask = np.isin(owner, held)
        train_idx = np.where(is_btrain | (~is_bhold & ~is_btrain & ~held_mask))[0]
        if args.train_fraction < 1:
            r = np.random.default_rng(T.SEED + fi)
            train_idx = np.sort(r.choice(train_idx, int(len(train_idx) * args.train_fraction), replace=False))
        y = (~is_btrain[train_idx]).astype(np.int64)
        Z = evz_b = evz_p = None
        if Zall is not None:
            # standardised on the training rows only, as train.py's standardiser
            mean, scale = T.standardiser(Zall[train_idx])
            Zs = ((Zall - mean) / scale).astype(np.float32)
            Z, evz_b, evz_p = Zs[train_idx], Zs[is_bhold], Zs[held_mask]
        log(f"fold {fi}: held {held}; {len(train_idx)} training rows")
        zb, zp = fit_predict(torch, args, Xc[train_idx], Lc[train_idx], Z, y,
                             [(Xc[is_bhold], Lc[is_bhold], evz_b), (Xc[held_mask], Lc[held_mask], evz_p)], T.SEED + fi)
        dump[f"zb{fi}"], dump[f"zp{fi}"] = zb, zp
        dump[f"own{fi}"] = owner[held_mask]
        dump[f"lab{fi}"] = np.array([l.decode("latin-1") for l, h in zip(all_labels, held_mask) if h])
        thr3 = M.threshold(zb, 1e-3)
        log(f"fold {fi}: auc={T.auc(zb, zp):.5f} tpr@1e-3={np.mean(zp > thr3):.4f} ({time.time() - t0:.0f}s)")
        np.savez_compressed(args.out, **dump)
    if len(run) == 5:
        s = M.summarise(M.load(args.out)[1])
        log(M.headline(s))


if __name__ == "__main__":
    main()
