#!/usr/bin/env python3
"""Train and evaluate dnsight's DGA model, reproducibly.

    python3 -m pip install -r Tools/dga/requirements.txt
    python3 Tools/dga/train.py                  # evaluate (leave-families-out), train, write the model
    python3 Tools/dga/train.py --eval-only      # only the evaluation tables

Inputs (read-only): ../shared/data/dga/train/*.txt (one family per file) and ../shared/data/dga/benign/*.txt,
relative to the repository root (override with --data). Outputs:
  Sources/Detectors/Resources/DGAModel/dga_model.bin          the weights Swift loads (format in dgafeatures.py)
  Sources/Detectors/Resources/DGAModel/MANIFEST.md            what was trained on, with which settings
  Tests/DetectorsTests/Resources/DGAExpected/expected_scores.tsv   names + reference scores for the parity test
  Tools/dga/results.json, Tools/dga/results.md                the evaluation tables (BENCHMARKS.md quotes them)

Evaluation: the benign names (both Alexa lists, reduced to distinct registrable labels) are split once by a hash of
the label into train (80%) and a holdout (20%) that no model ever sees in training. The families are shuffled with the
seed and dealt into K folds; for each fold a model is trained on the other folds' families + benign-train and scores
the fold's families (never seen) and the benign holdout. Per-family metrics use the model that did not see the
family; thresholds for TPR at FPR x are the (1 - x) quantile of that model's benign-holdout scores. The shipped model
is trained the same way on every family + benign-train; the benign holdout stays out of it too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import time
import zlib

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dgafeatures as F  # noqa: E402
import nn  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEED = 20260101
LM_PARTS = 5                                       # cross-fitting parts for the benign character-model features
WORDLIST_FAMILIES = {"gozi"}                       # names built from dictionary words
PRONOUNCEABLE_FAMILIES = {"ngioweb", "banjori", "pushdo", "symmi", "vawtrak"}  # syllable/word-like, not wordlists


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------------------
def load_data(data_dir: str, psl: F.PSL):
    benign_labels = {}
    for fn in sorted(os.listdir(os.path.join(data_dir, "benign"))):
        with open(os.path.join(data_dir, "benign", fn), encoding="utf-8") as f:
            for line in f:
                name = line.strip()
                if not name:
                    continue
                label = psl.registrable_label(name.encode("utf-8"))
                if label is not None and label not in benign_labels:
                    benign_labels[label] = name
    families = {}
    for fn in sorted(os.listdir(os.path.join(data_dir, "train"))):
        fam = fn[:-4]
        seen = {}
        with open(os.path.join(data_dir, "train", fn), encoding="utf-8") as f:
            for line in f:
                name = line.strip()
                label = psl.registrable_label(name.encode("utf-8")) if name else None
                if label is not None and label not in seen:
                    seen[label] = name
        families[fam] = seen
    return benign_labels, families


def is_holdout(label: bytes) -> bool:
    return F.fmix32(zlib.crc32(label)) % 5 == 0


def sparse_matrix(labels, bits, nmin, nmax, mean=False):
    """Token matrix: each token of a label weighs 1/sqrt(T) (logistic regression) or 1/T (the network's bag)."""
    indptr = [0]
    indices = []
    data = []
    for label in labels:
        toks = F.sparse_tokens(label, nmin, nmax, bits)
        v = 1.0 / len(toks) if mean else 1.0 / math.sqrt(len(toks))
        indices.extend(toks)
        data.extend([v] * len(toks))
        indptr.append(len(indices))
    m = sp.csr_matrix((np.array(data), np.array(indices, dtype=np.int64), np.array(indptr)), shape=(len(labels), 1 << bits))
    m.sum_duplicates()
    return m


def dense_matrix(labels, bigram, bloom=None, trigram=None):
    if bloom is None:
        return np.array([F.dense_features(l, bigram) for l in labels], dtype=np.float64)
    return np.array([F.all_features(l, bigram, bloom, trigram) for l in labels], dtype=np.float64)


def standardiser(Xd):
    mean = Xd.mean(axis=0)
    scale = Xd.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def fit_net(X, Xd, y, cfg):
    mean, scale = standardiser(Xd)
    net = nn.Net(X.shape[1], Xd.shape[1], cfg)
    net.fit(X, (Xd - mean) / scale, y, log=log)
    return net, mean, scale


def decision_net(X, Xd, model):
    net, mean, scale = model
    return net.decision64(X, (Xd - mean) / scale)


BENIGN_WEIGHT = 1.0


def fit(Xs, Xd, y, C, dense_cols=None):
    """Logistic regression on [sparse | standardised dense]. Returns (coef_sparse, coef_dense, bias, mean, scale)."""
    if dense_cols is not None:
        Xd = Xd[:, dense_cols]
    mean = Xd.mean(axis=0)
    scale = Xd.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (Xd - mean) / scale
    X = sp.hstack([Xs, sp.csr_matrix(Z)], format="csr") if Xs is not None else Z
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=SEED, intercept_scaling=10.0)
    npos = int(y.sum())
    nneg = len(y) - npos
    # balanced classes, then the benign side weighted by BENIGN_WEIGHT (favours the low-FPR end of the curve)
    w = np.where(y == 1, len(y) / (2.0 * npos), BENIGN_WEIGHT * len(y) / (2.0 * nneg))
    clf.fit(X, y, sample_weight=w)
    coef = clf.coef_[0]
    ns = Xs.shape[1] if Xs is not None else 0
    return coef[:ns], coef[ns:], float(clf.intercept_[0]), mean, scale


