#!/usr/bin/env python3
"""Writes a Zeek dns.log (TSV) with N transactions (usage: make_zeek.py N OUT [CLIENTS]) for the ingest benchmark: random benign names over a few
thousand domains and 0.1% queries to names listed in the shared Maltrail trails. Deterministic (seed 7)."""
import random, sys
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/zeek-bench.log"
# Optional third argument: the number of client addresses (default: every address of 10.0-3.x.1-254, ~260,000,
# which gives a device only ~4 queries in a million; an enterprise network sends hundreds to thousands per device).
clients = int(sys.argv[3]) if len(sys.argv) > 3 else None
random.seed(7)
hdr = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
       "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n"
       "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n")
words = ["alpha", "beta", "gamma", "delta", "cloud", "cdn", "api", "static", "img", "mail", "news", "shop", "login", "data", "app"]
tlds = ["com", "net", "org", "io", "co.uk", "de", "jp"]
bad = ["abc-hobbies.com", "lockbit-decryptor.com", "acadubai.org"]
with open(out, "w") as f:
    f.write(hdr)
    t = 1656000000.0
    for i in range(n):
        t += 0.01
        if clients is None:
            c = "10.%d.%d.%d" % (random.randrange(4), random.randrange(256), random.randrange(1, 255))
        else:
            k = random.randrange(clients)
            c = "10.%d.%d.%d" % (k // 64516 % 4, k // 254 % 256, k % 254 + 1)
        q = random.choice(bad) if random.random() < 0.001 else "%s.%s%d.%s" % (random.choice(words), random.choice(words), random.randrange(5000), random.choice(tlds))
        f.write("%.6f\tC%d\t%s\t%d\t10.255.0.1\t53\tudp\t%d\t0.002\t%s\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t93.184.216.%d\t300.000000\tF\n"
                % (t, i, c, 1024 + i % 60000, i % 65536, q, i % 250))
