#!/usr/bin/env python3
"""Builds the fuzz seed corpora from the real capture in ../shared (no third-party modules).

Reads the classic pcap with plain struct parsing (Ethernet, optional 802.1Q tags, IPv4/IPv6, UDP/TCP), takes the
DNS payloads, and writes one corpus directory per fuzz target:

  corpus-decode-message/  distinct DNS messages (UDP payloads, and TCP messages with the 2-byte prefix removed),
                          at most a few per "shape" (flags, section counts, question type, EDNS or not, size bucket),
                          plus hand-built responses covering the record types and EDNS options the capture lacks
  corpus-parse-name/      question names in wire form and in presentation text, plus a few escaped names
  corpus-tcp-deframe/     each TCP direction's payload bytes as one stream

Usage: python3 Fuzz/make_seeds.py [PCAP] [OUTDIR]   (defaults: ../shared/... relative to the repo, and Fuzz/)
"""
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_PCAP = os.path.join(REPO, "..", "shared", "data", "captures", "unbound-rpz-loopback.pcap")
PER_SHAPE = 3


def read_pcap(path):
    """Yields (link_type, frame bytes) for every record of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap file (magic {magic.hex()})")
    link_type = struct.unpack(endian + "I", data[20:24])[0]
    pos = 24
    while pos + 16 <= len(data):
        _sec, _frac, incl_len, _orig = struct.unpack(endian + "IIII", data[pos:pos + 16])
        pos += 16
        yield link_type, data[pos:pos + incl_len]
        pos += incl_len


def transport_payload(link_type, frame):
    """Returns (proto, src, dst, payload) for UDP/TCP over IPv4/IPv6 on Ethernet, else None."""
    if link_type != 1 or len(frame) < 14:
        return None
    ether_type = struct.unpack("!H", frame[12:14])[0]
    pos = 14
    while ether_type in (0x8100, 0x88A8) and len(frame) >= pos + 4:
        ether_type = struct.unpack("!H", frame[pos + 2:pos + 4])[0]
        pos += 4
    if ether_type == 0x0800:
        if len(frame) < pos + 20:
            return None
        ihl = (frame[pos] & 0x0F) * 4
        total = struct.unpack("!H", frame[pos + 2:pos + 4])[0]
        proto = frame[pos + 9]
        src, dst = frame[pos + 12:pos + 16], frame[pos + 16:pos + 20]
        end = min(len(frame), pos + total)
        pos += ihl
    elif ether_type == 0x86DD:
        if len(frame) < pos + 40:
            return None
        plen = struct.unpack("!H", frame[pos + 4:pos + 6])[0]
        proto = frame[pos + 6]
        src, dst = frame[pos + 8:pos + 24], frame[pos + 24:pos + 40]
        end = min(len(frame), pos + 40 + plen)
        pos += 40  # extension headers do not occur in this capture
    else:
        return None
    if proto == 17 and end >= pos + 8:
        sport, dport = struct.unpack("!HH", frame[pos:pos + 4])
        return "udp", (src, sport), (dst, dport), frame[pos + 8:end]
    if proto == 6 and end >= pos + 20:
        sport, dport = struct.unpack("!HH", frame[pos:pos + 4])
        seq = struct.unpack("!I", frame[pos + 4:pos + 8])[0]
        offset = (frame[pos + 12] >> 4) * 4
        return "tcp", (src, sport), (dst, dport, seq), frame[pos + offset:end]
    return None


def question_name(msg):
    """The first question's uncompressed wire name, or None."""
    if len(msg) < 13 or struct.unpack("!H", msg[4:6])[0] == 0:
        return None
    p = 12
    while p < len(msg):
        n = msg[p]
        if n == 0:
            return msg[12:p + 1]
        if n > 63:
            return None
        p += 1 + n
    return None


