#!/usr/bin/env python3
"""Synthetic DNS traffic as a Zeek dns.log (TSV) for the behaviour detectors: a benign world, optionally with
infected devices, and its ground truth.

Stands in for the simulator (issue 6) until it lands. Benign devices browse (page loads pull a site, its CDN hosts,
ad-tech and analytics), keep a stub cache (a name is asked again only after its TTL), poll vendor telemetry, time
and update services, and make the usual noise: typos, browser single-label probes, reverse lookups, Kubernetes
search-path expansions, mail servers' blocklist lookups, IoT devices polling their vendor's cloud, a chat app's
push channel. With --infected N, N devices also run one behaviour each (DGA NXDOMAIN burst with a resolving C2,
jittered beacon, DNS tunnel); --truth writes which.

  python3 Tools/behaviour/make_traffic.py --devices 400 --hours 24 --out benign.log
  python3 Tools/behaviour/make_traffic.py --devices 3000 --hours 12 --lines 5000000 --out big.log
"""
import argparse
import bisect
import zlib
import random
import string
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dga" / "benign" / "alexa_2015.txt"
T0 = 1_709_251_200  # 2024-03-01 00:00:00 UTC

HEADER = "\n".join([
    "#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tdns",
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name"
    "\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected",
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring"
    "\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool",
])
QTYPES = {"A": 1, "AAAA": 28, "TXT": 16, "NULL": 10, "PTR": 12, "SRV": 33, "MX": 15, "CNAME": 5, "HTTPS": 65}
RCODES = {0: "NOERROR", 3: "NXDOMAIN"}

TELEMETRY = ["v10.events.data.microsoft.com", "settings-win.data.microsoft.com", "self.events.data.microsoft.com",
             "firebaseinstallations.googleapis.com", "play.googleapis.com", "update.googleapis.com", "clients4.google.com",
             "time.windows.com", "pool.ntp.org", "time.apple.com", "connectivity-check.ubuntu.com", "detectportal.firefox.com",
             "ctldl.windowsupdate.com", "www.msftconnecttest.com"]
ADTECH = ["securepubads.g.doubleclick.net", "pagead2.googlesyndication.com", "ib.adnxs.com", "c.amazon-adsystem.com",
          "cdn.taboola.com", "widgets.outbrain.com", "static.criteo.net", "bidder.criteo.com", "sync.1rx.io", "ads.pubmatic.com",
          "match.adsrvr.org", "pixel.rubiconproject.com", "www.google-analytics.com", "connect.facebook.net", "bat.bing.com"]
IOT_VENDORS = ["api.smartplug-cloud.com", "mqtt.cam-vendor.io", "telemetry.thermo-home.net", "devices.bulbcloud.com"]


class World:
    def __init__(self, rng, n_devices):
        self.rng = rng
        names = [l.strip() for l in SHARED.read_text().splitlines()[:50_000] if l.strip()] if SHARED.exists() else []
        if not names:
            names = [f"site{i}.example.com" for i in range(50_000)]
        self.sites = names
        weights = [1.0 / (i + 1) ** 1.0 for i in range(len(names))]
        self.cum = []
        s = 0.0
        for w in weights:
            s += w
            self.cum.append(s)
        self.devices = []
        kinds = ["pc"] * 50 + ["phone"] * 25 + ["iot"] * 15 + ["pod"] * 6 + ["mail"] * 1 + ["server"] * 3
        for i in range(n_devices):
            kind = rng.choice(kinds)
            ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255 or 1}"
            self.devices.append({"ip": ip, "kind": kind, "cache": {}, "vendor": rng.choice(IOT_VENDORS),
                                 "phase": rng.uniform(0, 3600)})

    def site(self):
        return self.sites[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]


