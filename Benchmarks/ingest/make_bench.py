#!/usr/bin/env python3
"""Writes the issue-4 ingest benchmark's data, deterministically (seed 7):

  make_bench.py intel DIR              DIR/synthetic/indicators.txt: 2,000,000 listed domains (one per line)
  make_bench.py inventory FILE         100,000 /26 CIDRs in 10.0.0.0/8 (header cidr,organisation,segment,...)
  make_bench.py queries N FMT OUT      N DNS transactions as FMT = zeek | dnstap | pcap

The transactions are the same for every FMT (same seed): clients drawn from a fixed population of 250,000 addresses
inside the inventory's CIDRs, names from 200,000 benign names, and 0.2% of the queries to a listed name (half of
them a subdomain of a listed domain, so only a suffix lookup finds it). Zeek TSV lines carry one A answer; dnstap
frames are CLIENT_RESPONSE messages carrying the query time and the response; pcap has the query and the response
packets (Ethernet, IPv4, UDP).
"""
import random, struct, sys

N_INDICATORS = 2_000_000
N_CIDRS = 100_000
N_CLIENTS = 250_000
N_BENIGN = 200_000
WORDS = ["alpha", "beta", "gamma", "delta", "cloud", "cdn", "api", "static", "img", "mail", "news", "shop", "login",
         "data", "app", "edge", "auth", "cache", "media", "sync"]
TLDS = ["com", "net", "org", "io", "co.uk", "de", "jp", "info", "xyz", "ru"]


