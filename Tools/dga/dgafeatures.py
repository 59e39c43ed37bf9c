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
# Extra hand features (format version 2): IDN / hex / digit-letter switches and English-word coverage.
#
# The word lexicon is a blocked Bloom filter over lower-case a-z words of 3..WORD_MAX letters (from a word list,
# e.g. Debian's wamerican /usr/share/dict/words) and over all their prefixes, so that the walk from a start position
# stops as soon as no word can continue. Keys are FNV-1a 32-bit hashes of the letters. A key of kind k (prefix or
# word) is g = fmix32(h ^ seed_k); it lives in the 64-bit block g >> (32 - (bloom_bits - 6)) and sets/tests bits
# g & 63 and (g >> 6) & 63 (prefix) or g & 63, (g >> 6) & 63 and (g >> 12) & 63 (word) of that block, so one probe
# touches one cache line. Bit b of block w is bit (b & 7) of byte 8 * w + (b >> 3).

WORD_MIN = 3
WORD_MAX = 16
FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193
PREFIX_SEED = 0x5A5A5A5A
WORD_SEED = 0xA5A5A5A5
EXTRA_NAMES = ["is_idn", "hex_only", "digit_letter_switch_ratio", "word_coverage", "longest_word_ratio",
               "trigram_mean_logp", "trigram_min_logp"]


def fnv_step(h: int, c: int) -> int:
    return ((h ^ c) * FNV_PRIME) & 0xFFFFFFFF