def rand_label(rng, n, alphabet=string.ascii_lowercase + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def emit(out, t, ip, name, qtype="A", rcode=0, answers="-", ttls="-", uid=[0]):
    uid[0] += 1
    out.append((t, f"{t:.6f}\tC{uid[0]:x}\t{ip}\t{40000 + uid[0] % 20000}\t10.0.0.53\t53\tudp\t{uid[0] & 65535}\t0.001\t{name}\t1"
                   f"\tC_INTERNET\t{QTYPES[qtype]}\t{qtype}\t{rcode}\t{RCODES[rcode]}\tF\tF\tT\tT\t0\t{answers}\t{ttls}\tF"))


def cached(dev, name, t, ttl):
    """Stub-resolver cache: True when the name is still cached (no query on the wire)."""
    exp = dev["cache"].get(name)
    if exp is not None and exp > t:
        return True
    dev["cache"][name] = t + ttl
    return False


def benign_hour(world, dev, h, out, rate):
    rng = world.rng
    ip = dev["ip"]
    start = T0 + h * 3600
    kind = dev["kind"]
    # periodic services (through the cache: the wire sees them at max(period, ttl))
    if kind in ("pc", "phone", "server"):
        for name in TELEMETRY[: 6 if kind == "phone" else len(TELEMETRY)]:
            period = 300 + (zlib.crc32(name.encode()) % 7) * 300
            t = start + (dev["phase"] + zlib.crc32(name.encode()) % 600) % period
            while t < start + 3600:
                if not cached(dev, name, t, 300):
                    emit(out, t, ip, name)
                t += period * rng.uniform(0.97, 1.03)
    if kind in ("pc", "phone"):
        # a chat app's push channel, shared by most devices
        t = start + dev["phase"] % 120
        while t < start + 3600:
            if not cached(dev, "push.chatapp-example.com", t, 60):
                emit(out, t, ip, "push.chatapp-example.com")
            t += 120 * rng.uniform(0.9, 1.1)
    if kind == "iot":
        t = start + dev["phase"] % 60
        while t < start + 3600:
            if not cached(dev, dev["vendor"], t, 30):
                emit(out, t, ip, dev["vendor"])
            t += 60 * rng.uniform(0.98, 1.02)
        if rng.random() < 0.2:
            emit(out, start + rng.uniform(0, 3600), ip, "pool.ntp.org")
    if kind == "pod":
        for _ in range(int(40 * rate)):
            t = start + rng.uniform(0, 3600)
            svc = f"{rng.choice(['redis', 'postgres', 'api', 'auth', 'kafka'])}-{rng.randint(0, 3)}.{rng.choice(['prod', 'payments', 'web'])}.svc.cluster.local"
            emit(out, t, ip, svc, "SRV" if rng.random() < 0.2 else "A")
            ext = world.site()
            for i, sfx in enumerate(["web.svc.cluster.local", "svc.cluster.local", "cluster.local", "ec2.internal"]):
                emit(out, t + 0.001 * (i + 1), ip, f"{ext}.{sfx}", rcode=3)
            emit(out, t + 0.01, ip, ext)
    if kind == "mail":
        for _ in range(int(120 * rate)):
            t = start + rng.uniform(0, 3600)
            a, b, c, d = (rng.randint(1, 254) for _ in range(4))
            emit(out, t, ip, f"{d}.{c}.{b}.{a}.zen.spamhaus.org", rcode=3 if rng.random() < 0.9 else 0)
            emit(out, t + 0.01, ip, f"{d}.{c}.{b}.{a}.in-addr.arpa", "PTR", rcode=3 if rng.random() < 0.3 else 0)
            emit(out, t + 0.02, ip, world.site(), "MX")
    if kind in ("pc", "phone", "server"):
        # browsing sessions: page loads with third parties, through the cache
        active = 0.7 if 8 <= (h % 24) <= 22 else 0.15
        pages = int(rng.expovariate(1 / (30 * rate)) * active) if kind != "server" else int(5 * rate)
        t = start + rng.uniform(0, 600)
        for _ in range(pages):
            t += rng.expovariate(1 / 90.0)
            if t >= start + 3600:
                break
            site = world.site()
            for name in (site if site.count(".") >= 2 else "www." + site,):
                if not cached(dev, name, t, rng.choice([60, 300, 3600])):
                    emit(out, t, ip, name)
                    emit(out, t + 0.0005, ip, name, "AAAA")
                    if rng.random() < 0.3:
                        emit(out, t + 0.001, ip, name, "HTTPS")
            for i in range(rng.randint(2, 12)):
                dt = t + 0.05 * (i + 1)
                r = rng.random()
                if r < 0.35:
                    name = rng.choice(ADTECH)
                elif r < 0.55:
                    # a site's CloudFront distribution id is fixed (the site's, not the page load's)
                    name = "d" + format(zlib.crc32(site.encode()) * 2654435761 % 36 ** 13, "x").rjust(13, "0")[:13] + ".cloudfront.net"
                elif r < 0.65:
                    name = "-".join(rand_label(rng, n, "0123456789abcdef") for n in (8, 4, 4, 4, 12)) + ".trk.adexchange-metrics.com"
                elif r < 0.75:
                    # video caches: a handful of hosts near the device
                    name = f"rr{rng.randint(1, 3)}---sn-{format(zlib.crc32(ip.encode()) % 36 ** 8, 'x')}.googlevideo.com"
                elif r < 0.8:
                    name = f"e{rng.randint(1000, 99999)}.a.akamaiedge.net"
                else:
                    sub = rng.choice(["static", "cdn", "img", "api", "assets"])
                    name = f"{sub}.{world.site()}"
                if not cached(dev, name, dt, rng.choice([30, 60, 300, 3600])):
                    emit(out, dt, ip, name)
        # noise: typos, dead links, browser probes, reverse lookups
        for _ in range(int(rng.random() * 3 * rate)):
            s = world.site()
            k = rng.randrange(len(s.split(".")[0]) or 1)
            typo = s[:k] + rng.choice(string.ascii_lowercase) + s[k + 1:]
            emit(out, start + rng.uniform(0, 3600), ip, typo, rcode=3)
        if rng.random() < 0.1:
            t = start + rng.uniform(0, 3600)
            for i in range(3):
                emit(out, t + i * 0.01, ip, rand_label(rng, rng.randint(7, 15), string.ascii_lowercase), rcode=3)
        if rng.random() < 0.3:
            emit(out, start + rng.uniform(0, 3600), ip, f"{rng.randint(1, 254)}.0.168.192.in-addr.arpa", "PTR", rcode=3)


def infect(world, dev, behaviour, hours, out, rng):
    ip = dev["ip"]
    end = T0 + hours * 3600
    if behaviour == "beacon":
        period = rng.choice([60, 120, 300, 600])
        jitter = rng.choice([0.0, 0.1, 0.2, 0.3])
        name = rand_label(rng, 6, string.ascii_lowercase) + "." + rng.choice(["update-check.net", "cdn-sync.org", "metrics-api.com"])
        t = T0 + rng.uniform(0, 3600)
        while t < end:
            emit(out, t, ip, name)
            t += period * (1 + jitter * rng.uniform(-1, 1))
        return name
    if behaviour == "dga":
        t = T0 + rng.uniform(0, hours * 3600 / 2)
        c2 = None
        for burst in range(3):
            for i in range(rng.randint(30, 120)):
                name = rand_label(rng, rng.randint(10, 18), string.ascii_lowercase) + rng.choice([".com", ".net", ".info"])
                emit(out, t + i * rng.uniform(0.5, 3), ip, name, rcode=3)
            c2 = rand_label(rng, 14, string.ascii_lowercase) + ".com"
            emit(out, t + 400, ip, c2, answers="198.51.100.7", ttls="300.000000")
            t += 3 * 3600
        return c2
    if behaviour == "tunnel":
        parent = rng.choice(["t.exfil-lab.net", "dns.tunnel-relay.org", "q.cdn-edge-sync.com"])
        t = T0 + rng.uniform(0, hours * 3600 / 2)
        b32 = string.ascii_lowercase + "234567"
        for i in range(rng.randint(300, 2000)):
            labels = [rand_label(rng, 57, b32) for _ in range(rng.randint(1, 3))]
            emit(out, t, ip, ".".join(labels) + "." + parent, rng.choice(["NULL", "TXT", "CNAME", "A"]))
            t += rng.uniform(0.2, 4)
        return parent
    raise ValueError(behaviour)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=400)
    ap.add_argument("--hours", type=int, default=24)
    ap.add_argument("--lines", type=int, default=0, help="scale browsing so that about this many lines are written")
    ap.add_argument("--infected", type=int, default=0, help="devices that also run a malicious behaviour")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--day-offset", type=int, default=0, help="start this many days after 2024-03-01 (negative: before)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", help="write device<TAB>behaviour<TAB>indicator for infected devices")
    a = ap.parse_args()
    global T0
    T0 += a.day_offset * 86_400
    rng = random.Random(a.seed)
    world = World(rng, a.devices)
    rate = 1.0
    if a.lines:
        # a quick pilot hour to size the browsing rate
        probe = []
        for dev in world.devices[:200]:
            benign_hour(world, dev, 12, probe, 1.0)
        per_dev_hour = max(1.0, len(probe) / min(200, len(world.devices)))
        rate = max(0.05, a.lines / (per_dev_hour * a.devices * a.hours))
        for dev in world.devices:
            dev["cache"].clear()
    infected = rng.sample(range(a.devices), a.infected) if a.infected else []
    truth = []
    extra = []
    for k, i in enumerate(infected):
        behaviour = ["beacon", "dga", "tunnel"][k % 3]
        indicator = infect(world, world.devices[i], behaviour, a.hours, extra, rng)
        truth.append((world.devices[i]["ip"], behaviour, indicator))
    extra.sort()
    lines = 0
    with open(a.out, "w") as f:
        f.write(HEADER + "\n")
        j = 0
        for h in range(a.hours):
            out = []
            for dev in world.devices:
                benign_hour(world, dev, h, out, rate)
                if len(dev["cache"]) > 5000:
                    dev["cache"].clear()
            end = T0 + (h + 1) * 3600
            while j < len(extra) and extra[j][0] < end:
                out.append(extra[j])
                j += 1
            out.sort(key=lambda x: x[0])
            f.write("\n".join(x[1] for x in out))
            if out:
                f.write("\n")
            lines += len(out)
    if a.truth:
        with open(a.truth, "w") as f:
            for row in truth:
                f.write("\t".join(row) + "\n")
    print(f"{lines} lines, {a.devices} devices ({a.infected} infected), {a.hours} h, browsing rate {rate:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
