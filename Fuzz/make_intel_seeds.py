#!/usr/bin/env python3
"""Builds the seed corpora of the threat-intel fuzz targets from the real samples in ../shared/data/intel plus a
few hand-written inputs for what the samples lack (adblock rules, ThreatFox CSV and export JSON, STIX, MISP with
network attributes, RPZ edge cases). Files are cut to at most 4 KiB on line boundaries so the fuzzer stays fast.

Usage: python3 Fuzz/make_intel_seeds.py [INTEL-DIR] [OUTDIR]   (defaults: ../shared/data/intel and Fuzz/)
"""
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
INTEL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "data", "intel")
OUT = sys.argv[2] if len(sys.argv) > 2 else HERE
LIMIT = 4096

HAND = {
    "lines": [
        b"# list\ngood.example\nbad..example\n*.wild.example\nhttp://u.example/p\n192.0.2.1\n10.0.0.0/8\n",
        b"0.0.0.0 a.example b.example # c\n127.0.0.1 localhost\n::1 ip6-localhost\n0.0.0.0\n",
        b"[Adblock Plus 2.0]\n! c\n||a.example^\n@@||b.example^$important\n||c.example/p^\n##.ad\n|d.example^\n",
        b"# Copyright (c) 2014-2026 Maltrail developers\n# Aliases: x, y\n\n# Reference: https://r.example\nc2.example\n198.51.100.9:80\n/gate.php\n(a|b)\\.c\n",
        b"https://login.example/x?y=1\nhxxp://evil[.]example/a\nhttp://[2001:db8::1]:8080/\n",
    ],
    "rpz": [
        b"$TTL 300\n$ORIGIN rpz.example.\n@ SOA ns. h. ( 1 2 3 4 5 )\n NS ns.\na.example CNAME .\n*.b.example CNAME *.\nc CNAME rpz-passthru.\n"
        b"32.1.2.0.192.rpz-client-ip CNAME rpz-drop.\n128.1.zz.db8.2001.rpz-ip CNAME .\nns.x.rpz-nsdname CNAME .\n"
        b"l.example A 192.0.2.1\n TXT \"a;b\"\nm.example ( CNAME\n rpz-tcp-only. )\n$INCLUDE x\n",
    ],
    "csv": [
        b'# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags","anonymous","reporter"\n'
        b'"2024-05-01 09:00:00", "1", "c2.example", "domain", "botnet_cc", "win.qakbot", "Qbot", "QakBot", "", "100", "https://r", "a,b", "0", "x"\n'
        b'"2024-05-01 09:00:00", "2", "http://p.example/x", "url", "payload_delivery", "win.emotet", "", "Emotet", "", "75", "None", "", "0", "x"\n',
        b"# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"
        b'"1","2024-01-01 00:00:00","http://a.example/x","online","","malware_download","elf,mirai","https://urlhaus.abuse.ch/url/1/","r"\n',
        b"phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n"
        b'1,"https://x.example/a,b",http://d/1,2021-03-06T16:45:39+00:00,yes,,yes,PayPal\n2,"unterminated\n',
    ],
    "json": [
        b'{"1": [{"ioc_value": "a.example", "ioc_type": "domain", "threat_type": "botnet_cc", "malware_printable": "X", "confidence_level": 50, "tags": "t"}]}',
        b'{"query_status": "ok", "data": [{"ioc": "b.example", "ioc_type": "domain", "tags": ["x"], "first_seen": "2024-01-01 00:00:00 UTC"}]}',
        b'{"type": "bundle", "id": "bundle--1", "objects": [{"type": "indicator", "id": "indicator--1", "pattern_type": "stix", '
        b'"pattern": "[domain-name:value = \'a.example\' OR url:value = \'http://b.example/\'] AND [domain-name:value LIKE \'%.c.example\']", '
        b'"kill_chain_phases": [{"phase_name": "command-and-control"}], "labels": ["iab"]}, '
        b'{"type": "malware", "id": "malware--1", "name": "QakBot", "malware_types": ["bot"]}, '
        b'{"type": "relationship", "id": "relationship--1", "relationship_type": "indicates", "source_ref": "indicator--1", "target_ref": "malware--1"}]}',
        b'{"Event": {"uuid": "u", "info": "i", "Tag": [{"name": "misp-galaxy:malpedia=\\"Emotet\\""}], "Attribute": ['
        b'{"type": "domain", "value": "a.example", "to_ids": true}, {"type": "domain|ip", "value": "b.example|192.0.2.1", "to_ids": true}, '
        b'{"type": "url", "value": "hxxp://c[.]example/x", "to_ids": true, "Tag": [{"name": "circl:incident-classification=\\"phishing\\""}]}], '
        b'"Object": [{"Attribute": [{"type": "hostname", "value": "d.example", "to_ids": true}]}]}}',
    ],
}

SAMPLES = {
    "lines": ["samples/openphish-community-feed.txt", "samples/urlhaus-hostfile-head.txt"],
    "rpz": ["samples/powerdns-basic.rpz", "samples/urlhaus-filter-rpz-online-head.conf"],
    "csv": ["samples/urlhaus-csv-online-head.csv", "samples/phishtank-verified_online-head200.csv"],
    "json": ["samples/threatfox-api-slim-defanged.json", "samples/misp-event-57c4445b-c548-4654-af0b-4be3950d210f.json"],
}


def cut(data):
    if len(data) <= LIMIT:
        return data
    end = data.rfind(b"\n", 0, LIMIT)
    return data[: end + 1 if end > 0 else LIMIT]


def write(corpus, data):
    os.makedirs(corpus, exist_ok=True)
    with open(os.path.join(corpus, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def main():
    maltrail = []
    for folder in ("malware", "malicious"):
        d = os.path.join(INTEL, "maltrail", folder)
        for name in sorted(os.listdir(d))[:12]:
            maltrail.append(cut(open(os.path.join(d, name), "rb").read()))
    groups = {}
    for group, files in SAMPLES.items():
        groups[group] = [cut(open(os.path.join(INTEL, f), "rb").read()) for f in files] + HAND[group]
    groups["lines"] += maltrail
    targets = {"intel-lines": ["lines"], "intel-rpz": ["rpz"], "intel-csv": ["csv"], "intel-json": ["json"],
               "intel-detect": ["lines", "rpz", "csv", "json"]}
    for target, gs in targets.items():
        corpus = os.path.join(OUT, "corpus-" + target)
        n = 0
        for g in gs:
            for data in groups[g]:
                write(corpus, data)
                n += 1
        print("%s: %d seeds" % (corpus, n))


main()