def indicator(i):
    # Listed domains: a pattern no benign name has.
    return "ioc%07d-%s.%s" % (i, WORDS[i % len(WORDS)], TLDS[(i // 7) % len(TLDS)])


def cidr_base(i):
    return (10 << 24) | (i << 6)


def write_intel(d):
    import os
    os.makedirs(d + "/synthetic", exist_ok=True)
    with open(d + "/synthetic/indicators.txt", "w") as f:
        f.write("# synthetic benchmark indicators (issue 4)\n")
        for i in range(N_INDICATORS):
            f.write(indicator(i) + "\n")


def write_inventory(path):
    seg = ["enterprise", "home"]
    reg = ["APAC", "NA", "EMEA", "LATAM"]
    ind = ["finance", "healthcare", "retail", "education", "government"]
    with open(path, "w") as f:
        f.write("cidr,organisation,segment,region,country,industry,device_type,site\n")
        for i in range(N_CIDRS):
            b = cidr_base(i)
            f.write("%d.%d.%d.%d/26,org%d,%s,%s,%s,%s,%s,site%d\n" % (
                b >> 24, (b >> 16) & 255, (b >> 8) & 255, b & 255, i // 20, seg[i % 2], reg[i % 4],
                ["US", "DE", "JP", "BR", "GB"][i % 5], ind[i % 5], ["laptop", "phone", "server"][i % 3], i % 97))


def transactions(n):
    rng = random.Random(7)
    clients = [cidr_base(rng.randrange(N_CIDRS)) + rng.randrange(1, 63) for _ in range(N_CLIENTS)]
    benign = ["%s.%s%d.%s" % (rng.choice(WORDS), rng.choice(WORDS), rng.randrange(20000), rng.choice(TLDS)) for _ in range(N_BENIGN)]
    r = rng.random
    rr = rng.randrange
    for i in range(n):
        c = clients[rr(N_CLIENTS)]
        x = r()
        if x < 0.001:
            q = indicator(rr(N_INDICATORS))
        elif x < 0.002:
            q = "www." + indicator(rr(N_INDICATORS))
        else:
            q = benign[rr(N_BENIGN)]
        yield i, c, q


def ip4(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


ZEEK_HDR = ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n"
            "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n")
T0 = 1_750_000_000


def qname_wire(q, cache={}):
    w = cache.get(q)
    if w is None:
        w = b"".join(bytes([len(l)]) + l.encode() for l in q.split(".")) + b"\x00"
        if len(cache) < 400_000:
            cache[q] = w
    return w


def dns_messages(i, q):
    qid = i & 0xFFFF
    qn = qname_wire(q)
    question = qn + b"\x00\x01\x00\x01"
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question
    answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04" + bytes([93, 184, 216, i % 250])
    response = struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer
    return query, response


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def ld(field, b):
    return varint(field << 3 | 2) + varint(len(b)) + b


def vi(field, v):
    return varint(field << 3) + varint(v)


def f32(field, v):
    return varint(field << 3 | 5) + struct.pack("<I", v)


SERVER = (10 << 24) | (255 << 16) | 1


def write_queries(n, fmt, out):
    f = open(out, "wb")
    if fmt == "zeek":
        f.write(ZEEK_HDR.encode())
        buf = []
        for i, c, q in transactions(n):
            ts = T0 + i * 0.0001
            buf.append("%.6f\tC%d\t%s\t%d\t10.255.0.1\t53\tudp\t%d\t0.002\t%s\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t93.184.216.%d\t300.000000\tF\n"
                       % (ts, i, ip4(c), 1024 + i % 60000, i & 0xFFFF, q, i % 250))
            if len(buf) >= 10000:
                f.write("".join(buf).encode())
                buf = []
        f.write("".join(buf).encode())
        f.write(b"#close\t2025-06-15-12-00-00\n")
    elif fmt == "dnstap":
        ctype = b"protobuf:dnstap.Dnstap"
        start = struct.pack(">I", 2) + struct.pack(">II", 1, len(ctype)) + ctype
        f.write(struct.pack(">II", 0, len(start)) + start)
        srv = struct.pack(">I", SERVER)
        ident = ld(1, b"bench-resolver")
        buf = []
        for i, c, q in transactions(n):
            ns = i * 100_000
            sec, nsec = T0 + ns // 1_000_000_000, ns % 1_000_000_000
            rns = nsec + 2_000_000
            rsec, rnsec = sec + rns // 1_000_000_000, rns % 1_000_000_000
            _, response = dns_messages(i, q)
            msg = (vi(1, 6) + vi(2, 1) + vi(3, 1) + ld(4, struct.pack(">I", c)) + ld(5, srv) + vi(6, 1024 + i % 60000) + vi(7, 53)
                   + vi(8, sec) + f32(9, nsec) + vi(12, rsec) + f32(13, rnsec) + ld(14, response))
            frame = ident + vi(15, 1) + ld(14, msg)
            buf.append(struct.pack(">I", len(frame)) + frame)
            if len(buf) >= 10000:
                f.write(b"".join(buf))
                buf = []
        f.write(b"".join(buf))
        stop = struct.pack(">I", 3)
        f.write(struct.pack(">II", 0, len(stop)) + stop)
    elif fmt == "pcap":
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
        buf = []
        for i, c, q in transactions(n):
            ns = i * 100_000
            query, response = dns_messages(i, q)
            cport = 1024 + i % 60000
            for k, (payload, src, dst, sport, dport) in enumerate(((query, c, SERVER, cport, 53), (response, SERVER, c, 53, cport))):
                t = ns + k * 2_000_000
                udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
                iph = struct.pack(">BBHHHBBHII", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0, src, dst)
                pkt = eth + iph + udp
                buf.append(struct.pack("<IIII", T0 + t // 1_000_000_000, (t % 1_000_000_000) // 1000, len(pkt), len(pkt)) + pkt)
            if len(buf) >= 20000:
                f.write(b"".join(buf))
                buf = []
        f.write(b"".join(buf))
    else:
        sys.exit("format: zeek | dnstap | pcap")
    f.close()


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "intel":
        write_intel(sys.argv[2])
    elif cmd == "inventory":
        write_inventory(sys.argv[2])
    elif cmd == "queries":
        write_queries(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
