#!/usr/bin/env python3
"""Compares two dnsight stores table by table, ignoring what legitimately differs between runs: row ids, device ids
(replaced by organisation and device key), checkpoint update times and the run records. Prints one line a table."""
import sqlite3, sys, hashlib
def canon(path):
    c = sqlite3.connect(path)
    dev = {r[0]: (r[1], r[2]) for r in c.execute("select id, organisation, device_key from device")}
    out = {}
    for (t,) in c.execute("select name from sqlite_master where type='table'"):
        if t in ("grdb_migrations", "ingest_run"): continue
        cols = [r[1] for r in c.execute(f"pragma table_info({t})")]
        keep = [i for i, n in enumerate(cols) if n not in ("updated_ns",) and not (n == "id")]
        rows = []
        for r in c.execute(f"select * from {t}"):
            r = list(r)
            for i, n in enumerate(cols):
                if n == "device_id" and r[i] in dev: r[i] = dev[r[i]]
            rows.append(repr([r[i] for i in keep]))
        rows.sort()
        out[t] = (len(rows), hashlib.sha1("\n".join(rows).encode()).hexdigest()[:12])
    return out
a, b = canon(sys.argv[1]), canon(sys.argv[2])
for t in sorted(a):
    print(t, a[t], b.get(t), "same" if a[t] == b.get(t) else "DIFFERENT")
