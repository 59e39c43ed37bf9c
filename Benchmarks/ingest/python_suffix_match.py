#!/usr/bin/env python3
"""What a user might write instead of dnsight analyze: load the Maltrail domains into a set, read a Zeek dns.log,
and look up every suffix of every query name. Prints transactions/s and the number of matches.

    python_suffix_match.py TRAIL_DIR... ZEEK_LOG      (every *.txt under the folders: one domain or URL a line)"""
import os, sys, time
trails, log = sys.argv[1:-1], sys.argv[-1]
t0 = time.perf_counter()
bad = set()
for root, _, files in (w for t in trails for w in os.walk(t)):
    for fn in files:
        if not fn.endswith(".txt"):
            continue
        for line in open(os.path.join(root, fn), encoding="utf-8", errors="replace"):
            line = line.strip().lower()
            if not line or line.startswith("#"):
                continue
            host = line.split("/")[0].split(":")[0]
            if any(c.isalpha() for c in host):
                bad.add(host.rstrip("."))
t1 = time.perf_counter()
n = hits = 0
with open(log, encoding="utf-8", errors="replace") as f:
    fields = None
    for line in f:
        if line.startswith("#"):
            if line.startswith("#fields"):
                fields = line.rstrip("\n").split("\t")[1:]
                qi = fields.index("query")
            continue
        n += 1
        labels = line.split("\t")[qi].lower().rstrip(".").split(".")
        for i in range(len(labels)):
            if ".".join(labels[i:]) in bad:
                hits += 1
                break
t2 = time.perf_counter()
print(f"python set of suffixes: {len(bad)} domains loaded in {t1 - t0:.2f} s; {n} transactions in {t2 - t1:.2f} s = {n / (t2 - t1):,.0f}/s; {hits} matches")
