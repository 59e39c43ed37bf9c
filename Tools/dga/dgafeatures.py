"""Feature extraction, model file format and the reference scorer of dnsight's DGA model.

This file is the specification that `Sources/Detectors/DGA/*.swift` implements; the Swift tests compare the two on
names scored here (`Tests/DetectorsTests/Resources/DGAExpected/expected_scores.tsv`).

Pipeline for one name:
  1. lower-case ASCII, strip one trailing dot; split with the Public Suffix List (ICANN + private sections, default
     rule "*") and keep the registrable label: the label just left of the public suffix. No registrable domain
     (the name is a public suffix, or has an empty label) -> score 0.
  2. map the label's bytes to symbols: a-z -> 0..25, 0-9 -> 26..35, '-' -> 36, '_' -> 37, anything else -> 38;
     the padded sequence is [39] + symbols + [40] (39 = begin, 40 = end).
  3. sparse features: every n-gram of the padded sequence for n = NMIN..NMAX, code = rolling base-41 value,
     key = code | (n << 27), bucket = fmix32(key) >> (32 - bits); plus one length token
     key = min(len, 40) | (31 << 27). Each occurrence adds 1/sqrt(number of tokens) to its bucket.
  4. dense features (standardised with the stored mean and scale), see DENSE_NAMES and dense_features(); the
     bigram model is a benign-only character model (a float64 table in the model file).
  5. z = bias + sum(w[bucket] * value) + sum(v[j] * (f[j] - mean[j]) / scale[j]);  score = 1 / (1 + exp(-z)).
"""

from __future__ import annotations

import math
import struct

NSYM = 41
BEGIN = 39
END = 40
LENGTH_TOKEN_N = 31
MAGIC = b"DNSDGA01"
DENSE_NAMES = [
    "length",
    "ln_length",
    "entropy_bits",
    "digit_ratio",
    "vowel_ratio",
    "max_consonant_run",
    "max_digit_run",
    "hyphen_count",
    "distinct_ratio",
    "bigram_mean_logp",
    "bigram_min_logp",
]
VOWELS = frozenset(b"aeiou")


# ----------------------------------------------------------------------------------------------------------------
# Public Suffix List (same semantics as Sources/PublicSuffix/PublicSuffixList.swift)

class PSL:
    NORMAL, WILDCARD, EXCEPTION = 1, 2, 4

    def __init__(self, path: str, icann_only: bool = False):
        self.table: dict[bytes, int] = {}
        in_private = False
        with open(path, encoding="utf-8") as f:
            for raw in f:
                line = raw.strip()
                if line.startswith("//"):
                    if "===BEGIN PRIVATE DOMAINS===" in line:
                        in_private = True
                    if "===END PRIVATE DOMAINS===" in line:
                        in_private = False
                    continue
                if not line or (in_private and icann_only):
                    continue
                rule = line.split()[0]
                flag = self.NORMAL
                if rule.startswith("!"):
                    flag, rule = self.EXCEPTION, rule[1:]
                labels = rule.lower().split(".")
                if flag != self.EXCEPTION and labels[0] == "*":
                    flag, labels = self.WILDCARD, labels[1:]
                forms = [labels]
                if any(not l.isascii() for l in labels):
                    forms.append([l if l.isascii() else "xn--" + l.encode("punycode").decode("ascii") for l in labels])
                for form in forms:
                    for k in range(1, len(form) + 1):
                        key = ".".join(form[len(form) - k:]).encode("utf-8")
                        self.table[key] = self.table.get(key, 0) | (flag if k == len(form) else 0)

    @staticmethod
    def _lower(b: bytes) -> bytes:
        return bytes(c | 0x20 if 65 <= c <= 90 else c for c in b)

    def registrable_label(self, name: bytes) -> bytes | None:
        """The label left of the public suffix (lower-cased ASCII), or None."""
        name = self._lower(name)
        if name.endswith(b"."):
            name = name[:-1]
        if not name:
            return None
        labels = name.split(b".")
        if any(len(l) == 0 for l in labels):
            return None
        suffix_labels = 1
        parent = 0
        for k in range(1, len(labels) + 1):
            if parent & self.WILDCARD:
                suffix_labels = k
            key = b".".join(labels[len(labels) - k:])
            f = self.table.get(key)
            if f is None:
                break
            if f & self.EXCEPTION:
                suffix_labels = k - 1
                break
            if f & self.NORMAL:
                suffix_labels = k
            parent = f
        if suffix_labels >= len(labels):
            return None
        return labels[len(labels) - suffix_labels - 1]


# ----------------------------------------------------------------------------------------------------------------
# Features

def symbol(c: int) -> int:
    if 97 <= c <= 122:
        return c - 97
    if 48 <= c <= 57:
        return 26 + c - 48
    if c == 45:
        return 36
    if c == 95:
        return 37
    return 38


def fmix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


def sparse_tokens(label: bytes, nmin: int, nmax: int, bits: int) -> list[int]:
    """Bucket of every token, in the order the Swift scorer visits them (n ascending, then position)."""
    seq = [BEGIN] + [symbol(c) for c in label] + [END]
    out = []
    shift = 32 - bits
    for n in range(nmin, nmax + 1):
        for i in range(0, len(seq) - n + 1):
            code = 0
            for j in range(i, i + n):
                code = code * NSYM + seq[j]
            out.append(fmix32(code | (n << 27)) >> shift)
    out.append(fmix32(min(len(label), 40) | (LENGTH_TOKEN_N << 27)) >> shift)
    return out


