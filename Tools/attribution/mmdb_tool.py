#!/usr/bin/env python3
"""Builds MaxMind DB files for dnsight's Attribution tests and reads them back with the reference reader.

  mmdb_tool.py writer OUT SPEC.json        build with the PyPI `mmdb-writer` package
  mmdb_tool.py raw OUT --record-size N --ip-version V --scenario NAME [--ss3]
                                           build with the small writer below (forces the record size, every data
                                           type, every pointer size)
  mmdb_tool.py benchdb OUT                 a GeoLite2-City-shaped database for Benchmarks/Attribution: 32,768 /24s
                                           covering 20.0.0.0/9 (so 20.0.0.0/8 is half hits), built with mmdb-writer
  mmdb_tool.py lookup DB ADDRESSES.txt     look every address up with the PyPI `maxminddb` reader and print
                                           "address<TAB>prefix length<TAB>canonical record" (or NONE)

SPEC.json for `writer`: {"ip_version": 6, "ipv4_compatible": true, "database_type": "...",
                         "networks": [["192.0.2.0/24", {...record...}], ...]}

The canonical record text is the same as AttributionTests' `canonical(_:)`: i<int> for every integer type,
f<hex of the IEEE-754 double> for float and double, s<hex of UTF-8> for strings, b<hex> for bytes, T/F for booleans,
[a,b] for arrays and {hexkey:value,...} for maps with keys sorted by UTF-8 bytes.
"""
import ipaddress
import json
import struct
import sys
import time


