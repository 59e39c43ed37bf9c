#!/usr/bin/env python3
"""Differential corpus for the DNSWire codec (issue 2): DNS messages built and judged by dnspython.

    make_corpus.py --seed 1 --count 12000 --out DIR

Writes, in DIR:
  cases.jsonl   one JSON object per line: {"i", "kind", "relaxed", "notes", "wire"} (wire bytes as hex)
  expect.jsonl  line i is the canonical description of case i (compact JSON, sorted keys), or {"error":true}
                when dnspython rejects the bytes
  stats.json    how the corpus breaks down

The expected description always comes from parsing the *wire bytes* with dnspython (never from the objects the
messages were built from), so whatever dnspython's renderer did (compression against differently-cased names,
header bits) is part of what DNSWire must reproduce.

Canonical description (the same structure is built by DifferentialTests.swift from DNSWire's values; every value
is an int or a lower-case hex string, so comparison is exact):
  {"id", "flags" (raw 16 bits), "qr", "aa", "tc", "rd", "ra", "z", "ad", "cd" (0/1), "opcode", "rcode" (12 bits,
   with the EDNS extension),
   "qd": [{"name", "type", "class"}],
   "an"/"ns"/"ar": [{"name", "type", "class", "ttl", "rdata": {...}}]   (records in wire order, OPT excluded),
   "edns": {"payload", "ext_rcode", "version", "flags", "do", "options": [{"code", ...}]}   (only with an OPT)}
Names are the uncompressed wire form, case kept, in hex. RDATA objects per type are in `rdata_canon` below.

Record order: dnspython groups records into RRsets; the corpus parses with `one_rr_per_rrset=True` (UPDATE
messages always do), which makes one RRset per record in wire order and keeps duplicates, so every section is
compared as an ordered list. TTLs are read from the wire directly (`walk`), because dnspython turns TTLs with the
top bit set into 0 (RFC 2181 §8 says to *treat* them as 0; DNSWire, a codec, keeps the value it read).

How dnspython is configured to model DNSWire (`configure`), each a deliberate, documented choice:
  * Types DNSWire does not interpret are kept opaque (RFC 3597) on both sides: dnspython is told to use its
    generic RDATA for them (it would otherwise parse e.g. HINFO or LOC).
  * DNSWire reads A, AAAA, SRV, NAPTR, SVCB and HTTPS the same in every class (so mDNS records with the cache-flush
    bit, class 0x8001, decode typed); dnspython is told to do the same. Cases where it matters carry the note
    "class-agnostic-rdata". (RFC 1035 §3.4 makes A "Internet specific"; dnspython alone would read a CHAOS A record
    as a name and an address, and an mDNS A record as opaque bytes.)
  * EDNS options 18, 22-25 and SvcParamKey 10 (docpath), which dnspython parses and DNSWire keeps opaque, are
    made opaque in dnspython.
  * The compression-pointer hop limit is set to DNSWire's (64); RFC 1035 sets none, dnspython's default is 16.
  * Messages are rendered with want_shuffle=False (dnspython shuffles the records of an RRset by default, which
    would make the corpus differ from run to run).
  * An EDE option's text is described without one final NUL (RFC 8914 §2: the text MAY be null-terminated), as
    dnspython reads it; the Swift side drops it the same way.
TSIG records (type 250) are never generated: dnspython cannot judge them without the key. A damaged message that
turns some type into 250 is drawn again (counted in stats.json as rerolled_tsig).

Where dnspython rejects bytes that the RFCs allow a receiver to accept, the case is parsed again with named
relaxations; if that succeeds, the relaxed description is the expectation and the case lists the relaxation in
"relaxed" (the Swift test counts them). Each relaxation is explained at its definition (RELAXATIONS).
"""

import argparse
import io
import json
import os
import random
import struct

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.immutable
import dns.ipv4
import dns.ipv6
import dns.rdata
import dns.rdatatype
import dns.renderer
import dns.rrset
import dns.update
import dns.version
import dns.wire
import dns.rdtypes.svcbbase
import dns.rdtypes.util
from dns.rdtypes.ANY import CAA, CNAME, DNAME, DNSKEY, DS, MX, NS, NSEC, NSEC3, PTR, RRSIG, SOA, TLSA, TXT
from dns.rdtypes.IN import A, AAAA, HTTPS, NAPTR, SRV, SVCB

# RDATA types DNSWire decodes into typed values (RData.swift); every other type is kept as bytes.
DNSWIRE_TYPED = (1, 2, 5, 6, 12, 15, 16, 28, 33, 35, 39, 43, 46, 47, 48, 50, 52, 64, 65, 257)
# dnspython keeps these in the IN class only.
IN_ONLY = (1, 28, 33, 35, 64, 65)
# Types whose RDATA dnspython must still treat specially (OPT is lifted out, TSIG is verified).
SPECIAL = (41, 250)
# Opaque EDNS options in DNSWire that dnspython would parse.
OPAQUE_OPTIONS = (18, 22, 23, 24, 25)

IN = 1
CLASS_ANY = 255
CLASS_NONE = 254

# ---------------------------------------------------------------------------------------------------------------
# dnspython configuration and relaxations

RELAXATIONS = {
    # RFC 3597 §4 and RFC 6672 §2.1 / RFC 4034 §3.1.7, §4.1.1 / RFC 9460 §2.2: *senders* must not compress the names
    # in DNAME, RRSIG (signer), NSEC (next) and SVCB/HTTPS (target). No RFC tells a receiver to reject them, and
    # DNSWire decompresses them (NameRecord.swift says so); dnspython refuses.
    "rdata-name-compression",
    # DS digest length vs. digest type, DS digest type 0, TLSA data length vs. matching type: dnspython checks them
    # against registries; RFC 4034 §5.1 and RFC 6698 §2.1 define the fields as opaque octets and give the receiver
    # no rule to reject the record, so DNSWire keeps them as read.
    "digest-length",
    # RFC 9460 §2.4.2: in AliasMode, "recipients MUST ignore any SvcParams that are present"; dnspython rejects
    # them, DNSWire keeps them (ignoring them is the caller's business).
    "svcb-alias-params",
    # RFC 9460 §7.1.1 / §8: "no-default-alpn without alpn" and "mandatory lists a key that is absent" make the RR
    # not self-consistent (§2.4.3): a rule between parameters for the client using the RR, not the wire format of
    # any value (§2.2 lists what makes an RR malformed, and DNSWire rejects those). dnspython rejects the message;
    # DNSWire keeps the RR.
    "svcb-self-consistency",
    # RFC 8914 §2: EXTRA-TEXT is UTF-8 text for humans; dnspython rejects invalid UTF-8, DNSWire keeps the bytes.
    "ede-text-utf8",
    # RFC 2136 §3: zone-section counts, prerequisite/update class rules are processing rules (the server answers
    # FORMERR), not wire format. dnspython enforces them while parsing an UPDATE; DNSWire decodes any UPDATE whose
    # records are well formed, and keeps class ANY/NONE records with empty RDATA (RFC 2136 §2.4, §2.5).
    "update-semantics",
}

RELAX = set()  # the relaxations in force during the current parse