def bigram_table(labels, alpha: float = 0.5) -> list[float]:
    """Log-probabilities P(b | a) of the benign bigram model, row-major NSYM x NSYM, add-alpha smoothed."""
    counts = [[0] * NSYM for _ in range(NSYM)]
    for label in labels:
        seq = [BEGIN] + [symbol(c) for c in label] + [END]
        for a, b in zip(seq, seq[1:]):
            counts[a][b] += 1
    table = []
    for a in range(NSYM):
        total = sum(counts[a]) + alpha * NSYM
        for b in range(NSYM):
            table.append(math.log((counts[a][b] + alpha) / total))
    return table


def dense_features(label: bytes, bigram: list[float]) -> list[float]:
    n = len(label)
    syms = [symbol(c) for c in label]
    counts = [0] * NSYM
    for s in syms:
        counts[s] += 1
    entropy = 0.0
    for c in counts:
        if c:
            p = c / n
            entropy -= p * math.log2(p)
    digits = counts[26:36]
    ndig = sum(digits)
    nvow = sum(1 for c in label if c in VOWELS)
    cons_run = run = 0
    dig_run = drun = 0
    for c in label:
        if 97 <= c <= 122 and c not in VOWELS:
            run += 1
            cons_run = max(cons_run, run)
        else:
            run = 0
        if 48 <= c <= 57:
            drun += 1
            dig_run = max(dig_run, drun)
        else:
            drun = 0
    distinct = sum(1 for c in counts if c)
    seq = [BEGIN] + syms + [END]
    lp_sum = 0.0
    lp_min = 0.0
    for a, b in zip(seq, seq[1:]):
        lp = bigram[a * NSYM + b]
        lp_sum += lp
        lp_min = min(lp_min, lp)
    return [
        float(n),
        math.log(n),
        entropy,
        ndig / n,
        nvow / n,
        float(cons_run),
        float(dig_run),
        float(counts[36]),
        distinct / n,
        lp_sum / (n + 1),
        lp_min,
    ]


# ----------------------------------------------------------------------------------------------------------------
# Model file (little-endian)
#   8s   magic "DNSDGA01"
#   u32  format version (1)
#   u32  hash bits B, u32 nmin, u32 nmax, u32 dense count F, u32 NSYM
#   f64  bias
#   f64  x F  dense weights;  f64 x F means;  f64 x F scales
#   f64  x NSYM*NSYM bigram log-probabilities
#   f64  threshold at benign FPR 1e-3, f64 threshold at benign FPR 1e-4 (measured on the benign holdout)
#   f32  x 2^B hashed weights

class Model:
    def __init__(self, bits, nmin, nmax, bias, dense_w, means, scales, bigram, thresholds, weights):
        self.bits, self.nmin, self.nmax = bits, nmin, nmax
        self.bias = float(bias)
        self.dense_w = [float(x) for x in dense_w]
        self.means = [float(x) for x in means]
        self.scales = [float(x) for x in scales]
        self.bigram = [float(x) for x in bigram]
        self.thresholds = [float(x) for x in thresholds]
        self.weights = weights  # list/array of float32-representable values

    def to_bytes(self) -> bytes:
        f = len(self.dense_w)
        out = bytearray(MAGIC)
        out += struct.pack("<6I", 1, self.bits, self.nmin, self.nmax, f, NSYM)
        out += struct.pack("<d", self.bias)
        out += struct.pack(f"<{f}d", *self.dense_w)
        out += struct.pack(f"<{f}d", *self.means)
        out += struct.pack(f"<{f}d", *self.scales)
        out += struct.pack(f"<{NSYM * NSYM}d", *self.bigram)
        out += struct.pack("<2d", *self.thresholds)
        out += struct.pack(f"<{1 << self.bits}f", *self.weights)
        return bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Model":
        assert data[:8] == MAGIC, "bad magic"
        version, bits, nmin, nmax, f, nsym = struct.unpack_from("<6I", data, 8)
        assert version == 1 and nsym == NSYM
        off = 8 + 24
        (bias,) = struct.unpack_from("<d", data, off); off += 8
        dense_w = struct.unpack_from(f"<{f}d", data, off); off += 8 * f
        means = struct.unpack_from(f"<{f}d", data, off); off += 8 * f
        scales = struct.unpack_from(f"<{f}d", data, off); off += 8 * f
        bigram = struct.unpack_from(f"<{NSYM * NSYM}d", data, off); off += 8 * NSYM * NSYM
        thresholds = struct.unpack_from("<2d", data, off); off += 16
        weights = struct.unpack_from(f"<{1 << bits}f", data, off); off += 4 << bits
        assert off == len(data), "trailing bytes"
        return cls(bits, nmin, nmax, bias, dense_w, means, scales, bigram, thresholds, list(weights))

    # -- the reference scorer: plain Python, float64, summation in the documented order -----------------------
    def score_label(self, label: bytes) -> float:
        if not label:
            return 0.0
        toks = sparse_tokens(label, self.nmin, self.nmax, self.bits)
        v = 1.0 / math.sqrt(len(toks))
        z = self.bias
        s = 0.0
        for t in toks:
            s += self.weights[t]
        z += s * v
        for w, x, m, sc in zip(self.dense_w, dense_features(label, self.bigram), self.means, self.scales):
            z += w * ((x - m) / sc)
        return 1.0 / (1.0 + math.exp(-z))

    def score_name(self, name: str, psl: PSL) -> float:
        label = psl.registrable_label(name.encode("utf-8"))
        return 0.0 if label is None else self.score_label(label)