def canonical(v):
    if isinstance(v, bool):
        return "T" if v else "F"
    if isinstance(v, int):
        return "i" + str(v)
    if isinstance(v, float):
        return "f" + struct.pack(">d", v).hex()
    if isinstance(v, str):
        return "s" + v.encode("utf-8").hex()
    if isinstance(v, (bytes, bytearray)):
        return "b" + bytes(v).hex()
    if isinstance(v, list):
        return "[" + ",".join(canonical(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v.keys(), key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(k.encode("utf-8").hex() + ":" + canonical(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


def cmd_lookup(db, addresses_file):
    import maxminddb
    with maxminddb.open_database(db) as reader, open(addresses_file) as f:
        out = []
        for line in f:
            a = line.strip()
            if not a:
                continue
            rec, plen = reader.get_with_prefix_len(a)
            out.append(f"{a}\t{plen}\t{'NONE' if rec is None else canonical(rec)}")
    sys.stdout.write("\n".join(out) + "\n")


def cmd_writer(out, spec_file):
    from mmdb_writer import MMDBWriter, MmdbU16, MmdbU32, MmdbU64, MmdbI32, MmdbF32
    from netaddr import IPSet
    spec = json.load(open(spec_file))
    w = MMDBWriter(ip_version=spec.get("ip_version", 6), ipv4_compatible=spec.get("ipv4_compatible", True),
                   database_type=spec.get("database_type", "dnsight-test"), languages=["en"],
                   description="dnsight test database")
    for net, record in spec["networks"]:
        w.insert_network(IPSet([net]), record)
    w.to_db_file(out)


# ---------------------------------------------------------------------------------------------------------------
# A small MaxMind DB writer of our own, to reach what mmdb-writer does not choose by itself: 28- and 32-bit records
# on small trees, every data type (uint16/32/64/128, int32, float, double, bytes, booleans, nested arrays and
# maps), pointers of all four sizes, and IPv4-only trees.

class T:
    """A value with an explicit MMDB type."""
    def __init__(self, kind, value):
        self.kind, self.value = kind, value


def u16(v): return T("u16", v)
def u32(v): return T("u32", v)
def u64(v): return T("u64", v)
def u128(v): return T("u128", v)
def i32(v): return T("i32", v)
def f32(v): return T("f32", v)
def dbl(v): return T("dbl", v)


class Encoder:
    TYPES = {"ptr": 1, "str": 2, "dbl": 3, "bytes": 4, "u16": 5, "u32": 6, "map": 7, "i32": 8, "u64": 9,
             "u128": 10, "arr": 11, "bool": 14, "f32": 15}

    def __init__(self, ss3=False):
        self.data = bytearray()
        self.strings = {}   # string -> offset, to make pointers
        self.ss3 = ss3

    def header(self, type_num, size):
        if size < 29:
            first, extra = size, b""
        elif size < 285:
            first, extra = 29, bytes([size - 29])
        elif size < 65821:
            first, extra = 30, (size - 285).to_bytes(2, "big")
        else:
            first, extra = 31, (size - 65821).to_bytes(3, "big")
        if type_num <= 7:
            return bytes([(type_num << 5) | first]) + extra
        return bytes([first, type_num - 7]) + extra

    def pointer(self, offset):
        if self.ss3:
            return bytes([0x20 | (3 << 3)]) + offset.to_bytes(4, "big")
        if offset < 2048:
            return bytes([0x20 | (offset >> 8)]) + bytes([offset & 0xFF])
        if offset < 2048 + (1 << 19):
            v = offset - 2048
            return bytes([0x20 | (1 << 3) | (v >> 16)]) + (v & 0xFFFF).to_bytes(2, "big")
        if offset < 526336 + (1 << 27):
            v = offset - 526336
            return bytes([0x20 | (2 << 3) | (v >> 24)]) + (v & 0xFFFFFF).to_bytes(3, "big")
        return bytes([0x20 | (3 << 3)]) + offset.to_bytes(4, "big")

    def encode(self, v):
        """Bytes of a value; strings seen before become pointers."""
        if isinstance(v, T):
            k, x = v.kind, v.value
            if k in ("u16", "u32", "u64", "u128"):
                b = x.to_bytes((x.bit_length() + 7) // 8, "big") if x else b""
                return self.header(self.TYPES[k], len(b)) + b
            if k == "i32":
                b = struct.pack(">i", x).lstrip(b"\x00") if x >= 0 else struct.pack(">i", x)
                return self.header(8, len(b)) + b
            if k == "f32":
                return self.header(15, 4) + struct.pack(">f", x)
            if k == "dbl":
                return self.header(3, 8) + struct.pack(">d", x)
            raise ValueError(k)
        if isinstance(v, bool):
            return self.header(14, 1 if v else 0)
        if isinstance(v, int):
            return self.encode(u32(v) if 0 <= v < 2**32 else (u64(v) if 0 <= v < 2**64 else (u128(v) if v >= 0 else i32(v))))
        if isinstance(v, float):
            return self.encode(dbl(v))
        if isinstance(v, str):
            if v in self.strings:
                return self.pointer(self.strings[v])
            b = v.encode("utf-8")
            return self.header(2, len(b)) + b
        if isinstance(v, (bytes, bytearray)):
            return self.header(4, len(v)) + bytes(v)
        if isinstance(v, list):
            return self.header(11, len(v)) + b"".join(self.encode(x) for x in v)
        if isinstance(v, dict):
            return self.header(7, len(v)) + b"".join(self.encode(k) + self.encode(x) for k, x in v.items())
        raise TypeError(type(v))

    def add(self, v):
        off = len(self.data)
        self.data += self.encode(v)
        return off

    def add_string(self, s):
        """Stores a string on its own so that later uses point to it."""
        off = self.add(s)
        self.strings[s] = off
        return off


def scenario(name):
    """(networks, shared strings, padding bytes before the records): each network is (cidr, record)."""
    big = "x" * 300  # a string long enough for the 2-byte extended size
    if name == "alltypes":
        nets = [
            ("1.0.0.0/8", {"country": {"iso_code": "AU", "names": {"en": "Australia"}}, "n": u16(65535)}),
            ("1.2.0.0/16", {"country": {"iso_code": "JP"}, "autonomous_system_number": u32(2497),
                            "autonomous_system_organization": "Internet Initiative Japan"}),
            ("1.2.3.0/24", {"u16": u16(7), "u32": u32(4294967295), "u64": u64(18446744073709551615),
                            "u128": u128(2**128 - 1), "i32": i32(-2147483648), "i32pos": i32(300),
                            "f32": f32(1.5), "dbl": dbl(-0.000123), "t": True, "f": False, "bytes": b"\x00\x01\xfe",
                            "empty": {}, "emptyarr": [], "emptystr": "", "zero": u64(0),
                            "nested": [[1, [2, [3, {"deep": "yes"}]]], {"a": [u16(1), u16(2)]}],
                            "long": big, "longer": "y" * 70000, "unicode": "Zürich 東京"}),
            ("10.0.0.0/8", {"country": {"iso_code": "US"}}),
            ("10.10.0.0/16", {"country": {"iso_code": "CA"}}),
            ("10.10.10.10/32", {"country": {"iso_code": "MX"}}),
            ("192.0.2.0/25", {"asn": "AS64500", "as_name": "Doc Net", "country_code": "NL"}),
            ("192.0.2.128/25", {"asn": u64(64501), "as_name": "Doc Net B", "country_code": "BE"}),
        ]
        v6 = [
            ("2001:db8::/32", {"country": {"iso_code": "DE"}, "autonomous_system_number": u32(64496)}),
            ("2001:db8:1::/48", {"country": {"iso_code": "FR"}}),
            ("2001:db8:1:2::/64", {"registered_country": {"iso_code": "IT"}}),
            ("2400:cb00::/32", {"autonomous_system_number": u32(13335), "autonomous_system_organization": "CLOUDFLARENET"}),
        ]
        return nets, v6, ["Australia", "Internet Initiative Japan", "iso_code", "country"], 0
    if name == "small":
        # alltypes without its long strings: a few hundred bytes, for fuzzing seeds.
        nets4, nets6, shared, padding = scenario("alltypes")
        for _, rec in nets4:
            rec.pop("long", None)
            rec.pop("longer", None)
        return nets4, nets6, shared, padding
    if name == "pointers":
        # Padding pushes the records past 2048 and 526336 bytes, so the strings they share are reached by
        # 1-, 2- and 3-byte pointers.
        nets = [(f"100.{i}.0.0/16", {"country": {"iso_code": ["SE", "NO", "FI", "DK"][i % 4]}, "idx": u32(i),
                                     "label": f"net{i % 7}"}) for i in range(64)]
        return nets, [], ["SE", "NO", "FI", "DK", "country", "iso_code"] + [f"net{i}" for i in range(7)], 600_000
    raise ValueError(name)


def cmd_raw(out, record_size, ip_version, name, ss3):
    nets4, nets6, shared, padding = scenario(name)
    enc = Encoder(ss3=ss3)
    if padding:
        enc.add(b"\x00" * 3000)           # a bytes field: the first shared strings land past 2048
    for s in shared[: len(shared) // 2]:
        enc.add_string(s)
    if padding:
        enc.add(b"\x00" * padding)        # the rest land past 526336
    for s in shared[len(shared) // 2:]:
        enc.add_string(s)
    bits = 128 if ip_version == 6 else 32
    entries = []
    for cidr, rec in nets4:
        n = ipaddress.ip_network(cidr)
        entries.append((int(n.network_address) if ip_version == 4 else int(n.network_address),
                        n.prefixlen + (96 if ip_version == 6 else 0), rec))
    if ip_version == 6:
        for cidr, rec in nets6:
            n = ipaddress.ip_network(cidr)
            entries.append((int(n.network_address), n.prefixlen, rec))
    # Trie: a node is [left, right]; a leaf is ("leaf", offset); None is empty.
    root = [None, None]
    for addr, plen, rec in sorted(entries, key=lambda e: e[1]):
        off = enc.add(rec)
        node = root
        for i in range(plen - 1):
            bit = (addr >> (bits - 1 - i)) & 1
            child = node[bit]
            if child is None:
                child = [None, None]
                node[bit] = child
            elif isinstance(child, tuple):
                child = [child, child]
                node[bit] = child
            node = child
        node[(addr >> (bits - plen)) & 1] = ("leaf", off)
    nodes = []
    index = {}

    def number(n):
        index[id(n)] = len(nodes)
        nodes.append(n)
        for c in n:
            if isinstance(c, list):
                number(c)
    number(root)
    count = len(nodes)

    def rec_value(c):
        if c is None:
            return count
        if isinstance(c, tuple):
            return count + 16 + c[1]
        return index[id(c)]
    tree = bytearray()
    for n in nodes:
        l, r = rec_value(n[0]), rec_value(n[1])
        assert max(l, r) < 2 ** record_size, "record too small for this tree"
        if record_size == 24:
            tree += l.to_bytes(3, "big") + r.to_bytes(3, "big")
        elif record_size == 28:
            tree += (l & 0xFFFFFF).to_bytes(3, "big") + bytes([((l >> 24) << 4) | (r >> 24)]) + (r & 0xFFFFFF).to_bytes(3, "big")
        else:
            tree += l.to_bytes(4, "big") + r.to_bytes(4, "big")
    meta = Encoder()
    metadata = meta.encode({"node_count": u32(count), "record_size": u16(record_size), "ip_version": u16(ip_version),
                            "database_type": f"dnsight-raw-{name}", "languages": ["en"],
                            "binary_format_major_version": u16(2), "binary_format_minor_version": u16(0),
                            "build_epoch": u64(int(time.time())), "description": {"en": "dnsight raw test database"}})
    with open(out, "wb") as f:
        f.write(bytes(tree) + b"\x00" * 16 + bytes(enc.data) + b"\xab\xcd\xefMaxMind.com" + metadata)


def cmd_benchdb(out):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet
    w = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="Bench-City", languages=["en"],
                   description="dnsight benchmark database")
    countries = ["US", "JP", "AU", "DE", "BR", "IN", "SG", "GB", "FR", "KR"]
    langs = ["en", "de", "es", "fr", "ja", "pt-BR", "ru", "zh-CN"]
    for i in range(32768):
        cc = countries[i % 10]
        record = {"city": {"geoname_id": 100000 + i % 5000, "names": {l: f"City {i % 5000} ({l})" for l in langs}},
                  "continent": {"code": "XX", "geoname_id": 6255148, "names": {l: f"Continent ({l})" for l in langs}},
                  "country": {"geoname_id": 2000 + i % 10, "iso_code": cc, "names": {l: f"Country {cc} ({l})" for l in langs}},
                  "location": {"accuracy_radius": 100, "latitude": 35.0 + (i % 100) / 10, "longitude": 139.0 - (i % 50) / 10,
                               "time_zone": "Asia/Tokyo"},
                  "registered_country": {"geoname_id": 2000 + i % 10, "iso_code": cc},
                  "autonomous_system_number": 64512 + i % 3000,
                  "autonomous_system_organization": f"AS Org {i % 3000}"}
        w.insert_network(IPSet([f"20.{i >> 8}.{i & 255}.0/24"]), record)
    w.to_db_file(out)


def main(argv):
    if len(argv) >= 2 and argv[0] == "benchdb":
        cmd_benchdb(argv[1])
    elif len(argv) >= 3 and argv[0] == "lookup":
        cmd_lookup(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "writer":
        cmd_writer(argv[1], argv[2])
    elif len(argv) >= 2 and argv[0] == "raw":
        args = dict(zip(argv[2::2], argv[3::2]))
        cmd_raw(argv[1], int(args.get("--record-size", "24")), int(args.get("--ip-version", "6")),
                args.get("--scenario", "alltypes"), "--ss3" in argv)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
