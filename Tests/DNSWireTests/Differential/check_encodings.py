#!/usr/bin/env python3
"""Second half of the DNSWire differential test: dnspython reads DNSWire's encodings back.

    check_encodings.py --corpus DIR --encoded FILE

DIR is a corpus made by make_corpus.py. FILE has one JSON object per line, written by DifferentialTests.swift for
every case DNSWire decoded: {"i": case, "c": hex of encode() (compressed), "u": hex of encode(compress: false)},
or {"i": case, "error": text} when DNSWire could not encode what it had decoded.

For each encoding, dnspython parses the bytes (configured as in make_corpus.py) and the canonical description is
compared with the original case's expectation. It is a mismatch when:
  * the description differs (the first differing field is reported with both values). For the compressed encoding
    only, the names DNSWire compresses (question and owner names, NS/CNAME/PTR targets, MX exchanges, SOA names) are
    compared ignoring ASCII case: RFC 4343 §4.1 has compression match names ignoring case, so such a name reads
    back with the case of the earlier name it points to. Every other field, and the whole uncompressed encoding,
    must match exactly;
  * dnspython rejects the encoding;
  * reading the encoding needs a relaxation the original did not (DNSWire wrote something it should not, e.g. a
    compressed DNAME target);
  * the uncompressed encoding contains a compression pointer.

Prints one JSON object: {"checked": encodings read, "case_folded": compressed encodings equal only ignoring case,
"count": mismatches, "mismatches": [first 50]}, and writes
every mismatch to DIR/encoding_mismatches.jsonl.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ beside the test sources

import make_corpus  # noqa: E402


def first_difference(a, b, path=""):
    """The first (path, a-value, b-value) where two JSON values differ, or None."""
    if type(a) is not type(b):
        return path or "/", a, b
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}/{key}", a.get(key, "<absent>"), b.get(key, "<absent>")
            d = first_difference(a[key], b[key], f"{path}/{key}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for k in range(min(len(a), len(b))):
            d = first_difference(a[k], b[k], f"{path}[{k}]")
            if d:
                return d
        if len(a) != len(b):
            return f"{path} (length)", len(a), len(b)
        return None
    return None if a == b else (path or "/", a, b)


def short(v):
    text = json.dumps(v, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= 300 else text[:300] + "…"


# The RDATA names DNSWire's encoder compresses (RData.encode), by type.
COMPRESSED_RDATA_NAMES = {2: ("target",), 5: ("target",), 12: ("target",), 15: ("exchange",), 6: ("mname", "rname")}


def fold_case(desc):
    """A copy of a description with the names DNSWire may compress lower-cased (ASCII only, as RFC 4343 says)."""
    def low(h):
        return bytes.fromhex(h).lower().hex()

    d = json.loads(json.dumps(desc))
    for q in d["qd"]:
        q["name"] = low(q["name"])
    for key in ("an", "ns", "ar"):
        for rec in d[key]:
            rec["name"] = low(rec["name"])
            for field in COMPRESSED_RDATA_NAMES.get(rec["type"], ()):
                if field in rec["rdata"]:
                    rec["rdata"][field] = low(rec["rdata"][field])
    return d


def check(job):
    """Mismatches for one line of the encodings file."""
    line, original, relaxed = job
    enc = json.loads(line)
    i = enc["i"]
    if "error" in enc:
        return 0, 0, [mismatch(i, "encode", "DNSWire encode() threw", "an encoding", enc["error"])]
    out = []
    folded = 0
    for variant, key in (("compressed", "c"), ("uncompressed", "u")):
        wire = bytes.fromhex(enc[key])
        # Read with the relaxations the original needed, and for the uncompressed encoding with pointers refused.
        extra = ("no-pointers",) if variant == "uncompressed" else ()
        d = make_corpus.parse(wire, tuple(relaxed) + extra)
        if d is None:
            # Find out why: a pointer where there should be none, a further relaxation, or plain rejection.
            full, needed, _notes = make_corpus.describe(wire)
            if full is None:
                out.append(mismatch(i, variant, "dnspython rejected DNSWire's encoding", original, enc[key][:600]))
            elif variant == "uncompressed" and make_corpus.has_pointer(wire):
                out.append(mismatch(i, variant, "compression pointer in encode(compress: false)", "none", enc[key][:600]))
            else:
                out.append(mismatch(i, variant, "relaxations needed beyond the original's", sorted(relaxed), needed))
            continue
        got = make_corpus.canon_json(d)
        if got != original:
            want = json.loads(original)
            if variant == "compressed":
                want, d = fold_case(want), fold_case(d)
                folded += 1
            diff = first_difference(want, d)
            if diff:
                out.append(mismatch(i, variant, *diff))
    return 2, folded, out


def mismatch(i, variant, field, expected, got):
    return {"i": i, "variant": variant, "field": field, "expected": short(expected), "got": short(got)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--encoded", required=True)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = ap.parse_args()
    make_corpus.configure()

    with open(os.path.join(args.corpus, "expect.jsonl")) as f:
        expect = f.read().split("\n")
    relaxed = {}
    with open(os.path.join(args.corpus, "cases.jsonl")) as f:
        for line in f:
            head = line[:line.index(',"wire"')] + "}"  # the wire is not needed here
            case = json.loads(head)
            relaxed[case["i"]] = case["relaxed"]

    def jobs():
        with open(args.encoded) as f:
            for line in f:
                if line.strip():
                    i = int(line[5:line.index(",")])  # lines start with {"i":N,
                    yield line, expect[i], relaxed[i]

    if args.jobs > 1:
        import multiprocessing
        pool = multiprocessing.Pool(args.jobs)
        results = pool.imap(check, jobs(), chunksize=64)
    else:
        pool = None
        results = map(check, jobs())
    checked = 0
    case_folded = 0
    mismatches = []
    for n, folded, found in results:
        checked += n
        case_folded += folded
        mismatches += found
    if pool is not None:
        pool.close()
        pool.join()
    with open(os.path.join(args.corpus, "encoding_mismatches.jsonl"), "w") as f:
        for m in mismatches:
            f.write(json.dumps(m) + "\n")
    json.dump({"checked": checked, "case_folded": case_folded, "count": len(mismatches), "mismatches": mismatches[:50]},
              sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