def decision(Xs, Xd, model, dense_cols=None):
    ws, wd, b, mean, scale = model
    if dense_cols is not None:
        Xd = Xd[:, dense_cols]
    z = b + ((Xd - mean) / scale) @ wd
    if Xs is not None:
        z = z + Xs @ ws.astype(np.float32).astype(np.float64)
    return z


def tpr_at(neg_scores, pos_scores, fpr):
    """TPR at the threshold where at most `fpr` of negatives score strictly above it (ties count as negatives)."""
    neg = np.sort(neg_scores)
    k = int(math.floor(fpr * len(neg)))          # negatives allowed above the threshold
    thr = neg[len(neg) - 1 - k] if k < len(neg) else -np.inf
    return float(np.mean(pos_scores > thr)), float(thr)


def auc(neg, pos):
    y = np.concatenate([np.zeros(len(neg)), np.ones(len(pos))])
    return float(roc_auc_score(y, np.concatenate([neg, pos])))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ----------------------------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "dga"))
    ap.add_argument("--psl", default=os.path.join(ROOT, "Sources", "PublicSuffix", "Resources", "PSL", "public_suffix_list.dat"))
    ap.add_argument("--words", default="/usr/share/dict/words", help="word list for the word-coverage features "
                    "(Debian package wamerican)")
    ap.add_argument("--model", choices=["mlp", "lr"], default="mlp",
                    help="mlp: the shipped network; lr: the previous logistic regression (evaluation only)")
    ap.add_argument("--bits", type=int, default=None, help="hash bits (mlp 16, lr 18)")
    ap.add_argument("--bloom-bits", type=int, default=22)
    ap.add_argument("--nmin", type=int, default=1)
    ap.add_argument("--nmax", type=int, default=None, help="largest n-gram order (mlp 5, lr 4)")
    ap.add_argument("--C", type=float, default=3.0, help="lr only")
    ap.add_argument("--dim", type=int, default=16)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--finetune", type=int, default=2)
    ap.add_argument("--ema", type=float, default=0.0, help="> 0: Polyak averaging of the weights with this decay")
    ap.add_argument("--net-seed", type=int, default=SEED, help="seed of the network's initialisation and batch order "
                    "(the folds and the benign split never change)")
    ap.add_argument("--lr-rate", type=float, default=3e-3)
    ap.add_argument("--l2-emb", type=float, default=1e-6)
    ap.add_argument("--l2", type=float, default=1e-5)
    ap.add_argument("--no-extra", action="store_true", help="only the 11 original hand features")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--benign-weight", type=float, default=1.0, help="benign class weight of the logistic regressions "
                    "(lr model and the baseline)")
    ap.add_argument("--net-benign-weight", type=float, default=4.0, help="benign class weight of the network")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="do not write model/results files")
    ap.add_argument("--dump-scores", default=None, help="write every fold's held-out and benign-holdout decision values "
                    "to this .npz (read by foldmetrics.py and error_budget.py)")
    ap.add_argument("--results", default=os.path.join(ROOT, "Tools", "dga", "results"),
                    help="path prefix of the results files (.json, .md)")
    args = ap.parse_args()
    if args.bits is None:
        args.bits = 16 if args.model == "mlp" else 18
    if args.nmax is None:
        args.nmax = 5 if args.model == "mlp" else 4
    if args.model == "lr":
        args.eval_only = True
        args.no_extra = True
    t0 = time.time()
    global BENIGN_WEIGHT
    BENIGN_WEIGHT = args.benign_weight
    random.seed(SEED)
    np.random.seed(SEED)
    cfg = nn.Config(dim=args.dim, hidden=args.hidden, epochs=args.epochs, lr=args.lr_rate, l2_emb=args.l2_emb,
                    l2=args.l2, finetune=args.finetune, seed=args.net_seed, benign_weight=args.net_benign_weight,
                    ema=args.ema)

    psl = F.PSL(args.psl)
    benign, families = load_data(args.data, psl)
    benign_all = list(benign.keys())
    b_train = [l for l in benign_all if not is_holdout(l)]
    b_hold = [l for l in benign_all if is_holdout(l)]
    fam_names = sorted(families)
    log(f"benign labels: {len(benign_all)} (train {len(b_train)}, holdout {len(b_hold)}); "
        f"families: {len(fam_names)}, DGA labels: {sum(len(v) for v in families.values())}")
    bloom = None if args.no_extra else F.WordBloom.from_word_list(args.words, args.bloom_bits)

    bigram = F.bigram_table(b_train)
    trigram = None if args.no_extra else F.trigram_table(b_train)
    all_labels = b_train + b_hold
    owner = ["benign"] * len(b_train) + ["benign_holdout"] * len(b_hold)
    for fam in fam_names:
        all_labels.extend(families[fam].keys())
        owner.extend([fam] * len(families[fam]))
    owner = np.array(owner)
    Xs = sparse_matrix(all_labels, args.bits, args.nmin, args.nmax, mean=args.model == "mlp")
    # the network trains on float32 token weights; every score reported is computed from the exact float64 ones
    Xs32 = Xs.astype(np.float32) if args.model == "mlp" else None
    Xd = dense_matrix(all_labels, bigram, bloom, trigram)
    # Cross-fitting: the benign-train rows get their character-model features from models trained on the other
    # parts of benign-train, so that they look like names the character models never saw (as at scoring time).
    parts = [F.fmix32(zlib.crc32(l) ^ 0x5bd1e995) % LM_PARTS for l in b_train]
    for k in range(LM_PARTS):
        rest = [l for l, p in zip(b_train, parts) if p != k]
        bi_k = F.bigram_table(rest)
        tri_k = None if args.no_extra else F.trigram_table(rest)
        rows = [i for i, p in enumerate(parts) if p == k]
        Xd[rows] = dense_matrix([b_train[i] for i in rows], bi_k, bloom, tri_k)
    log(f"cross-fitted character-model features; {time.time() - t0:.1f}s")
    log(f"features: {Xs.shape[1]} hashed buckets, {Xs.nnz} non-zeros, {Xd.shape[1]} dense; {time.time() - t0:.1f}s")

    is_btrain = owner == "benign"
    is_bhold = owner == "benign_holdout"
    label_len = np.array([len(l) for l in all_labels])

    # folds of families
    order = fam_names[:]
    random.Random(SEED).shuffle(order)
    folds = [order[i::args.folds] for i in range(args.folds)]
    baseline_cols = [0, 2]                         # length, entropy

    dump = {"hold_labels": np.array([l.decode("latin-1") for l in b_hold])}
    per_family = {}
    pooled = {"model": {"auc_terms": [], "pos": []}, "baseline": {"auc_terms": [], "pos": []}}
    for fi, held in enumerate(folds):
        held_mask = np.isin(owner, held)
        train_mask = is_btrain | (~is_bhold & ~is_btrain & ~held_mask)
        y = (~is_btrain[train_mask]).astype(int)
        for kind in ("model", "baseline"):
            if kind == "baseline" and args.no_baseline:
                pooled["baseline"]["auc_terms"].append(pooled["model"]["auc_terms"][-1])
                pooled["baseline"]["pos"].append(pooled["model"]["pos"][-1])
                pooled["baseline"].setdefault("len", []).append(pooled["model"]["len"][-1])
                for fam in held:
                    per_family[fam]["baseline"] = per_family[fam]["model"]
                continue
            if kind == "model" and args.model == "mlp":
                m = fit_net(Xs32[train_mask], Xd[train_mask], y, cfg)
                zb = decision_net(Xs[is_bhold], Xd[is_bhold], m)
                zp = decision_net(Xs[held_mask], Xd[held_mask], m)
            elif kind == "model":
                m = fit(Xs[train_mask], Xd[train_mask], y, args.C)
                zb = decision(Xs[is_bhold], Xd[is_bhold], m)
                zp = decision(Xs[held_mask], Xd[held_mask], m)
            else:
                m = fit(None, Xd[train_mask], y, 1.0, baseline_cols)
                zb = decision(None, Xd[is_bhold], m, baseline_cols)
                zp = decision(None, Xd[held_mask], m, baseline_cols)
            if kind == "model" and args.dump_scores:
                dump[f"zb{fi}"] = zb
                dump[f"zp{fi}"] = zp
                dump[f"own{fi}"] = owner[held_mask]
                dump[f"lab{fi}"] = np.array([l.decode("latin-1") for l, h in zip(all_labels, held_mask) if h])
            nb = np.sort(zb)
            thr3 = tpr_at(zb, zp, 1e-3)[1]
            thr4 = tpr_at(zb, zp, 1e-4)[1]
            held_owner = owner[held_mask]
            for fam in held:
                p = zp[held_owner == fam]
                r = per_family.setdefault(fam, {"n": int(len(p)), "fold": fi})
                r[kind] = {
                    "auc": auc(zb, p),
                    "tpr_1e-3": float(np.mean(p > thr3)),
                    "tpr_1e-4": float(np.mean(p > thr4)),
                }
            if kind == "model":
                hold_lab = np.array(b_hold, dtype=object)
                per_fold_top = [hold_lab[i].decode() for i in np.argsort(-zb)[:30]]
                pooled.setdefault("fold_top_benign", []).append(per_fold_top)
            # pooled: per positive, the fraction of this fold's benign holdout scored below it (ties half)
            lo = np.searchsorted(nb, zp, side="left")
            hi = np.searchsorted(nb, zp, side="right")
            pooled[kind]["auc_terms"].append((lo + hi) / 2.0 / len(nb))
            pooled[kind]["pos"].append((zp > thr3, zp > thr4, held_owner))
            pooled[kind].setdefault("len", []).append(label_len[held_mask])
            log(f"fold {fi} {kind}: held {held} auc={auc(zb, zp):.5f} tpr@1e-3={np.mean(zp > thr3):.4f} ({time.time() - t0:.0f}s)")

    if args.dump_scores:
        np.savez_compressed(args.dump_scores, **dump)

    def summary(kind, keep):
        terms = np.concatenate(pooled[kind]["auc_terms"])
        own = np.concatenate([o for _, _, o in pooled[kind]["pos"]])
        t3 = np.concatenate([a for a, _, _ in pooled[kind]["pos"]])
        t4 = np.concatenate([b for _, b, _ in pooled[kind]["pos"]])
        mask = np.array([keep(o) for o in own])
        fams = sorted(set(own[mask]))
        return {
            "n": int(mask.sum()),
            "families": len(fams),
            "auc_pooled": float(terms[mask].mean()),
            "tpr_1e-3_pooled": float(t3[mask].mean()),
            "tpr_1e-4_pooled": float(t4[mask].mean()),
            "auc_macro": float(np.mean([per_family[f][kind]["auc"] for f in fams])),
            "tpr_1e-3_macro": float(np.mean([per_family[f][kind]["tpr_1e-3"] for f in fams])),
            "tpr_1e-4_macro": float(np.mean([per_family[f][kind]["tpr_1e-4"] for f in fams])),
        }

    by_length = {}
    for kind in ("model", "baseline"):
        lens = np.concatenate(pooled[kind]["len"])
        own = np.concatenate([o for _, _, o in pooled[kind]["pos"]])
        t3 = np.concatenate([a for a, _, _ in pooled[kind]["pos"]])
        t4 = np.concatenate([b for _, b, _ in pooled[kind]["pos"]])
        nw = ~np.isin(own, list(WORDLIST_FAMILIES))
        rows = []
        for lo, hi in ((1, 5), (6, 7), (8, 9), (10, 11), (12, 13), (14, 15), (16, 19), (20, 255)):
            m = nw & (lens >= lo) & (lens <= hi)
            rows.append({"min": lo, "max": hi, "n": int(m.sum()), "tpr_1e-3": float(t3[m].mean()) if m.any() else None,
                         "tpr_1e-4": float(t4[m].mean()) if m.any() else None})
        by_length[kind] = rows

    overall = {}
    for kind in ("model", "baseline"):
        overall[kind] = {
            "all": summary(kind, lambda o: True),
            "non_wordlist": summary(kind, lambda o: o not in WORDLIST_FAMILIES),
            "wordlist": summary(kind, lambda o: o in WORDLIST_FAMILIES),
        }
    log(json.dumps(overall, indent=1))

    settings = {"model": args.model, "bits": args.bits, "nmin": args.nmin, "nmax": args.nmax, "folds": args.folds,
                "benign_weight": args.benign_weight, "seed": SEED,
                "dense": F.DENSE_NAMES + ([] if args.no_extra else F.EXTRA_NAMES),
                "baseline": "logistic regression on length and entropy"}
    if args.model == "mlp":
        with open(args.words, "rb") as wf:
            wsha = hashlib.sha256(wf.read()).hexdigest()
        settings.update({"network": cfg.as_dict(), "bloom_bits": args.bloom_bits, "word_list": args.words,
                         "word_list_sha256": wsha})
    else:
        settings["C"] = args.C
    results = {
        "settings": settings,
        "data": {"benign_train": len(b_train), "benign_holdout": len(b_hold), "families": len(fam_names),
                 "dga_labels": int(sum(len(v) for v in families.values()))},
        "folds": folds,
        "overall": overall,
        "per_family": per_family,
        "non_wordlist_by_label_length": by_length,
        "fold_top_benign_holdout": pooled.get("fold_top_benign", []),
    }
    if args.eval_only:
        if not args.no_write:
            write_results(results, args.results)
        return

    # ---- the shipped model: every family + benign-train; the benign holdout only sets the thresholds --------------
    train_mask = ~is_bhold
    y = (~is_btrain[train_mask]).astype(int)
    net, mean, scale = fit_net(Xs32[train_mask], Xd[train_mask], y, cfg)
    m = (net, mean, scale)
    zb = decision_net(Xs[is_bhold], Xd[is_bhold], m)
    sb = sigmoid(zb)
    thr3 = tpr_at(sb, np.array([]), 1e-3)[1]
    thr4 = tpr_at(sb, np.array([]), 1e-4)[1]
    H = cfg.hidden
    model = F.Model(args.bits, args.nmin, args.nmax, cfg.dim, H, bigram, trigram, mean, scale, net.s.astype(np.float64),
                    net.W1.astype(np.float64), net.b1.astype(np.float64), net.w2.astype(np.float64), float(net.b2[0]),
                    [thr3, thr4], net.q.tobytes(), bloom)
    blob = model.to_bytes()
    model2 = F.Model.from_bytes(blob)
    hold_lab = np.array(b_hold, dtype=object)
    top_fp = [(hold_lab[i].decode(), float(sb[i])) for i in np.argsort(-sb)[:25]]
    final = {"threshold_fpr_1e-3": thr3, "threshold_fpr_1e-4": thr4, "top_benign_holdout": top_fp,
             "model_bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest()}
    # check of the vectorised path against the reference scorer (in-sample and holdout rows)
    worst = 0.0
    for i in list(np.where(is_bhold)[0][:50]) + list(np.where(~is_bhold & ~is_btrain)[0][::997]):
        ref = model2.score_label(all_labels[i])
        vec = sigmoid(decision_net(Xs[i], Xd[i:i + 1], m))[0]
        worst = max(worst, abs(ref - vec))
        assert abs(ref - vec) < 1e-9, (all_labels[i], ref, vec)
    log(f"vectorised vs reference scorer: max |diff| {worst:.2e}")
    results["final"] = final
    log(f"final: thresholds {thr3:.6f} / {thr4:.6f}; model {len(blob)} bytes; top FP {top_fp[:5]}")
    if not args.no_write:
        write_model(blob, model2, psl, benign, b_hold, families, results)
        write_results(results, args.results)
    log(f"done in {time.time() - t0:.0f}s")


# ----------------------------------------------------------------------------------------------------------------
def expected_names(benign, b_hold, families):
    """A fixed, seeded sample of names (benign holdout, every family, edge cases) for the Swift parity test."""
    rng = random.Random(SEED + 1)
    names = [benign[l] for l in rng.sample(sorted(b_hold), 1500)]
    for fam in sorted(families):
        names.extend(rng.sample(sorted(families[fam].values()), min(40, len(families[fam]))))
    names += [
        "WWW.Google.COM", "www.google.com.", "mail.bbc.co.uk", "a.b.c.d.e.example.org", "com", "co.uk", "",
        ".", "a..com", "x.y", "localhost", "1.0.168.192.in-addr.arpa", "xn--bcher-kva.de", "bücher.de",
        "食狮.公司.cn", "_dmarc.example.com", "under_score.net", "a-b-c-d-e-f.com", "0123456789.info",
        "x" * 63 + ".com", "q" * 200 + ".net", "kjgnoly610aheju2sjk.ddns.net", "foo.blogspot.com",
        "ab.ck", "www.ck", "b.c.mm", "d3ad5f9b1c2e.cloudfront.net", "e1234.a.akamaiedge.net",
        "teams.microsoft.com", "clients4.google.com", "1e100.net", "abc.com.ua", "zzzzzz.south.am",
        "WWW.InSearchOfTheWorld.COM", "29BCA6CB72A665C8.com", "XN--80AAOBNNMGYGFMI0P.com", "a1b2c3.net",
        "abcdef.org", "abc123.org", "1234567.com", "thequickbrownfoxjumpsoverthelazydog.com", "x-y-z.info",
        "extraordinarily-long-words-everywhere.net", "zhongguoyinhang.cn", "bjltwybj.com",
    ]
    return names


def write_model(blob, model, psl, benign, b_hold, families, results):
    mdir = os.path.join(ROOT, "Sources", "Detectors", "Resources", "DGAModel")
    with open(os.path.join(mdir, "dga_model.bin"), "wb") as f:
        f.write(blob)
    s = results["settings"]
    d = results["data"]
    with open(os.path.join(mdir, "MANIFEST.md"), "w") as f:
        f.write(f"""# DGA model weights

| field | value |
|---|---|
| file | `dga_model.bin` ({len(blob):,} bytes, sha256 `{results['final']['sha256']}`) |
| format | little-endian binary, documented in `Tools/dga/dgafeatures.py` (magic `DNSDGA02`, version 2) |
| model | fastText-style network: mean of int8 embeddings (D = {s['network']['dim']}) of hashed character {s['nmin']}..{s['nmax']}-grams of the registrable label (2^{s['bits']} buckets) + a length token, concatenated with {len(s['dense'])} standardised hand features, one ReLU layer of {s['network']['hidden']} units, sigmoid |
| word lexicon | Bloom filter (2^{s['bloom_bits']} bits) over the lower-case a-z words of 3-16 letters of `{s['word_list']}` (Debian package wamerican 2020.12.07-2, sha256 `{s['word_list_sha256']}`) and their prefixes |
| trained by | `python3 Tools/dga/train.py` (seed {s['seed']}, network settings {s['network']}; deps in `Tools/dga/requirements.txt`) |
| trained on | `../shared/data/dga/train/*.txt` ({d['families']} families, {d['dga_labels']:,} distinct labels) and the benign-train split of `../shared/data/dga/benign/*.txt` ({d['benign_train']:,} distinct labels); the benign holdout ({d['benign_holdout']:,}) is not used in training |
| thresholds | score > {results['final']['threshold_fpr_1e-3']:.6f} ≈ FPR 1e-3, > {results['final']['threshold_fpr_1e-4']:.6f} ≈ FPR 1e-4 on the benign holdout |
| licence of the training data | see `../shared/data/dga/MANIFEST.md` (program output of GPL-2.0/MIT generators; Alexa lists) |
""")
    names = expected_names(benign, b_hold, families)
    tdir = os.path.join(ROOT, "Tests", "DetectorsTests", "Resources", "DGAExpected")
    with open(os.path.join(tdir, "expected_scores.tsv"), "w", encoding="utf-8") as f:
        f.write("# name<TAB>score from Tools/dga/dgafeatures.py Model.score_name (reference scorer) for dga_model.bin "
                f"sha256 {results['final']['sha256']}\n")
        for n in names:
            f.write(f"{n}\t{model.score_name(n, psl)!r}\n")


def write_results(results, prefix):
    with open(prefix + ".json", "w") as f:
        json.dump(results, f, indent=1, default=lambda o: o.decode() if isinstance(o, bytes) else str(o))
    ov = results["overall"]
    lines = []
    lines.append("| split | families | names | model AUC | model TPR@1e-3 | model TPR@1e-4 | baseline AUC | baseline TPR@1e-3 | baseline TPR@1e-4 |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key, title in (("all", "all held-out families (pooled)"), ("non_wordlist", "non-wordlist families (pooled)"),
                       ("wordlist", "wordlist families (gozi)")):
        a, bl = ov["model"][key], ov["baseline"][key]
        lines.append(f"| {title} | {a['families']} | {a['n']:,} | {a['auc_pooled']:.4f} | {a['tpr_1e-3_pooled']:.3f} | "
                     f"{a['tpr_1e-4_pooled']:.3f} | {bl['auc_pooled']:.4f} | {bl['tpr_1e-3_pooled']:.3f} | {bl['tpr_1e-4_pooled']:.3f} |")
    for key, title in (("all", "all families (macro mean)"), ("non_wordlist", "non-wordlist families (macro mean)")):
        a, bl = ov["model"][key], ov["baseline"][key]
        lines.append(f"| {title} | {a['families']} | {a['n']:,} | {a['auc_macro']:.4f} | {a['tpr_1e-3_macro']:.3f} | "
                     f"{a['tpr_1e-4_macro']:.3f} | {bl['auc_macro']:.4f} | {bl['tpr_1e-3_macro']:.3f} | {bl['tpr_1e-4_macro']:.3f} |")
    lines.append("")
    lines.append("| family | kind | fold | names | AUC | TPR@1e-3 | TPR@1e-4 | baseline AUC | baseline TPR@1e-3 |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for fam, r in sorted(results["per_family"].items(), key=lambda kv: kv[1]["model"]["tpr_1e-3"]):
        kind = "wordlist" if fam in WORDLIST_FAMILIES else ("pronounceable" if fam in PRONOUNCEABLE_FAMILIES else "random")
        m, bl = r["model"], r["baseline"]
        lines.append(f"| {fam} | {kind} | {r['fold']} | {r['n']:,} | {m['auc']:.4f} | {m['tpr_1e-3']:.3f} | {m['tpr_1e-4']:.3f} | "
                     f"{bl['auc']:.4f} | {bl['tpr_1e-3']:.3f} |")
    if "non_wordlist_by_label_length" in results:
        lines.append("")
        lines.append("Non-wordlist held-out names by length of the registrable label (pooled over folds):")
        lines.append("")
        lines.append("| label length | names | model TPR@1e-3 | model TPR@1e-4 | baseline TPR@1e-3 |")
        lines.append("|---|---:|---:|---:|---:|")
        for r, b in zip(results["non_wordlist_by_label_length"]["model"], results["non_wordlist_by_label_length"]["baseline"]):
            span = f"{r['min']}–{r['max']}" if r["max"] < 255 else f"≥ {r['min']}"
            if r["n"]:
                lines.append(f"| {span} | {r['n']:,} | {r['tpr_1e-3']:.3f} | {r['tpr_1e-4']:.3f} | {b['tpr_1e-3']:.3f} |")
    if "final" in results:
        lines.append("")
        lines.append("Highest-scoring names of the benign holdout under the shipped model (the false positives at low thresholds):")
        lines.append("")
        lines.append("| label | score |")
        lines.append("|---|---:|")
        for label, s in results["final"]["top_benign_holdout"]:
            lines.append(f"| `{label}` | {s:.4f} |")
    with open(prefix + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
