#!/usr/bin/env python3
"""Reads store100.sh's output: per detector setting, the median CPU (user + system) and wall-clock seconds with and
without the store, their ratio, and each round's pair."""
import re, sys, statistics as st
runs = {}
for l in open(sys.argv[1]):
    m = re.match(r'final 100M 2thr detectors (\w+) ([\w-]+) \(round (\d+)\): ([\d.]+) s wall, ([\d.]+) user, ([\d.]+) sys, (\d+) KB', l)
    if m:
        runs[(m.group(1), m.group(2), int(m.group(3)))] = (float(m.group(4)), float(m.group(5)) + float(m.group(6)), int(m.group(7)))
for d in ['none', 'all']:
    rounds = sorted({k[2] for k in runs if k[0] == d})
    store = [runs[(d, 'store', r)] for r in rounds if (d, 'store', r) in runs]
    bare = [runs[(d, 'no-store', r)] for r in rounds if (d, 'no-store', r) in runs]
    if not store or not bare:
        continue
    cs, cn = st.median(x[1] for x in store), st.median(x[1] for x in bare)
    ws, wn = st.median(x[0] for x in store), st.median(x[0] for x in bare)
    print(f"detectors {d}: {len(rounds)} rounds; median CPU {cs:.1f} s with the store, {cn:.1f} s without: {cs / cn:.3f}x; "
          f"median wall {ws:.1f} / {wn:.1f} s: {ws / wn:.3f}x; peak RSS {st.median(x[2] for x in store) / 1024:.0f} / "
          f"{st.median(x[2] for x in bare) / 1024:.0f} MB")
    pairs = [(runs[(d, 'store', r)], runs[(d, 'no-store', r)]) for r in rounds if (d, 'store', r) in runs and (d, 'no-store', r) in runs]
    print("  each round's pair, CPU (wall):", ", ".join(f"{a[1] / b[1]:.2f}x ({a[0] / b[0]:.2f}x)" for a, b in pairs))
