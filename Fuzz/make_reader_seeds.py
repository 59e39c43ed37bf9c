#!/usr/bin/env python3
"""Seed corpora for the reader fuzz targets, cut from the real captures in ../shared/data/captures:
small pcap and pcapng files (the first packets of the Unbound/Knot capture) and small dnstap files (the first
frames of the Unbound dnstap file, with START and STOP)."""
import os, struct, subprocess, sys

root = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(root, "..", "..", "shared", "data", "captures")
pcap_dir = os.path.join(root, "corpus-read-pcap")
dnstap_dir = os.path.join(root, "corpus-read-dnstap")
os.makedirs(pcap_dir, exist_ok=True)
os.makedirs(dnstap_dir, exist_ok=True)

# pcap: global header + k records, for several windows of the file (TCP and UDP parts).
data = open(os.path.join(shared, "unbound-rpz-loopback.pcap"), "rb").read()
header, p, records = data[:24], 24, []
while p + 16 <= len(data):
    incl = struct.unpack("<I", data[p + 8:p + 12])[0]
    records.append(data[p:p + 16 + incl])
    p += 16 + incl
for start in (0, 3, 40, 200, 2000, 5900):
    for k in (1, 4, 12):
        name = os.path.join(pcap_dir, f"pcap-{start}-{k}")
        open(name, "wb").write(header + b"".join(records[start:start + k]))
        if k == 4 and subprocess.run(["editcap", "-F", "pcapng", name, name + ".pcapng"], capture_output=True).returncode != 0:
            print("editcap not available: no pcapng seeds", file=sys.stderr)

# dnstap: START control frame, k data frames, STOP.
data = open(os.path.join(shared, "unbound-resolver-rpz.dnstap"), "rb").read()
frames, p = [], 0
while p + 4 <= len(data):
    n = struct.unpack(">I", data[p:p + 4])[0]
    if n == 0:
        c = struct.unpack(">I", data[p + 4:p + 8])[0]
        frames.append(data[p:p + 8 + c]); p += 8 + c
    else:
        frames.append(data[p:p + 4 + n]); p += 4 + n
start_frame, stop_frame, data_frames = frames[0], frames[-1], frames[1:-1]
for start in (0, 4, 100, 300):
    for k in (1, 2, 6):
        open(os.path.join(dnstap_dir, f"dnstap-{start}-{k}"), "wb").write(start_frame + b"".join(data_frames[start:start + k]) + stop_frame)
print(f"{len(os.listdir(pcap_dir))} pcap seeds, {len(os.listdir(dnstap_dir))} dnstap seeds")