def _patch():
    # Types DNSWire keeps opaque: generic in dnspython too. A, AAAA, SRV, NAPTR, SVCB, HTTPS: the IN reading in
    # every class.
    orig_get_rdata_class = dns.rdata.get_rdata_class

    def get_rdata_class(rdclass, rdtype, use_generic=True):
        rdtype = int(rdtype)
        if rdtype not in DNSWIRE_TYPED and rdtype not in SPECIAL:
            return dns.rdata.GenericRdata
        if "digest-length" in RELAX and rdtype in (43, 52):
            return dns.rdata.GenericRdata  # decoded field by field in rdata_canon, without the length rules
        if rdtype in IN_ONLY:
            rdclass = IN
        return orig_get_rdata_class(rdclass, rdtype, use_generic)

    dns.rdata.get_rdata_class = get_rdata_class

    for code in OPAQUE_OPTIONS:
        dns.edns.register_type(dns.edns.GenericOption, code)

    dns.name.MAX_COMPRESSION_POINTER_CHAIN = 64  # WireReader.maxPointerHops

    # SvcParamKey 10 (docpath, a CoAP draft) is opaque in DNSWire, which checks only the keys of RFC 9460 and ohttp.
    P = dns.rdtypes.svcbbase
    P._class_for_key[P.ParamKey.DOCPATH] = P.GenericParam

    orig_get_name = dns.wire.Parser.get_name

    def get_name(self, origin=None, decompress=False):
        if "no-pointers" in RELAX:  # has_pointer: every name must be written in full
            return orig_get_name(self, origin, False)
        return orig_get_name(self, origin, decompress or "rdata-name-compression" in RELAX)

    dns.wire.Parser.get_name = get_name

    orig_svcb = dns.rdtypes.svcbbase.SVCBBase.from_wire_parser.__func__

    class FirstUInt16(object):
        """A parser proxy whose first get_uint16 answers `value` (to get past the AliasMode check)."""

        def __init__(self, parser, value):
            self._parser, self._value, self._done = parser, value, False

        def get_uint16(self):
            v = self._parser.get_uint16()
            if not self._done:
                self._done = True
                return self._value
            return v

        def __getattr__(self, name):
            return getattr(self._parser, name)

    def svcb_from_wire_parser(cls, rdclass, rdtype, parser, origin=None):
        if "svcb-alias-params" in RELAX and parser.remaining() >= 2:
            if parser.wire[parser.current] == 0 and parser.wire[parser.current + 1] == 0:
                rd = orig_svcb(cls, rdclass, rdtype, FirstUInt16(parser, 1), origin)
                return rd.replace(priority=0)
        return orig_svcb(cls, rdclass, rdtype, parser, origin)

    dns.rdtypes.svcbbase.SVCBBase.from_wire_parser = classmethod(svcb_from_wire_parser)

    def consistent_init(orig_init):
        def init(self, rdclass, rdtype, priority, target, params):
            if "svcb-self-consistency" not in RELAX:
                return orig_init(self, rdclass, rdtype, priority, target, params)
            try:
                return orig_init(self, rdclass, rdtype, priority, target, params)
            except ValueError as e:
                if "declared mandatory but not present" not in str(e) and "alpn missing" not in str(e):
                    raise
            # Construct with the cross-parameter rules satisfied, then put the parameters as read back.
            P = dns.rdtypes.svcbbase
            fixed = dict(params)
            mandatory = fixed.get(P.ParamKey.MANDATORY)
            if mandatory is not None:
                for key in mandatory.keys:
                    fixed.setdefault(P.ParamKey.make(key), P.GenericParam(b"x"))
            if P.ParamKey.NO_DEFAULT_ALPN in fixed:
                fixed.setdefault(P.ParamKey.ALPN, P.ALPNParam([b"x"]))
            orig_init(self, rdclass, rdtype, priority, target, fixed)
            object.__setattr__(self, "params", dns.immutable.Dict(params))
            return None

        return init

    # SVCB and HTTPS captured SVCBBase.__init__ when they were made immutable, so each is wrapped.
    for klass in (SVCB.SVCB, HTTPS.HTTPS):
        klass.__init__ = consistent_init(klass.__init__)

    orig_ede = dns.edns.EDEOption.from_wire_parser.__func__

    class RawTextEDE(dns.edns.EDEOption):
        """An EDE option whose text may hold bytes that are not UTF-8 (kept as surrogate escapes)."""

        def to_wire(self, file=None):
            value = struct.pack("!H", self.code)
            if self.text is not None:
                value += self.text.encode("utf8", "surrogateescape")
            if file:
                file.write(value)
                return None
            return value

    def ede_from_wire_parser(cls, otype, parser):
        if "ede-text-utf8" not in RELAX:
            return orig_ede(cls, otype, parser)
        code = parser.get_uint16()
        text = parser.get_remaining()
        if text:
            if text[-1] == 0:
                text = text[:-1]
            return RawTextEDE(code, text.decode("utf8", "surrogateescape"))
        return RawTextEDE(code, None)

    dns.edns.EDEOption.from_wire_parser = classmethod(ede_from_wire_parser)

    orig_update_header = dns.update.UpdateMessage._parse_rr_header

    def update_header(self, section, name, rdclass, rdtype):
        if "update-semantics" in RELAX:
            return (rdclass, rdtype, None, False)
        return orig_update_header(self, section, name, rdclass, rdtype)

    dns.update.UpdateMessage._parse_rr_header = update_header

    orig_from_wire_parser = dns.rdata.from_wire_parser

    def from_wire_parser(rdclass, rdtype, parser, origin=None):
        if "update-semantics" in RELAX and parser.remaining() == 0 and int(rdclass) in (CLASS_ANY, CLASS_NONE):
            return dns.rdata.GenericRdata(rdclass, rdtype, b"")
        return orig_from_wire_parser(rdclass, rdtype, parser, origin)

    dns.rdata.from_wire_parser = from_wire_parser


_configured = False


def configure():
    global _configured
    if not _configured:
        _patch()
        _configured = True


# ---------------------------------------------------------------------------------------------------------------
# Reading the wire directly (for TTLs and classes as sent)


def skip_name(w, p):
    """Offset just after the (possibly compressed) name at p. Only used on bytes dnspython has accepted, or
    best-effort (exceptions are the caller's problem)."""
    while True:
        n = w[p]
        if n == 0:
            return p + 1
        if n >= 0xC0:
            return p + 2
        p += 1 + n


def walk(w):
    """Header counts, questions and records of a message as (section, offset, type, class, ttl, rdata_start,
    rdlen) tuples, in wire order. Raises on malformed input."""
    qd, an, ns, ar = struct.unpack("!HHHH", w[4:12])
    p = 12
    questions = []
    for _ in range(qd):
        start = p
        p = skip_name(w, p)
        t, c = struct.unpack("!HH", w[p:p + 4])
        questions.append((start, t, c))
        p += 4
    records = []
    for section, count in ((1, an), (2, ns), (3, ar)):
        for _ in range(count):
            start = p
            p = skip_name(w, p)
            if p + 10 > len(w):
                raise IndexError("record header")
            t, c, ttl, rdlen = struct.unpack("!HHIH", w[p:p + 10])
            p += 10
            records.append((section, start, t, c, ttl, p, rdlen))
            p += rdlen
    return questions, records, p


def types_in(w):
    """Best-effort list of the record types a (possibly malformed) message announces."""
    try:
        qd, an, ns, ar = struct.unpack("!HHHH", w[4:12])
        p = 12
        out = []
        for _ in range(qd):
            p = skip_name(w, p) + 4
        for _ in range(an + ns + ar):
            p = skip_name(w, p)
            t, _c, _ttl, rdlen = struct.unpack("!HHIH", w[p:p + 10])
            out.append(t)
            p += 10 + rdlen
        return out
    except Exception:
        return out if "out" in locals() else []


# ---------------------------------------------------------------------------------------------------------------
# Canonical description


def hx(b):
    return bytes(b).hex()


def name_hex(n):
    return n.to_wire().hex()


def bitmap_types(windows):
    out = []
    for window, bitmap in windows:
        for i, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    out.append(window * 256 + i * 8 + bit)
    return out