def presentation(wire):
    out = []
    p = 0
    while wire[p] != 0:
        n = wire[p]
        label = ""
        for c in wire[p + 1:p + 1 + n]:
            if c <= 0x20 or c >= 0x7F:
                label += "\\%03d" % c
            elif chr(c) in '"().;\\@$':
                label += "\\" + chr(c)
            else:
                label += chr(c)
        out.append(label)
        p += 1 + n
    return ".".join(out) + "." if out else "."


def shape(msg):
    if len(msg) < 12:
        return ("short", len(msg))
    _id, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    name = question_name(msg)
    qtype = msg[12 + len(name):14 + len(name)] if name else b""
    has_opt = b"\x00\x00\x29" in msg[12:]
    return (flags, qd, an, ns, ar, qtype, has_opt, len(msg) // 32)


def synthetic_messages():
    """Hand-built responses with the record types and EDNS options the capture lacks (it has only A, AAAA, TXT, SOA),
    so the fuzzer starts with every RDATA decoder reachable. Names are compressed the way servers do it."""
    def name(text):
        out = b""
        for label in text.rstrip(".").split("."):
            if label:
                out += bytes([len(label)]) + label.encode()
        return out + b"\x00"

    def cstr(b):
        return bytes([len(b)]) + b

    def rr(owner, rtype, rdata, ttl=300):
        return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata

    q = name("example.com.")
    header = lambda qd, an, ns, ar: struct.pack("!HHHHHH", 0x1234, 0x8180, qd, an, ns, ar)
    ptr = b"\xc0\x0c"  # the question name at offset 12
    records = [
        rr(ptr, 2, name("ns1.example.com.")),
        rr(ptr, 5, b"\x03www" + ptr),
        rr(ptr, 39, name("other.example.")),
        rr(ptr, 12, name("host.example.")),
        rr(ptr, 15, struct.pack("!H", 10) + b"\x04mail" + ptr),
        rr(ptr, 6, b"\x02ns" + ptr + b"\x0ahostmaster" + ptr + struct.pack("!IIIII", 2024010101, 7200, 900, 1209600, 300)),
        rr(ptr, 16, b"\x0bhello world\x00\x05\"q\\\x7f\xff"),
        rr(ptr, 33, struct.pack("!HHH", 10, 5, 443) + name("svc.example.com.")),
        rr(ptr, 35, struct.pack("!HH", 100, 10) + b"\x01U\x07E2U+sip" + cstr(b"!^.*$!sip:info@example.com!") + b"\x00"),
        rr(ptr, 257, b"\x00\x05issue" + b"letsencrypt.org"),
        rr(ptr, 65, struct.pack("!H", 1) + b"\x00" + struct.pack("!HH", 0, 2) + b"\x00\x01" + struct.pack("!HH", 1, 6)
           + b"\x02h2\x02h3" + struct.pack("!HH", 3, 2) + b"\x01\xbb" + struct.pack("!HH", 4, 4) + b"\xc0\x00\x02\x01"
           + struct.pack("!HH", 6, 16) + b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x01" + struct.pack("!HH", 9, 1) + b"x"),
        rr(ptr, 64, struct.pack("!H", 0) + name("alias.example.")),
        rr(ptr, 43, struct.pack("!HBB", 12345, 13, 2) + bytes(range(32))),
        rr(ptr, 48, struct.pack("!HBB", 257, 3, 13) + bytes(range(64))),
        rr(ptr, 46, struct.pack("!HBBIIIH", 1, 13, 2, 300, 1893456000, 1700000000, 12345) + name("example.com.") + bytes(64)),
        rr(ptr, 47, name("a.example.com.") + b"\x00\x06\x40\x01\x00\x00\x00\x03" + b"\x01\x01\x40"),
        rr(ptr, 50, struct.pack("!BBH", 1, 1, 0) + b"\x04\xaa\xbb\xcc\xdd" + b"\x14" + bytes(range(20)) + b"\x00\x01\x60"),
        rr(ptr, 52, b"\x03\x01\x01" + bytes(range(32))),
        rr(ptr, 10, b"\x00\x01\x02"),
        rr(ptr, 28, bytes(15) + b"\x01"),
        rr(ptr, 99, b"\x05v=spf"),
        rr(ptr, 1, b"\xc0\x00\x02\x01"),
    ]
    opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0x00008000, 0)
    options = (struct.pack("!HH", 8, 7) + b"\x00\x01\x18\x00\xc0\x00\x02"
               + struct.pack("!HH", 10, 24) + bytes(range(24))
               + struct.pack("!HH", 15, 6) + struct.pack("!H", 17) + b"RPZ!"
               + struct.pack("!HH", 12, 4) + bytes(4)
               + struct.pack("!HH", 8, 12) + b"\x00\x02\x40\x00\x20\x01\x0d\xb8\x00\x00\x00\x00"
               + struct.pack("!HH", 65001, 2) + b"hi")
    opt_full = b"\x00" + struct.pack("!HHIH", 41, 4096, 0x01008000, len(options)) + options
    question = q + struct.pack("!HH", 255, 1)
    out = [header(1, len(records), 0, 1) + question + b"".join(records) + opt_full]
    # One small message per record type as well, so mutations of each stay short.
    for r in records:
        out.append(header(1, 1, 0, 1) + question + r + opt)
    out.append(header(1, 0, 1, 0) + question + records[5])
    return out


def write_corpus(directory, items):
    os.makedirs(directory, exist_ok=True)
    written = 0
    for item in items:
        name = hashlib.sha1(item).hexdigest()
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(item)
            written += 1
    return written


def main():
    pcap = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PCAP
    outdir = sys.argv[2] if len(sys.argv) > 2 else HERE
    messages = []
    streams = {}
    for link_type, frame in read_pcap(pcap):
        parsed = transport_payload(link_type, frame)
        if parsed is None:
            continue
        proto, src, dst, payload = parsed
        if proto == "udp" and payload:
            messages.append(payload)
        elif proto == "tcp" and payload:
            key = (src, dst[:2])
            streams.setdefault(key, {})[dst[2]] = payload  # keyed by sequence number: retransmits collapse
    tcp_streams = []
    for segments in streams.values():
        stream = b"".join(segments[s] for s in sorted(segments))
        tcp_streams.append(stream)
        p = 0
        while p + 2 <= len(stream):
            n = struct.unpack("!H", stream[p:p + 2])[0]
            if p + 2 + n > len(stream):
                break
            messages.append(stream[p + 2:p + 2 + n])
            p += 2 + n

    per_shape = {}
    chosen = synthetic_messages()
    for m in messages:
        k = shape(m)
        if per_shape.get(k, 0) < PER_SHAPE:
            per_shape[k] = per_shape.get(k, 0) + 1
            chosen.append(m)

    names_wire, names_text = set(), set()
    for m in messages:
        w = question_name(m)
        if w:
            names_wire.add(w)
    # A few hundred names are plenty: keep the wire forms small and varied.
    names_wire = sorted(names_wire)[:200]
    for w in names_wire:
        names_text.add(presentation(w).encode())
    names_text.update([b".", b"@", b"example", b"Example.COM.", rb"a\.b.example.", rb"\000\255.xn--bcher-kva.example.",
                       rb"\@\$\(\)\;\".x.", b"*.phish.example."])

    n1 = write_corpus(os.path.join(outdir, "corpus-decode-message"), chosen)
    n2 = write_corpus(os.path.join(outdir, "corpus-parse-name"), list(names_wire) + sorted(names_text))
    n3 = write_corpus(os.path.join(outdir, "corpus-tcp-deframe"), tcp_streams + [b"\x00\x00", b"\x00\x03abc\x00\x01z"])
    print(f"{len(messages)} DNS messages in {pcap}; {len(chosen)} seeds kept ({len(per_shape)} shapes): "
          f"decode-message +{n1}, parse-name +{n2}, tcp-deframe +{n3} new files under {outdir}")


if __name__ == "__main__":
    main()