class WordBloom:
    def __init__(self, bits: int, data: bytearray | None = None):
        assert bits >= 7
        self.bits = bits
        self.data = bytearray((1 << bits) // 8) if data is None else data

    def _positions(self, h: int, seed: int, k: int):
        g = fmix32(h ^ seed)
        base = (g >> (32 - (self.bits - 6))) * 64
        return [base + ((g >> (6 * i)) & 63) for i in range(k)]

    def _set(self, pos):
        self.data[pos >> 3] |= 1 << (pos & 7)

    def _get(self, pos) -> bool:
        return (self.data[pos >> 3] >> (pos & 7)) & 1 == 1

    def add_word(self, w: bytes):
        h = FNV_OFFSET
        for c in w:
            h = fnv_step(h, c)
            for p in self._positions(h, PREFIX_SEED, 2):
                self._set(p)
        for p in self._positions(h, WORD_SEED, 3):
            self._set(p)

    def has_prefix(self, h: int) -> bool:
        return all(self._get(p) for p in self._positions(h, PREFIX_SEED, 2))

    def has_word(self, h: int) -> bool:
        return all(self._get(p) for p in self._positions(h, WORD_SEED, 3))

    @classmethod
    def from_word_list(cls, path: str, bits: int) -> "WordBloom":
        b = cls(bits)
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                w = line.strip()
                if WORD_MIN <= len(w) <= WORD_MAX and w.isascii() and w.isalpha() and w.islower():
                    b.add_word(w.encode("ascii"))
        return b


def word_features(label: bytes, bloom: WordBloom) -> tuple[float, float]:
    """(letters covered by non-overlapping lexicon words, maximised by dynamic programming) / n and
    (longest lexicon word) / n. Only a-z letters form words; anything else ends a word."""
    n = len(label)
    best = [0] * (n + 1)
    longest = 0
    for i in range(n):
        if best[i] > best[i + 1]:
            best[i + 1] = best[i]
        h = FNV_OFFSET
        for j in range(i, min(n, i + WORD_MAX)):
            c = label[j]
            if not 97 <= c <= 122:
                break
            h = fnv_step(h, c)
            if not bloom.has_prefix(h):
                break
            k = j - i + 1
            if k >= WORD_MIN and bloom.has_word(h):
                if best[i] + k > best[j + 1]:
                    best[j + 1] = best[i] + k
                if k > longest:
                    longest = k
    return best[n] / n, longest / n


def trigram_table(labels, alpha: float = 0.1) -> list[float]:
    """log P(c | a b) of the benign character trigram model over [BEGIN, BEGIN] + symbols + [END], add-alpha
    smoothed, index (a * NSYM + b) * NSYM + c, rounded to float32 (as stored in the model file)."""
    counts = [0] * (NSYM * NSYM * NSYM)
    for label in labels:
        seq = [BEGIN, BEGIN] + [symbol(c) for c in label] + [END]
        for a, b, c in zip(seq, seq[1:], seq[2:]):
            counts[(a * NSYM + b) * NSYM + c] += 1
    table = []
    for ab in range(NSYM * NSYM):
        row = counts[ab * NSYM:(ab + 1) * NSYM]
        total = sum(row) + alpha * NSYM
        table.extend(math.log((x + alpha) / total) for x in row)
    return list(struct.unpack(f"<{len(table)}f", struct.pack(f"<{len(table)}f", *table)))


def trigram_features(label: bytes, trigram: list[float]) -> tuple[float, float]:
    seq = [BEGIN, BEGIN] + [symbol(c) for c in label] + [END]
    s = 0.0
    lo = 0.0
    for a, b, c in zip(seq, seq[1:], seq[2:]):
        lp = trigram[(a * NSYM + b) * NSYM + c]
        s += lp
        lo = min(lo, lp)
    return s / (len(label) + 1), lo


def extra_features(label: bytes, bloom: WordBloom, trigram: list[float]) -> list[float]:
    n = len(label)
    is_idn = 1.0 if label[:4] == b"xn--" else 0.0
    hexdig = b"0123456789abcdef"
    hex_only = 1.0 if n >= 6 and all(c in hexdig for c in label) and any(48 <= c <= 57 for c in label) else 0.0
    switches = 0
    for a, b in zip(label, label[1:]):
        if (48 <= a <= 57) != (48 <= b <= 57):
            switches += 1
    cov, longest = word_features(label, bloom)
    tri_mean, tri_min = trigram_features(label, trigram)
    return [is_idn, hex_only, switches / max(1, n - 1), cov, longest, tri_mean, tri_min]


def all_features(label: bytes, bigram: list[float], bloom: WordBloom, trigram: list[float]) -> list[float]:
    return dense_features(label, bigram) + extra_features(label, bloom, trigram)


# ----------------------------------------------------------------------------------------------------------------
# Model file, format version 2 (little-endian)
#   8s   magic "DNSDGA02"
#   u32  format version (2)
#   u32  hash bits B, u32 nmin, u32 nmax, u32 dense count F, u32 NSYM, u32 embedding dim D, u32 hidden H,
#   u32  bloom bits M
#   f64  x NSYM*NSYM  benign bigram log-probabilities
#   f32  x NSYM^3     benign trigram log-probabilities
#   f64  x F means;  f64 x F scales
#   f64  x D          embedding scales s[d]
#   f64  x (D+F)*H    W1, row-major by input (bag dims first, then the standardised dense features)
#   f64  x H b1;  f64 x H w2;  f64 b2
#   f64  threshold at benign FPR 1e-3, f64 threshold at benign FPR 1e-4 (measured on the benign holdout)
#   i8   x 2^B * D    embedding codes q, row-major by bucket
#   u8   x 2^M / 8    word Bloom filter (2^(M-6) little-endian 64-bit blocks)
#
# Reference scorer (float64):
#   T = number of tokens (n-grams + the length token);  acc[d] = sum over tokens of q[token, d] (exact integer)
#   bag[d] = acc[d] * s[d] / T
#   x = bag ++ [(f[j] - mean[j]) / scale[j] for the F hand features]
#   a[k] = b1[k] + sum_i x[i] * W1[i, k]   (i ascending);   h = max(a, 0)
#   z = b2 + sum_k h[k] * w2[k]   (k ascending);   score = 1 / (1 + exp(-z))

MAGIC2 = b"DNSDGA02"


class Model:
    def __init__(self, bits, nmin, nmax, dim, hidden, bigram, trigram, means, scales, emb_scales, W1, b1, w2, b2,
                 thresholds, codes, bloom: WordBloom):
        self.bits, self.nmin, self.nmax, self.dim, self.hidden = bits, nmin, nmax, dim, hidden
        self.bigram = [float(x) for x in bigram]
        self.trigram = [float(x) for x in trigram]
        self.means = [float(x) for x in means]
        self.scales = [float(x) for x in scales]
        self.emb_scales = [float(x) for x in emb_scales]
        self.W1 = [[float(x) for x in row] for row in W1]
        self.b1 = [float(x) for x in b1]
        self.w2 = [float(x) for x in w2]
        self.b2 = float(b2)
        self.thresholds = [float(x) for x in thresholds]
        self.codes = bytes(codes)  # int8 two's complement, 2^bits * dim
        self.bloom = bloom

    @property
    def nfeatures(self):
        return len(self.means)

    def to_bytes(self) -> bytes:
        f, d, h = self.nfeatures, self.dim, self.hidden
        out = bytearray(MAGIC2)
        out += struct.pack("<9I", 2, self.bits, self.nmin, self.nmax, f, NSYM, d, h, self.bloom.bits)
        out += struct.pack(f"<{NSYM * NSYM}d", *self.bigram)
        out += struct.pack(f"<{NSYM ** 3}f", *self.trigram)
        out += struct.pack(f"<{f}d", *self.means)
        out += struct.pack(f"<{f}d", *self.scales)
        out += struct.pack(f"<{d}d", *self.emb_scales)
        for row in self.W1:
            out += struct.pack(f"<{h}d", *row)
        out += struct.pack(f"<{h}d", *self.b1)
        out += struct.pack(f"<{h}d", *self.w2)
        out += struct.pack("<d", self.b2)
        out += struct.pack("<2d", *self.thresholds)
        assert len(self.codes) == (1 << self.bits) * d
        out += self.codes
        out += self.bloom.data
        return bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Model":
        assert data[:8] == MAGIC2, "bad magic"
        version, bits, nmin, nmax, f, nsym, d, h, mbits = struct.unpack_from("<9I", data, 8)
        assert version == 2 and nsym == NSYM
        off = 8 + 36

        def take(fmt, count):
            nonlocal off
            vals = struct.unpack_from(f"<{count}{fmt}", data, off)
            off += struct.calcsize(f"<{count}{fmt}")
            return list(vals)
        bigram = take("d", NSYM * NSYM)
        trigram = take("f", NSYM ** 3)
        means = take("d", f)
        scales = take("d", f)
        emb_scales = take("d", d)
        W1 = [take("d", h) for _ in range(d + f)]
        b1 = take("d", h)
        w2 = take("d", h)
        (b2,) = take("d", 1)
        thresholds = take("d", 2)
        ncodes = (1 << bits) * d
        codes = data[off:off + ncodes]; off += ncodes
        nbloom = (1 << mbits) // 8
        bloom = WordBloom(mbits, bytearray(data[off:off + nbloom])); off += nbloom
        assert off == len(data), "trailing bytes"
        return cls(bits, nmin, nmax, d, h, bigram, trigram, means, scales, emb_scales, W1, b1, w2, b2, thresholds, codes, bloom)

    # -- the reference scorer: plain Python, float64, summation in the documented order -----------------------
    def score_label(self, label: bytes) -> float:
        if not label:
            return 0.0
        d = self.dim
        toks = sparse_tokens(label, self.nmin, self.nmax, self.bits)
        acc = [0] * d
        for t in toks:
            row = self.codes[t * d:(t + 1) * d]
            for k in range(d):
                c = row[k]
                acc[k] += c - 256 if c >= 128 else c
        T = len(toks)
        x = [acc[k] * self.emb_scales[k] / T for k in range(d)]
        feats = all_features(label, self.bigram, self.bloom, self.trigram)
        x += [(v - m) / sc for v, m, sc in zip(feats, self.means, self.scales)]
        a = list(self.b1)
        for i, xi in enumerate(x):
            row = self.W1[i]
            for k in range(self.hidden):
                a[k] += xi * row[k]
        z = self.b2
        for k in range(self.hidden):
            if a[k] > 0:
                z += a[k] * self.w2[k]
        return 1.0 / (1.0 + math.exp(-z))

    def score_name(self, name: str, psl: PSL) -> float:
        label = psl.registrable_label(name.encode("utf-8"))
        return 0.0 if label is None else self.score_label(label)