def rdata_canon(rtype, rd):
    if rd is None:  # an UPDATE record of class ANY/NONE without RDATA
        return {"data": ""}
    if isinstance(rd, dns.rdata.GenericRdata):
        d = rd.data
        if rtype == 43:  # relaxed DS: the fields without the digest-length rule
            if len(d) < 4:
                raise ValueError("short DS")
            return {"key_tag": struct.unpack("!H", d[:2])[0], "algorithm": d[2], "digest_type": d[3],
                    "digest": hx(d[4:])}
        if rtype == 52:
            if len(d) < 3:
                raise ValueError("short TLSA")
            return {"usage": d[0], "selector": d[1], "matching_type": d[2], "data": hx(d[3:])}
        return {"data": hx(d)}
    if rtype == 1:
        return {"addr": hx(dns.ipv4.inet_aton(rd.address))}
    if rtype == 28:
        return {"addr": hx(dns.ipv6.inet_aton(rd.address))}
    if rtype in (2, 5, 12, 39):
        return {"target": name_hex(rd.target)}
    if rtype == 15:
        return {"preference": rd.preference, "exchange": name_hex(rd.exchange)}
    if rtype == 16:
        return {"strings": [hx(s) for s in rd.strings]}
    if rtype == 6:
        return {"mname": name_hex(rd.mname), "rname": name_hex(rd.rname), "serial": rd.serial,
                "refresh": rd.refresh, "retry": rd.retry, "expire": rd.expire, "minimum": rd.minimum}
    if rtype == 33:
        return {"priority": rd.priority, "weight": rd.weight, "port": rd.port, "target": name_hex(rd.target)}
    if rtype == 35:
        return {"order": rd.order, "preference": rd.preference, "flags": hx(rd.flags), "services": hx(rd.service),
                "regexp": hx(rd.regexp), "replacement": name_hex(rd.replacement)}
    if rtype == 257:
        return {"flags": rd.flags, "tag": hx(rd.tag), "value": hx(rd.value)}
    if rtype in (64, 65):
        params = []
        for key in sorted(int(k) for k in rd.params):
            value = rd.params[dns.rdtypes.svcbbase.ParamKey.make(key)]
            buf = io.BytesIO()
            if value is not None:
                value.to_wire(buf)
            params.append([key, hx(buf.getvalue())])
        return {"priority": rd.priority, "target": name_hex(rd.target), "params": params}
    if rtype == 43:
        return {"key_tag": rd.key_tag, "algorithm": int(rd.algorithm), "digest_type": int(rd.digest_type),
                "digest": hx(rd.digest)}
    if rtype == 48:
        return {"flags": int(rd.flags), "protocol": rd.protocol, "algorithm": int(rd.algorithm), "key": hx(rd.key)}
    if rtype == 46:
        return {"type_covered": int(rd.type_covered), "algorithm": int(rd.algorithm), "labels": rd.labels,
                "original_ttl": rd.original_ttl, "expiration": rd.expiration, "inception": rd.inception,
                "key_tag": rd.key_tag, "signer": name_hex(rd.signer), "signature": hx(rd.signature)}
    if rtype == 47:
        return {"next": name_hex(rd.next), "types": bitmap_types(rd.windows)}
    if rtype == 50:
        return {"hash_algorithm": rd.algorithm, "flags": rd.flags, "iterations": rd.iterations, "salt": hx(rd.salt),
                "next_hashed": hx(rd.next), "types": bitmap_types(rd.windows)}
    if rtype == 52:
        return {"usage": rd.usage, "selector": rd.selector, "matching_type": rd.mtype, "data": hx(rd.cert)}
    raise AssertionError(f"no canonical form for type {rtype} ({type(rd).__name__})")


def option_canon(opt):
    code = int(opt.otype)
    if code == 8:
        return {"code": 8, "family": opt.family, "source": opt.srclen, "scope": opt.scopelen, "addr": hx(opt.addrdata)}
    if code == 10:
        return {"code": 10, "client": hx(opt.client), "server": hx(opt.server)}
    if code == 15:
        # RFC 8914 §2: the text "MAY be null-terminated"; dnspython drops one final NUL, and so does the Swift side.
        out = {"code": 15, "info": int(opt.code)}
        if opt.text is not None:
            out["text"] = hx(opt.text.encode("utf8", "surrogateescape"))
        return out
    if isinstance(opt, dns.edns.NSIDOption):
        return {"code": code, "data": hx(opt.nsid)}
    return {"code": code, "data": hx(opt.data)}


def canon(msg, w):
    """The canonical description of a parsed message `msg` whose wire bytes are `w`."""
    questions, records, _end = walk(w)
    flags = int(msg.flags)
    out = {"id": msg.id, "flags": flags, "opcode": (flags >> 11) & 0xF, "rcode": int(msg.rcode())}
    for key, bit in (("qr", 15), ("aa", 10), ("tc", 9), ("rd", 8), ("ra", 7), ("z", 6), ("ad", 5), ("cd", 4)):
        out[key] = (flags >> bit) & 1
    sections = msg.sections
    if len(sections[0]) != len(questions):
        raise AssertionError("question count")
    out["qd"] = [{"name": name_hex(rrset.name), "type": t, "class": c}
                 for rrset, (_start, t, c) in zip(sections[0], questions)]
    if [int(r.rdtype) for r in sections[0]] != [t for _s, t, _c in questions]:
        raise AssertionError("question types")
    for index, key in ((1, "an"), (2, "ns"), (3, "ar")):
        wire_records = [r for r in records if r[0] == index and r[2] != 41]
        rrsets = sections[index]
        if len(rrsets) != len(wire_records):
            raise AssertionError(f"section {key}: {len(rrsets)} RRsets for {len(wire_records)} records")
        items = []
        for rrset, (_sec, _start, t, c, ttl, _rs, _rl) in zip(rrsets, wire_records):
            if int(rrset.rdtype) != t or int(rrset.deleting or rrset.rdclass) != c or len(rrset) > 1:
                raise AssertionError(f"section {key}: record does not line up with the wire")
            rd = rrset[0] if len(rrset) else None
            items.append({"name": name_hex(rrset.name), "type": t, "class": c, "ttl": ttl, "rdata": rdata_canon(t, rd)})
        out[key] = items
    if msg.opt is not None:
        ttl = msg.opt.ttl
        out["edns"] = {"payload": int(msg.opt.rdclass), "ext_rcode": (ttl >> 24) & 0xFF, "version": (ttl >> 16) & 0xFF,
                       "flags": ttl & 0xFFFF, "do": (ttl >> 15) & 1,
                       "options": [option_canon(o) for o in msg.opt[0].options]}
    return out


def notes_for(desc):
    notes = []
    recs = desc["an"] + desc["ns"] + desc["ar"]
    if any(r["class"] != IN and r["type"] in IN_ONLY for r in recs):
        notes.append("class-agnostic-rdata")
    if any(r["ttl"] > 0x7FFFFFFF for r in recs):
        notes.append("ttl-top-bit")
    return notes


def parse(w, relax):
    RELAX.clear()
    RELAX.update(relax)
    try:
        msg = dns.message.from_wire(w, one_rr_per_rrset=True)
        return canon(msg, w)
    except AssertionError:
        raise
    except Exception:
        return None
    finally:
        RELAX.clear()


def describe(w):
    """(description or None when rejected, relaxations needed, notes)."""
    configure()
    w = bytes(w)
    d = parse(w, ())
    relaxed = []
    if d is None:
        candidates = sorted(RELAXATIONS)
        if len(w) < 4 or (w[2] >> 3) & 0xF != 5:
            candidates.remove("update-semantics")  # only UPDATE messages have RFC 2136 rules
        if parse(w, candidates) is not None:
            for r in candidates:
                d = parse(w, (r,))
                if d is not None:
                    relaxed = [r]
                    break
            else:
                d = parse(w, candidates)
                relaxed = candidates
    if d is None:
        return None, [], []
    return d, relaxed, notes_for(d)


def has_pointer(w):
    """Whether any name in the (valid) message `w` uses a compression pointer."""
    RELAX.clear()
    RELAX.update(RELAXATIONS)
    RELAX.add("no-pointers")
    try:
        dns.message.from_wire(bytes(w), one_rr_per_rrset=True)
        return False
    except dns.name.DecompressionForbidden:
        return True
    except Exception:
        return False
    finally:
        RELAX.clear()


def canon_json(d):
    return json.dumps(d, sort_keys=True, separators=(",", ":"))


ERROR_JSON = '{"error":true}'

# ---------------------------------------------------------------------------------------------------------------
# Random values

IDN_WORDS = ["münchen", "bücher", "españa", "日本語", "пример", "δοκιμή", "中国", "한국", "παράδειγμα", "ü", "faß",
             "ドメイン", "مثال", "उदाहरण", "tạp-chí"]
LDH = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
SPECIAL_BYTES = b".\\\x00\xff \"();@$\t\x7f\x80"


