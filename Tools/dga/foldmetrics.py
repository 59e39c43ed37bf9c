"""Metrics of a leave-families-out run from its per-fold score dump (the .npz that `train.py --dump-scores` and
`upper_bound.py` write), computed exactly as train.py computes them, so that models from different scripts are
compared on identical terms.

Dump layout: hold_labels (benign holdout labels, same order in every fold); for each fold k: zb{k} (decision values of
the benign holdout), zp{k} (decision values of the fold's held-out DGA names), own{k} (family of each), lab{k} (label).
"""

from __future__ import annotations

import math

import numpy as np

WORDLIST_FAMILIES = {"gozi"}
PRONOUNCEABLE_FAMILIES = {"ngioweb", "banjori", "pushdo", "symmi", "vawtrak"}
LENGTH_BINS = ((1, 5), (6, 7), (8, 9), (10, 11), (12, 13), (14, 15), (16, 19), (20, 255))


def load(path):
    d = np.load(path, allow_pickle=False)
    k = 0
    folds = []
    while f"zb{k}" in d:
        folds.append({"zb": d[f"zb{k}"], "zp": d[f"zp{k}"], "own": d[f"own{k}"], "lab": d[f"lab{k}"]})
        k += 1
    return d["hold_labels"], folds


def threshold(zb, fpr):
    """Same rule as train.tpr_at: at most floor(fpr * n) benign scores strictly above the threshold."""
    neg = np.sort(zb)
    k = int(math.floor(fpr * len(neg)))
    return neg[len(neg) - 1 - k]


def pooled_terms(folds, hold_keep=None):
    """Per positive: AUC term (fraction of its fold's benign holdout below it, ties half), hit at 1e-3, hit at 1e-4.
    hold_keep (bool mask over the holdout) drops benign holdout names before thresholds are set."""
    auc_t, h3, h4, own, lab = [], [], [], [], []
    for f in folds:
        zb = f["zb"] if hold_keep is None else f["zb"][hold_keep]
        nb = np.sort(zb)
        t3, t4 = threshold(zb, 1e-3), threshold(zb, 1e-4)
        lo = np.searchsorted(nb, f["zp"], side="left")
        hi = np.searchsorted(nb, f["zp"], side="right")
        auc_t.append((lo + hi) / 2.0 / len(nb))
        h3.append(f["zp"] > t3)
        h4.append(f["zp"] > t4)
        own.append(f["own"])
        lab.append(f["lab"])
    return (np.concatenate(auc_t), np.concatenate(h3), np.concatenate(h4), np.concatenate(own),
            np.concatenate(lab))


def summarise(folds, hold_keep=None):
    auc_t, h3, h4, own, lab = pooled_terms(folds, hold_keep)
    fams = sorted(set(own))
    per = {}
    for fam in fams:
        m = own == fam
        per[fam] = {"n": int(m.sum()), "auc": float(auc_t[m].mean()), "tpr_1e-3": float(h3[m].mean()),
                    "tpr_1e-4": float(h4[m].mean())}
    out = {"per_family": per}
    for key, keep in (("all", lambda f: True), ("non_wordlist", lambda f: f not in WORDLIST_FAMILIES),
                      ("wordlist", lambda f: f in WORDLIST_FAMILIES)):
        m = np.array([keep(o) for o in own])
        fs = [f for f in fams if keep(f)]
        out[key] = {"n": int(m.sum()), "families": len(fs), "auc_pooled": float(auc_t[m].mean()),
                    "tpr_1e-3_pooled": float(h3[m].mean()), "tpr_1e-4_pooled": float(h4[m].mean()),
                    "auc_macro": float(np.mean([per[f]["auc"] for f in fs])),
                    "tpr_1e-3_macro": float(np.mean([per[f]["tpr_1e-3"] for f in fs])),
                    "tpr_1e-4_macro": float(np.mean([per[f]["tpr_1e-4"] for f in fs]))}
    lens = np.array([len(x) for x in lab])
    nw = ~np.isin(own, list(WORDLIST_FAMILIES))
    out["by_length"] = []
    for lo, hi in LENGTH_BINS:
        m = nw & (lens >= lo) & (lens <= hi)
        out["by_length"].append({"min": lo, "max": hi, "n": int(m.sum()),
                                 "tpr_1e-3": float(h3[m].mean()) if m.any() else None,
                                 "tpr_1e-4": float(h4[m].mean()) if m.any() else None})
    return out


def headline(s):
    a, n = s["all"], s["non_wordlist"]
    return (f"AUC all {a['auc_pooled']:.4f} | non-wordlist AUC {n['auc_pooled']:.4f} | "
            f"TPR@1e-3 non-wordlist pooled {n['tpr_1e-3_pooled']:.3f} macro {n['tpr_1e-3_macro']:.3f} | "
            f"TPR@1e-4 all pooled {a['tpr_1e-4_pooled']:.3f} non-wordlist pooled {n['tpr_1e-4_pooled']:.3f}")


def kind(fam):
    return "wordlist" if fam in WORDLIST_FAMILIES else ("pronounceable" if fam in PRONOUNCEABLE_FAMILIES else "random")


def mean_of(paths, out):
    """A dump whose decision values are the mean of several dumps' (an ensemble of the runs; all were trained with the
    same class weighting, so their logits are on comparable scales and no evaluation data is used to combine them)."""
    loaded = [load(p) for p in paths]
    hold = loaded[0][0]
    res = {"hold_labels": hold}
    for k in range(len(loaded[0][1])):
        f0 = loaded[0][1][k]
        for _, fl in loaded[1:]:
            assert (fl[k]["lab"] == f0["lab"]).all()
        res[f"zb{k}"] = np.mean([fl[k]["zb"] for _, fl in loaded], axis=0)
        res[f"zp{k}"] = np.mean([fl[k]["zp"] for _, fl in loaded], axis=0)
        res[f"own{k}"], res[f"lab{k}"] = f0["own"], f0["lab"]
    np.savez_compressed(out, **res)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="print a dump's headline metrics, or write the mean of several dumps")
    ap.add_argument("dumps", nargs="+")
    ap.add_argument("--mean-out", default=None, help="write the mean of the dumps' decision values here")
    a = ap.parse_args()
    if a.mean_out:
        mean_of(a.dumps, a.mean_out)
        print(a.mean_out, headline(summarise(load(a.mean_out)[1])))
    else:
        for p in a.dumps:
            print(p, headline(summarise(load(p)[1])))