class Gen(object):
    def __init__(self, rng):
        self.r = rng

    def chance(self, p):
        return self.r.random() < p

    def bytes(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def label(self):
        r = self.r
        k = r.random()
        if k < 0.70:
            n = r.choice([1, 2, 3, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20]) if r.random() < 0.9 else r.randint(1, 63)
            lab = bytes(r.choice(LDH) for _ in range(n))
        elif k < 0.80:
            lab = r.choice(IDN_WORDS).encode("idna")
        elif k < 0.84:
            lab = b"xn--" + bytes(r.choice(LDH[:36]) for _ in range(r.randint(1, 20)))
        elif k < 0.94:
            n = r.randint(1, 12)
            lab = bytes(r.choice(SPECIAL_BYTES + LDH) for _ in range(n))
        elif k < 0.97:
            lab = self.bytes(r.randint(1, 63))
        else:
            lab = bytes(r.choice(LDH) for _ in range(63))
        return lab

    def name(self, max_wire=255):
        r = self.r
        if r.random() < 0.03:
            return dns.name.root
        if r.random() < 0.04:
            return self.long_name(max_wire)
        labels = []
        size = 1
        for _ in range(r.choice([1, 2, 2, 3, 3, 3, 4, 5, 7])):
            lab = self.label()
            if size + len(lab) + 1 > max_wire:
                break
            labels.append(lab)
            size += len(lab) + 1
        return dns.name.Name(labels + [b""])

    def long_name(self, max_wire=255):
        """A name of 240-255 wire bytes."""
        r = self.r
        target = min(max_wire, r.randint(240, 255))
        labels = []
        size = 1
        while size < target:
            room = target - size - 1
            if room < 1:
                break
            n = min(room, r.randint(1, 63))
            labels.append(bytes(r.choice(LDH) for _ in range(n)))
            size += n + 1
        return dns.name.Name(labels + [b""])

    def recase(self, name):
        """The same name with the case of some letters flipped."""
        r = self.r
        labels = []
        for lab in name.labels:
            labels.append(bytes((c ^ 0x20) if (65 <= (c | 0x20) - 32 <= 90 or 97 <= c <= 122) and r.random() < 0.3
                                else c for c in lab))
        return dns.name.Name(labels)

    def child(self, name):
        try:
            return dns.name.Name([self.label()] + list(name.labels))
        except dns.name.NameTooLong:
            return name

    def u16(self):
        return self.r.choice([0, 1, 0xFFFF, self.r.getrandbits(16), self.r.getrandbits(16)])

    def u32(self):
        return self.r.choice([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, self.r.getrandbits(32), self.r.getrandbits(16)])

    def u8(self):
        return self.r.choice([0, 1, 255, self.r.getrandbits(8)])

    def ttl(self):
        return self.r.choice([0, 30, 300, 3600, 86400, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, self.r.getrandbits(32),
                              self.r.getrandbits(20)])

    def types(self):
        r = self.r
        ts = set()
        for _ in range(r.choice([0, 1, 2, 3, 5, 8, 15])):
            ts.add(r.choice([1, 2, 5, 6, 15, 16, 28, 33, 43, 46, 47, 48, 50, 52, 64, 65, 99, 255, 256, 257,
                             r.randint(1, 300), r.randint(1, 65535), r.randint(256, 1100), 32768, 65535]))
        return sorted(ts)


# ---------------------------------------------------------------------------------------------------------------
# RDATA builders (dnspython objects)


def ipv4(g):
    return dns.ipv4.inet_ntoa(g.bytes(4))


def ipv6(g):
    r = g.r
    k = r.random()
    if k < 0.2:
        b = b"\x00" * 10 + b"\xff\xff" + g.bytes(4)
    elif k < 0.4:
        b = b"\x20\x01\x0d\xb8" + b"\x00" * 10 + g.bytes(2)
    elif k < 0.45:
        b = b"\x00" * 16
    else:
        b = g.bytes(16)
    return dns.ipv6.inet_ntoa(b)


def charstr(g, maxlen=255):
    r = g.r
    n = r.choice([0, 1, 5, 10, 30, r.randint(0, maxlen), maxlen])
    if r.random() < 0.5:
        return bytes(r.choice(LDH + b" =:;\"\\.") for _ in range(n))
    return g.bytes(n)


def svcb_params(g, alias):
    """Wire-valid SvcParams (per dnspython's rules) as a dict for dnspython's constructor."""
    r = g.r
    if alias:
        return {}
    P = dns.rdtypes.svcbbase
    params = {}
    if r.random() < 0.6:
        ids = [bytes(r.choice(LDH) for _ in range(r.randint(1, 10))) for _ in range(r.randint(1, 4))]
        if r.random() < 0.2:
            ids.append(g.bytes(r.randint(1, 8)))
        params[P.ParamKey.ALPN] = P.ALPNParam(ids)
        if r.random() < 0.3:
            params[P.ParamKey.NO_DEFAULT_ALPN] = None
    if r.random() < 0.4:
        params[P.ParamKey.PORT] = P.PortParam(g.u16())
    if r.random() < 0.4:
        params[P.ParamKey.IPV4HINT] = P.IPv4HintParam([ipv4(g) for _ in range(r.randint(1, 4))])
    if r.random() < 0.3:
        body = g.bytes(r.randint(4, 40))
        params[P.ParamKey.ECH] = P.ECHParam(struct.pack("!H", len(body)) + body)
    if r.random() < 0.4:
        params[P.ParamKey.IPV6HINT] = P.IPv6HintParam([ipv6(g) for _ in range(r.randint(1, 3))])
    if r.random() < 0.2:
        params[P.ParamKey.make(7)] = P.GenericParam(b"/dns-query{?dns}")
    if r.random() < 0.1:
        params[P.ParamKey.OHTTP] = None
    if r.random() < 0.2:
        for _ in range(r.randint(1, 3)):
            key = r.choice([9, 11, 12, r.randint(13, 65534)])
            v = g.bytes(r.choice([0, 1, 4, 20]))
            params[P.ParamKey.make(key)] = P.GenericParam(v) if v else None
    if params and r.random() < 0.3:
        keys = [k for k in params if int(k) != 0]
        chosen = r.sample(keys, r.randint(1, len(keys)))
        params[P.ParamKey.MANDATORY] = P.MandatoryParam([int(k) for k in chosen])
    return params


def make_rdata(g, rtype, rdclass, names):
    """A dnspython rdata of `rtype` with random fields; names come from `names()` (so some repeat)."""
    r = g.r
    if rtype == 1:
        return A.A(rdclass, 1, ipv4(g))
    if rtype == 28:
        return AAAA.AAAA(rdclass, 28, ipv6(g))
    if rtype == 2:
        return NS.NS(rdclass, 2, names())
    if rtype == 5:
        return CNAME.CNAME(rdclass, 5, names())
    if rtype == 12:
        return PTR.PTR(rdclass, 12, names())
    if rtype == 39:
        return DNAME.DNAME(rdclass, 39, names())
    if rtype == 15:
        return MX.MX(rdclass, 15, g.u16(), names())
    if rtype == 16:
        n = r.choice([1, 1, 1, 2, 3, 5, r.randint(1, 12)])
        return TXT.TXT(rdclass, 16, [charstr(g) for _ in range(n)])
    if rtype == 6:
        return SOA.SOA(rdclass, 6, names(), names(), g.u32(), g.u32(), g.u32(), g.u32(), g.u32())
    if rtype == 33:
        return SRV.SRV(rdclass, 33, g.u16(), g.u16(), g.u16(), names())
    if rtype == 35:
        return NAPTR.NAPTR(rdclass, 35, g.u16(), g.u16(), charstr(g, 20), charstr(g, 40), charstr(g), names())
    if rtype == 257:
        tag = r.choice([b"issue", b"issuewild", b"iodef", b"contactemail", b"ISSUE",
                        bytes(r.choice(LDH[:62]) for _ in range(r.randint(1, 15)))])
        return CAA.CAA(rdclass, 257, g.u8(), tag, charstr(g, 300) if r.random() < 0.9 else g.bytes(r.randint(0, 600)))
    if rtype in (64, 65):
        alias = r.random() < 0.2
        cls = SVCB.SVCB if rtype == 64 else HTTPS.HTTPS
        prio = 0 if alias else r.choice([1, 1, 2, 10, g.u16() or 1])
        return cls(rdclass, rtype, prio, dns.name.root if r.random() < 0.3 else names(), svcb_params(g, alias))
    if rtype == 43:
        dt = r.choice([1, 2, 2, 4, 3, r.randint(5, 255)])
        length = {1: 20, 2: 32, 3: 32, 4: 48}.get(dt, r.randint(0, 64))
        return DS.DS(rdclass, 43, g.u16(), r.choice([8, 13, 14, 15, 16, g.u8()]), dt, g.bytes(length))
    if rtype == 48:
        return DNSKEY.DNSKEY(rdclass, 48, r.choice([256, 257, 0, g.u16()]), r.choice([3, 3, 3, g.u8()]),
                             r.choice([8, 13, 15, g.u8()]), g.bytes(r.choice([0, 32, 64, 132, 260, r.randint(0, 600)])))
    if rtype == 46:
        return RRSIG.RRSIG(rdclass, 46, r.choice([1, 28, 6, 48, g.u16()]), r.choice([8, 13, g.u8()]), g.u8(), g.u32(),
                           g.u32(), g.u32(), g.u16(), names(), g.bytes(r.choice([0, 64, 256, r.randint(0, 300)])))
    if rtype == 47:
        return NSEC.NSEC(rdclass, 47, names(), dns.rdtypes.util.Bitmap.from_rdtypes(g.types()).windows)
    if rtype == 50:
        return NSEC3.NSEC3(rdclass, 50, r.choice([1, g.u8()]), r.choice([0, 1, g.u8()]), g.u16(),
                           g.bytes(r.choice([0, 0, 4, 8, r.randint(0, 255)])), g.bytes(r.choice([20, 20, r.randint(1, 255)])),
                           dns.rdtypes.util.Bitmap.from_rdtypes(g.types()).windows)
    if rtype == 52:
        mt = r.choice([0, 1, 1, 2, r.randint(3, 255)])
        length = {1: 32, 2: 64}.get(mt, r.randint(0, 300))
        return TLSA.TLSA(rdclass, 52, r.choice([0, 1, 2, 3, g.u8()]), r.choice([0, 1, g.u8()]), mt, g.bytes(length))
    # NULL and types DNSWire keeps opaque
    k = r.random()
    data = g.bytes(r.choice([0, 1, 4, 16, r.randint(0, 200)])) if k < 0.9 else g.bytes(r.randint(200, 2000))
    return dns.rdata.GenericRdata(rdclass, rtype, data)


TYPED_CHOICES = [1, 28, 2, 5, 39, 12, 15, 16, 6, 33, 35, 257, 64, 65, 43, 48, 46, 47, 50, 52, 10]
# Types that DNSWire keeps opaque: ones dnspython knows (HINFO, RP, LOC, SSHFP, URI, ...), meta types, and unassigned.
OPAQUE_CHOICES = [3, 4, 7, 8, 9, 11, 13, 14, 17, 18, 29, 44, 51, 59, 60, 61, 62, 63, 99, 108, 109, 249, 251, 252, 253,
                  255, 256, 32768, 32769, 65280, 65534, 65535]


def random_type(g):
    r = g.r
    k = r.random()
    if k < 0.85:
        return r.choice(TYPED_CHOICES)
    if k < 0.95:
        return r.choice(OPAQUE_CHOICES)
    t = r.randint(1, 65535)
    while t in (41, 250):
        t = r.randint(1, 65535)
    return t


def random_class(g, rtype):
    r = g.r
    k = r.random()
    if k < 0.85:
        return IN
    if k < 0.90:
        return 0x8001  # mDNS cache-flush bit
    if rtype in IN_ONLY:
        return IN
    return r.choice([3, 4, CLASS_NONE, CLASS_ANY, 0, r.randint(0, 65535)])


# ---------------------------------------------------------------------------------------------------------------
# Whole messages


def random_options(g):
    r = g.r
    opts = []
    for _ in range(r.choice([0, 0, 1, 1, 2, 3, 5])):
        k = r.random()
        if k < 0.25:
            fam = r.choice([1, 2])
            bits = 32 if fam == 1 else 128
            src = r.choice([0, bits, r.randint(0, bits), 24 if fam == 1 else 56])
            scope = r.choice([0, 0, r.randint(0, bits)])
            addr = ipv4(g) if fam == 1 else ipv6(g)
            opts.append(dns.edns.ECSOption(addr, src, scope))
        elif k < 0.45:
            opts.append(dns.edns.CookieOption(g.bytes(8), g.bytes(r.choice([0, 8, 16, r.randint(8, 32)]))))
        elif k < 0.65:
            text = None
            if r.random() < 0.6:
                text = r.choice(["", "stale", "blocked by policy", "ünïcødé", "日本", "x" * r.randint(1, 100)])
            if r.random() < 0.15:  # raw, null-terminated text (RFC 8914 §2 allows it)
                opts.append(dns.edns.GenericOption(15, struct.pack("!H", r.randint(0, 30)) + (text or "").encode() + b"\x00"))
            else:
                opts.append(dns.edns.EDEOption(r.choice([r.randint(0, 30), g.u16()]), text))
        elif k < 0.80:
            n = r.choice([0, 1, 16, 100, r.randint(0, 468)])
            opts.append(dns.edns.GenericOption(12, b"\x00" * n if r.random() < 0.8 else g.bytes(n)))
        else:
            code = r.choice([3, 5, 6, 7, 9, 11, 13, 14, 16, 17, 18, 19, 20, 26, 65001, r.randint(0, 65535)])
            while code in (8, 10, 12, 15, 22, 23, 24, 25, 18):
                code = r.randint(0, 65535)
            opts.append(dns.edns.GenericOption(code, g.bytes(r.choice([0, 1, 4, 20, r.randint(0, 100)]))))
    return opts


def random_message(g, big=False):
    r = g.r
    msg = dns.message.Message(id=r.getrandbits(16))
    opcode = r.choice([0] * 12 + [1, 2, 4, 3, 6, 7, 8, 15])
    flags = r.getrandbits(16) if r.random() < 0.15 else (r.choice([0, 0x8000]) | r.choice([0, 0x0100]) |
                                                       r.choice([0, 0, 0x0080]) | r.choice([0, 0, 0x0400]) |
                                                       r.choice([0, 0, 0, 0x0020]) | r.choice([0, 0, 0, 0x0010]) |
                                                       r.choice([0] * 6 + [0x0200, 0x0040]))
    flags = (flags & ~0x780F) | (opcode << 11) | (r.choice([0] * 6 + [1, 2, 3, 5, r.randint(0, 15)]))
    msg.flags = dns.flags.Flag(flags)

    pool = [g.name() for _ in range(r.randint(1, 4))]

    def names():
        k = r.random()
        if k < 0.5:
            return r.choice(pool)
        if k < 0.65:
            return g.recase(r.choice(pool))
        if k < 0.8:
            return g.child(r.choice(pool))
        n = g.name()
        pool.append(n)
        return n

    for _ in range(r.choice([0, 1, 1, 1, 1, 1, 1, 2, 3])):
        qt = r.choice([1, 28, 15, 16, 255, 65, 64, 6, 2, 12, 33, 43, 48, 252, 251, r.randint(0, 65535)])
        qc = r.choice([IN] * 8 + [3, 255, 254, 0x8001, r.randint(0, 65535)])
        msg.question.append(dns.rrset.RRset(names(), qc, qt))

    def records(count):
        out = []
        while len(out) < count:
            t = random_type(g)
            c = random_class(g, t)
            owner = names()
            n = 1 if r.random() < 0.8 or t == 46 else r.randint(2, 3)
            ttl = g.ttl()
            rds = [make_rdata(g, t, c, names) for _ in range(n)]
            rrset = dns.rrset.RRset(owner, c, t, rds[0].covers())
            for rd in rds:
                rrset.add(rd, ttl)
            out.append(rrset)
            if r.random() < 0.05:  # the same RRset again (dnspython would merge it; the wire keeps both)
                out.append(rrset)
        return out

    if big:
        # Multi-KB to ~60 KB: lots of TXT (and some other) records.
        target = r.choice([1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000]) if r.random() < 0.85 else r.randint(16000, 60000)
        size = 12
        while size < target:
            owner = names()
            if r.random() < 0.8:
                rd = TXT.TXT(IN, 16, [g.bytes(255) if r.random() < 0.5 else bytes(r.choice(LDH) for _ in range(255))
                                      for _ in range(r.randint(1, 12))])
            else:
                t = r.choice(TYPED_CHOICES)
                rd = make_rdata(g, t, IN, names)
            rrset = dns.rrset.RRset(owner, IN, rd.rdtype, rd.covers())
            rrset.add(rd, g.ttl())
            r.choice([msg.answer, msg.answer, msg.authority, msg.additional]).append(rrset)
            size += len(rd.to_wire()) + 12 + len(owner.to_wire())
    else:
        for section in (msg.answer, msg.authority, msg.additional):
            section.extend(records(r.choice([0, 0, 0, 1, 1, 1, 2, 3, 5, r.randint(0, 10)])))

    if r.random() < 0.6:
        version = 0 if r.random() < 0.9 else r.randint(0, 255)
        eflags = r.choice([0, 0x8000, 0x8000, r.getrandbits(16)])
        ext = r.choice([0] * 8 + [1, r.randint(0, 255)])
        payload = r.choice([512, 1232, 1232, 4096, 65535, 0, r.randint(0, 65535)])
        msg.use_edns(edns=version, ednsflags=eflags | (ext << 24), payload=payload, options=random_options(g))
    return msg


def render(msg, compress):
    if compress:
        return msg.to_wire(max_size=65535, want_shuffle=False)  # dnspython shuffles RRsets by default
    rnd = dns.renderer.Renderer(msg.id, int(msg.flags), 65535)
    rnd.compress = None  # every name written in full
    for q in msg.question:
        rnd.add_question(q.name, q.rdtype, q.rdclass)
    for section, rrsets in ((dns.renderer.ANSWER, msg.answer), (dns.renderer.AUTHORITY, msg.authority),
                            (dns.renderer.ADDITIONAL, msg.additional)):
        for rrset in rrsets:
            rnd.add_rrset(section, rrset, want_shuffle=False)
    if msg.opt is not None:
        rnd.add_opt(msg.opt)
    rnd.write_header()
    return rnd.get_wire()


def update_message(g):
    """An RFC 2136 UPDATE built with dnspython's own API (zone, prerequisites, updates incl. deletions)."""
    r = g.r
    zone = g.name(200)
    upd = dns.update.UpdateMessage(zone, id=r.getrandbits(16))

    def sub():
        return g.child(zone) if r.random() < 0.8 else zone

    for _ in range(r.randint(0, 3)):
        k = r.random()
        t = r.choice([1, 28, 16, 15, 2, 5])
        if k < 0.3:
            upd.present(sub())
        elif k < 0.6:
            upd.present(sub(), t)
        elif k < 0.8:
            upd.absent(sub(), t)
        else:
            upd.absent(sub())
    for _ in range(r.randint(0, 5)):
        k = r.random()
        t = r.choice([1, 28, 16, 15, 2, 5, 33, 257])
        names = lambda: g.name()
        if k < 0.4:
            upd.add(sub(), g.ttl() & 0x7FFFFFFF, make_rdata(g, t, IN, names))
        elif k < 0.55:
            upd.delete(sub())
        elif k < 0.7:
            upd.delete(sub(), t)
        elif k < 0.85:
            upd.delete(sub(), make_rdata(g, t, IN, names))
        else:
            upd.replace(sub(), g.ttl() & 0x7FFFFFFF, make_rdata(g, t, IN, names))
    if r.random() < 0.3:
        upd.use_edns(0, 0, 1232)
    return upd.to_wire(max_size=65535, want_shuffle=False)


# ---------------------------------------------------------------------------------------------------------------
# Hand-made wire bytes for edge and invalid cases


class Wire(object):
    """Assembles a message byte by byte; offsets are known as parts are added."""

    def __init__(self, id=0x1234, flags=0x8180):
        self.b = bytearray(struct.pack("!HHHHHH", id, flags, 0, 0, 0, 0))
        self.counts = [0, 0, 0, 0]

    @property
    def here(self):
        return len(self.b)

    def raw(self, data):
        self.b += data

    def question(self, name, t=1, c=IN):
        self.b += name + struct.pack("!HH", t, c)
        self.counts[0] += 1

    def rr(self, name, t, rdata, c=IN, ttl=300, section=1, rdlen=None):
        """`rdata` is bytes or a function of the offset where the RDATA starts."""
        self.b += name + struct.pack("!HHI", t, c, ttl)
        start = self.here + 2
        data = rdata(start) if callable(rdata) else rdata
        self.b += struct.pack("!H", len(data) if rdlen is None else rdlen) + data
        self.counts[section] += 1
        return start

    def bytes(self, counts=None):
        c = counts if counts is not None else self.counts
        self.b[4:12] = struct.pack("!HHHH", *c)
        return bytes(self.b)


def wname(*labels):
    out = b""
    for lab in labels:
        lab = lab.encode() if isinstance(lab, str) else lab
        out += bytes([len(lab)]) + lab
    return out + b"\x00"


def ptr(offset):
    return struct.pack("!H", 0xC000 | offset)


def opt_rr(options=b"", payload=1232, ttl=0, owner=b"\x00"):
    return owner + struct.pack("!HHIH", 41, payload, ttl, len(options)) + options


def option(code, data):
    return struct.pack("!HH", code, len(data)) + data


def svcb_rdata(prio, target, params):
    out = struct.pack("!H", prio) + target
    for key, value in params:
        out += struct.pack("!HH", key, len(value)) + value
    return out


def crafted(g):
    """One hand-made edge case: (kind, wire)."""
    r = g.r
    kinds = [
        "pointer-forward", "pointer-self", "pointer-loop", "pointer-into-label", "pointer-chain", "pointer-overlap",
        "label-type", "label-63", "name-255", "name-256", "name-long-via-pointers", "count-too-large",
        "count-too-small", "trailing-bytes", "rdlength", "opt-misplaced", "opt-twice", "opt-owner", "opt-rdata",
        "ecs", "cookie", "ede", "svcb", "nsec-bitmap", "nsec3", "caa", "txt", "short-header", "no-question",
        "rdata-compression", "class-specific", "update-raw", "meta-types", "empty-rdata", "svcb", "svcb", "ecs", "ede",
    ]
    kind = r.choice(kinds)
    w = Wire(id=r.getrandbits(16), flags=r.choice([0x0100, 0x8180, 0x8400, 0x8183]))
    q = wname("www", "Example", "com")

    if kind == "pointer-forward":
        w.question(q)
        w.rr(ptr(w.here + r.randint(0, 20)), 1, b"\x01\x02\x03\x04")
    elif kind == "pointer-self":
        w.question(q)
        w.rr(ptr(w.here), 1, b"\x01\x02\x03\x04")
    elif kind == "pointer-loop":
        w.question(ptr(12) if r.random() < 0.5 else wname("a") [:-1] + ptr(12))
    elif kind == "pointer-into-label":
        w.question(q)
        w.rr(ptr(12 + r.randint(1, len(q) - 1)), 1, b"\x01\x02\x03\x04")
    elif kind == "pointer-chain":
        # A name at the start of an opaque RDATA, then `hops` pointers each to the one before, then an owner name
        # that points to the last: hops + 1 pointers are followed (DNSWire and the configured dnspython allow 64).
        hops = r.choice([r.randint(1, 10), 15, 16, 17, 62, 63, 64, 65, r.randint(60, 90)])
        w.question(q)

        def chain(start):
            data = wname("x")
            prev = start
            for _ in range(hops):
                here = start + len(data)
                data += ptr(prev)
                prev = here
            return data

        rstart = w.rr(wname("c"), 65280, chain)
        last = rstart + 3 + 2 * (hops - 1) if hops else rstart
        w.rr(ptr(last), 1, b"\x01\x02\x03\x04")
    elif kind == "pointer-overlap":
        # An owner name that is a pointer to the byte just before it: strictly backwards, but that byte, read as a
        # label length, takes in the pointer itself (and with 2, the type's zero high byte ends the name).
        w.question(q)
        w.rr(wname("o"), 65280, g.bytes(r.randint(0, 4)) + bytes([r.choice([2, 2, 2, 1, 3])]))
        w.rr(ptr(w.here - 1), 1, b"\x01\x02\x03\x04")
    elif kind == "label-type":
        lab = r.choice([0x40, 0x41, 0x7F, 0x80, 0xBF, r.randint(64, 191)])
        w.question(bytes([lab]) + b"a" * min(lab & 0x3F, 10) + b"\x00")
    elif kind == "label-63":
        n = r.choice([62, 63, 63, 64])
        w.question(bytes([n]) + b"a" * n + wname("com"))
    elif kind == "name-255":
        # 3 x 63-byte labels + one of 61 = 4 * 1 + 250 + 1 = 255 bytes exactly.
        w.question(wname("a" * 63, "b" * 63, "c" * 63, "d" * 61))
    elif kind == "name-256":
        w.question(wname("a" * 63, "b" * 63, "c" * 63, "d" * 62))
    elif kind == "name-long-via-pointers":
        # The question is 250 bytes; an owner name adds labels in front of a pointer to it.
        w.question(wname("a" * 63, "b" * 63, "c" * 63, "d" * 56))
        extra = r.choice([1, 2, 3, 4, 5])
        w.rr(bytes([extra]) + b"z" * extra + ptr(12), 1, b"\x01\x02\x03\x04")
    elif kind == "count-too-large":
        w.question(q)
        w.rr(ptr(12), 1, b"\x01\x02\x03\x04")
        c = list(w.counts)
        c[r.randint(0, 3)] += r.choice([1, 2, 100, 65535 - c[0]])
        c = [min(x, 65535) for x in c]
        return kind, w.bytes(c)
    elif kind == "count-too-small":
        w.question(q)
        w.rr(ptr(12), 1, b"\x01\x02\x03\x04")
        w.rr(ptr(12), 1, b"\x05\x06\x07\x08")
        return kind, w.bytes([1, 1, 0, 0])
    elif kind == "trailing-bytes":
        w.question(q)
        w.rr(ptr(12), 1, b"\x01\x02\x03\x04")
        w.raw(g.bytes(r.randint(1, 5)))
    elif kind == "rdlength":
        w.question(q)
        t, data = r.choice([(1, b"\x01\x02\x03\x04"), (28, bytes(16)), (15, b"\x00\x0a" + ptr(12)),
                            (2, ptr(12)), (16, b"\x03abc"), (33, b"\x00\x01\x00\x02\x00\x35" + wname("t"))])
        delta = r.choice([-1, 1, -2, 2])
        w.rr(ptr(12), t, data + (b"\x00\x00" if delta > 0 else b""), rdlen=len(data) + delta)
    elif kind == "opt-misplaced":
        w.question(q)
        sec = r.choice([1, 2])
        w.raw(opt_rr())
        w.counts[sec] += 1
    elif kind == "opt-twice":
        w.question(q)
        w.raw(opt_rr())
        w.raw(opt_rr(payload=4096))
        w.counts[3] += 2
    elif kind == "opt-owner":
        w.question(q)
        w.raw(opt_rr(owner=r.choice([wname("a"), ptr(12)])))
        w.counts[3] += 1
    elif kind == "opt-rdata":
        w.question(q)
        body = r.choice([b"\x00", b"\x00\x0c\x00", option(3, b"abc")[:-1] + b"", b"\x00\x03\x00\x05ab",
                         option(12, b"") + b"\x00", option(65001, g.bytes(r.randint(0, 10)))])
        w.raw(opt_rr(body, ttl=r.choice([0, 0x8000, 0x01008000, 0xFF000000, r.getrandbits(32)])))
        w.counts[3] += 1
    elif kind == "ecs":
        fam = r.choice([1, 2, 0, 3, 1, 2])
        bits = {1: 32, 2: 128}.get(fam, 32)
        src = r.choice([r.randint(0, bits), bits + 1, 255, 0, bits])
        scope = r.choice([0, 0, r.randint(0, bits), bits + 1])
        n = (src + 7) // 8
        n = max(0, n + r.choice([0, 0, 0, -1, 1]))
        addr = bytearray(g.bytes(n))
        if addr and src % 8 and r.random() < 0.6:
            addr[-1] &= (0xFF << (8 - src % 8)) & 0xFF  # clean padding bits (RFC 7871 §6)
        body = option(8, struct.pack("!HBB", fam, src, scope) + bytes(addr))
        if r.random() < 0.1:
            body = option(8, g.bytes(r.randint(0, 3)))
        w.question(q)
        w.raw(opt_rr(body))
        w.counts[3] += 1
    elif kind == "cookie":
        w.question(q)
        w.raw(opt_rr(option(10, g.bytes(r.choice([0, 1, 7, 8, 9, 15, 16, 24, 40, 41, r.randint(0, 50)])))))
        w.counts[3] += 1
    elif kind == "ede":
        text = r.choice([b"", b"\x00", b"abc\x00", b"a\x00b", b"\xff\xfe", b"\xc3\x28", b"caf\xc3\xa9",
                         b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", g.bytes(r.randint(1, 10))])
        body = r.choice([b"", b"\x00", struct.pack("!H", r.randint(0, 30)) + text])
        w.question(q)
        w.raw(opt_rr(option(15, body)))
        w.counts[3] += 1
    elif kind == "svcb":
        target = r.choice([b"\x00", wname("svc", "example", "net")])
        choices = [
            [(1, b"\x02h2"), (1, b"\x02h3")],                                  # duplicate key
            [(3, b"\x01\xbb"), (1, b"\x02h2")],                                # out of order
            [(0, b""), (1, b"\x02h2")],                                        # empty mandatory
            [(0, b"\x00\x01\x00"), (1, b"\x02h2")],                            # odd mandatory
            [(0, b"\x00\x03\x00\x01"), (1, b"\x02h2"), (3, b"\x00\x35")],      # unsorted mandatory
            [(0, b"\x00\x01\x00\x01"), (1, b"\x02h2")],                        # duplicate in mandatory
            [(0, b"\x00\x00"), (1, b"\x02h2")],                                # mandatory lists itself
            [(0, b"\x00\x03"), (1, b"\x02h2")],                                # mandatory key absent
            [(0, b"\x00\x01"), (1, b"\x02h2")],                                # fine
            [(1, b"")], [(1, b"\x00")], [(1, b"\x03h2")], [(1, b"\x02h2\x00")],  # bad alpn
            [(2, b"")],                                                        # no-default-alpn without alpn
            [(1, b"\x02h2"), (2, b"x")],                                       # no-default-alpn with a value
            [(1, b"\x02h2"), (2, b"")],                                        # fine
            [(3, b"\x01")], [(3, b"\x00\x01\x02")], [(3, b"")],                # bad port
            [(4, b"")], [(4, b"\x01\x02\x03")], [(4, bytes(8))],               # ipv4hint
            [(6, b"")], [(6, bytes(17))], [(6, bytes(32))],                    # ipv6hint
            [(5, b"")], [(5, b"\x00\x04abcd")], [(5, b"\x00\x05abcd")], [(5, b"\x00\x02ab")],  # ech
            [(7, b"/q{?dns}")], [(7, b"")], [(7, b"\xff\xfe")],                # dohpath
            [(8, b"")], [(8, b"x")],                                           # ohttp
            [(10, b"")], [(10, b"\x03abc")], [(10, b"\x00")],                  # docpath
            [(65535, b"")], [(65534, b"x")], [(12, b"")],                      # other keys
        ]
        params = r.choice(choices)
        prio = r.choice([1, 1, 1, 0])
        data = svcb_rdata(prio, target, params)
        if r.random() < 0.1:
            data = data[:-1]
        w.question(q, t=65)
        w.rr(ptr(12), r.choice([64, 65]), data)
    elif kind == "nsec-bitmap":
        bm = r.choice([b"", b"\x00\x01\x40", b"\x00\x00", b"\x00\x21" + bytes(33), b"\x00\x01\x40\x00\x01\x40",
                       b"\x01\x01\x40\x00\x01\x40", b"\x00\x02\x40\x00", b"\x00\x01\x00", b"\x00\x20" + bytes(31) + b"\x01",
                       b"\x00\x06\x40\x01\x00\x00\x00\x03", b"\xff\x20" + b"\xff" * 32, b"\x00\x05\x40"])
        w.question(q)
        if r.random() < 0.5:
            w.rr(ptr(12), 47, wname("next", "example") + bm)
        else:
            w.rr(ptr(12), 50, b"\x01\x00\x00\x0a\x00\x14" + g.bytes(20) + bm)
    elif kind == "nsec3":
        salt = g.bytes(r.choice([0, 4, 255]))
        nxt = g.bytes(r.choice([0, 1, 20, 255]))
        data = b"\x01\x01" + struct.pack("!H", g.u16()) + bytes([len(salt)]) + salt + bytes([len(nxt)]) + nxt + b"\x00\x01\x40"
        if r.random() < 0.2:
            data = data[:r.randint(0, len(data))]
        w.question(q)
        w.rr(ptr(12), 50, data)
    elif kind == "caa":
        tag = r.choice([b"", b"issue", b"iss-ue", b"is sue", b"a" * 15, b"a" * 16, b"x" * r.randint(16, 255),
                        b"\xc3\xa9", b"Issue2"])
        data = bytes([r.choice([0, 128, 255])]) + bytes([len(tag)]) + tag + charstr(g, 50)
        if r.random() < 0.1:
            data = bytes([0, 20]) + b"abc"
        w.question(q, t=257)
        w.rr(ptr(12), 257, data)
    elif kind == "txt":
        data = r.choice([b"", b"\x00", b"\x05abc", b"\x03abc\x00", b"\x00\x00\x00", b"\xff" + bytes(255)])
        w.question(q, t=16)
        w.rr(ptr(12), 16, data)
    elif kind == "short-header":
        return kind, g.bytes(r.randint(0, 11))
    elif kind == "no-question":
        w.rr(wname("Host", "example"), 1, b"\x01\x02\x03\x04")
        w.rr(ptr(12), 28, bytes(16))
    elif kind == "rdata-compression":
        # Names inside RDATA pointing back to the question: allowed in NS/CNAME/PTR/MX/SOA, tolerated in SRV/NAPTR
        # (RFC 3597 §4), not to be sent in DNAME/RRSIG/NSEC/SVCB/HTTPS.
        w.question(q)
        t = r.choice([2, 5, 12, 15, 6, 33, 35, 39, 46, 47, 64, 65])
        p = ptr(12)
        data = {
            2: p, 5: p, 12: p, 39: p, 15: b"\x00\x05" + p,
            6: p + b"\x04mail" + ptr(12) + bytes(20),
            33: b"\x00\x01\x00\x02\x00\x35" + p,
            35: b"\x00\x01\x00\x02\x01S\x03SIP\x00" + p,
            46: b"\x00\x01\x08\x02" + bytes(12) + b"\x12\x34" + p + g.bytes(8),
            47: p + b"\x00\x01\x40",
            64: b"\x00\x01" + p, 65: b"\x00\x01" + p + b"\x00\x01\x00\x03\x02h2",
        }[t]
        w.rr(ptr(12), t, data)
    elif kind == "class-specific":
        t = r.choice([1, 28, 33])
        c = r.choice([3, 4, 0x8001, CLASS_ANY, CLASS_NONE])
        data = {1: b"\x0a\x00\x00\x01", 28: bytes(15) + b"\x01", 33: b"\x00\x00\x00\x00\x14\xe9" + wname("host", "local")}[t]
        w.question(wname("host", "local"), t=t, c=c)
        w.rr(ptr(12), t, data, c=c)
    elif kind == "update-raw":
        # Opcode UPDATE with sections that do not follow RFC 2136's processing rules, and ANY/NONE records.
        w = Wire(id=r.getrandbits(16), flags=0x2800)
        zone = wname("example", "org")
        for _ in range(r.choice([0, 1, 1, 2])):
            w.question(zone, t=r.choice([6, 6, 1]), c=r.choice([IN, IN, CLASS_ANY]))
        for _ in range(r.randint(0, 3)):
            c = r.choice([IN, CLASS_ANY, CLASS_NONE])
            t = r.choice([1, 16, 2, 255])
            data = r.choice([b"", b"\x01\x02\x03\x04", b"\x03abc", wname("ns")])
            w.rr(wname("h", "example", "org"), t, data, c=c, ttl=0, section=r.choice([1, 2, 3]))
    elif kind == "meta-types":
        w.question(q, t=r.choice([255, 252, 251, 0, 65535]))
        w.rr(ptr(12), r.choice([0, 128, 249, 251, 252, 253, 254, 255, 65535]), g.bytes(r.randint(0, 8)))
    elif kind == "empty-rdata":
        w.question(q)
        w.rr(ptr(12), r.choice(TYPED_CHOICES + [3, 13, 99]), b"", c=r.choice([IN, IN, CLASS_ANY, CLASS_NONE]))
    return kind, w.bytes()


# ---------------------------------------------------------------------------------------------------------------
# Damaging valid messages


def truncate(g, wire):
    return wire[:g.r.randint(0, len(wire) - 1)]


def mutate(g, wire):
    r = g.r
    b = bytearray(wire)
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        i = r.randrange(len(b))
        if r.random() < 0.5:
            b[i] ^= 1 << r.randrange(8)
        else:
            b[i] = r.getrandbits(8)
    return bytes(b)


def damage_pointer(g, wire):
    """Re-aim one compression pointer forwards, at itself, or at a random earlier byte."""
    r = g.r
    b = bytearray(wire)
    spots = [i for i in range(12, len(b) - 1) if b[i] >= 0xC0 and (b[i] & 0x3F) << 8 | b[i + 1] < i]
    if not spots:
        return None
    i = r.choice(spots)
    k = r.random()
    target = i + r.randint(0, 40) if k < 0.4 else (i if k < 0.6 else r.randint(0, i - 1))
    target = min(target, 0x3FFF)
    b[i:i + 2] = struct.pack("!H", 0xC000 | target)
    return bytes(b)


# ---------------------------------------------------------------------------------------------------------------


def make_case(seed, i, kind):
    """Case i: its own random generator (so cases can be made in parallel and the corpus does not depend on how
    many processes made it). Returns (kind, wire, rerolls)."""
    rng = random.Random(f"{seed}/{i}")
    g = Gen(rng)
    rerolls = 0
    while True:
        base_kind = kind
        try:
            if kind in ("valid/compressed", "valid/uncompressed"):
                wire = render(random_message(g), kind == "valid/compressed")
            elif kind == "valid/big":
                wire = render(random_message(g, big=True), rng.random() < 0.8)
            elif kind == "valid/update":
                wire = update_message(g)
            elif kind in ("truncated", "mutated", "bad-pointer"):
                valid = update_message(g) if rng.random() < 0.05 else render(random_message(g), rng.random() < 0.85)
                if kind == "truncated":
                    wire = truncate(g, valid)
                elif kind == "mutated":
                    wire = mutate(g, valid)
                else:
                    wire = damage_pointer(g, valid)
                    if wire is None:
                        continue
            else:
                sub, wire = crafted(g)
                base_kind = "crafted/" + sub
        except (dns.exception.TooBig, ValueError):
            continue  # over 65535 bytes, or no room for the OPT record: draw another
        if 250 in types_in(wire):
            # TSIG can only be judged with its key (dnspython refuses it without one); DNSWire keeps it as an opaque
            # record. Damaged messages that turn a type into 250 are drawn again (and counted).
            rerolls += 1
            continue
        return base_kind, wire, rerolls


def work(job):
    seed, i, kind = job
    configure()
    kind, wire, rerolls = make_case(seed, i, kind)
    d, relaxed, notes = describe(wire)
    return i, kind, wire, d, relaxed, notes, rerolls


def type_name(t):
    if t in DNSWIRE_TYPED or t == 10:
        return dns.rdatatype.to_text(t)
    return "opaque"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=12000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (output is the same)")
    args = ap.parse_args()
    configure()
    os.makedirs(args.out, exist_ok=True)

    stats = {"count": args.count, "seed": args.seed, "dnspython": dns.version.version, "valid": 0, "invalid": 0,
             "kinds": {}, "valid_kinds": {}, "record_types": {}, "edns_options": {}, "relaxed": {}, "notes": {},
             "compressed_names": 0, "max_size": 0, "rerolled_tsig": 0, "records": 0}

    def bump(key, name, n=1):
        stats[key][name] = stats[key].get(name, 0) + n

    # The mix: valid messages (compressed and not), big ones, UPDATEs, and damaged or hand-made ones.
    plan = []
    n = args.count
    shares = [("valid/compressed", 0.405), ("valid/uncompressed", 0.10), ("valid/big", 0.015), ("valid/update", 0.03),
              ("truncated", 0.12), ("mutated", 0.18), ("bad-pointer", 0.03)]
    for kind, share in shares:
        plan += [kind] * int(n * share)
    plan += ["crafted"] * (n - len(plan))
    random.Random(args.seed).shuffle(plan)
    jobs = [(args.seed, i, kind) for i, kind in enumerate(plan)]

    if args.jobs > 1:
        import multiprocessing
        pool = multiprocessing.Pool(args.jobs)
        results = pool.imap(work, jobs, chunksize=64)
    else:
        pool = None
        results = map(work, jobs)

    with open(os.path.join(args.out, "cases.jsonl"), "w") as cases, \
            open(os.path.join(args.out, "expect.jsonl"), "w") as expect:
        for i, kind, wire, d, relaxed, notes, rerolls in results:
            if len(wire) > 65535:
                raise SystemExit(f"case {i}: {len(wire)} bytes")
            line = {"i": i, "kind": kind, "relaxed": relaxed, "notes": notes, "wire": wire.hex()}
            cases.write(json.dumps(line, separators=(",", ":")) + "\n")
            expect.write((canon_json(d) if d is not None else ERROR_JSON) + "\n")
            stats["rerolled_tsig"] += rerolls
            bump("kinds", kind)
            stats["max_size"] = max(stats["max_size"], len(wire))
            if d is None:
                stats["invalid"] += 1
                continue
            stats["valid"] += 1
            bump("valid_kinds", kind)
            for r in relaxed:
                bump("relaxed", r)
            for note in notes:
                bump("notes", note)
            for rec in d["an"] + d["ns"] + d["ar"]:
                bump("record_types", type_name(rec["type"]))
                stats["records"] += 1
            for o in d.get("edns", {}).get("options", []):
                code = o["code"]
                bump("edns_options", {8: "ECS", 10: "COOKIE", 12: "PADDING", 15: "EDE"}.get(code, "other"))
            if any(b >= 0xC0 for b in wire[12:]):
                stats["compressed_names"] += 1
    if pool is not None:
        pool.close()
        pool.join()
    with open(os.path.join(args.out, "stats.json"), "w") as f:
        json.dump(stats, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
