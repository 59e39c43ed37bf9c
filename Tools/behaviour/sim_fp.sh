#!/bin/sh
# False positives of the behaviour detectors on the simulator's traffic: the default scenario cut to one week, a
# fifth of its networks, and realistic query volumes (the default is a thin sample: a fraction of a query per
# device a day, too sparse for per-device behaviour). Prints, per detector, the devices it flagged and how many of
# them had no intel detection at all (an upper bound of its false positives: the simulator's infections are mostly
# on listed domains).
#
#   swift build -c release --scratch-path .build-behav
#   Tools/behaviour/sim_fp.sh /tmp/simfp
set -eu
OUT=${1:?usage: sim_fp.sh OUT_DIR}
B=${B:-.build-behav/release/dnsight}
mkdir -p "$OUT"
"$B" simulate --print-default > "$OUT/default.yaml"
python3 - "$OUT" <<'PY'
import re, sys
d = sys.argv[1]
s = open(d + "/default.yaml").read()
s = s.replace('start: "2022-01-01"', 'start: "2022-03-01"').replace('end: "2022-12-31"', 'end: "2022-03-07"')
s = re.sub(r'households: (\d+)', lambda m: "households: %d" % max(10, int(m.group(1)) // 5), s)
s = re.sub(r'count: (\d+)\n', lambda m: "count: %d\n" % max(3, int(m.group(1)) // 5), s)
s = re.sub(r'queriesPerDay: \{[^}]*\}', 'queriesPerDay: {phone: 60, pc: 90, tv: 25, iot: 30, nas: 20, server: 70, camera: 20}', s)
open(d + "/week.yaml", "w").write(s)
PY
"$B" simulate --scenario "$OUT/week.yaml" --out "$OUT/sim" --format zeek --quiet > /dev/null
"$B" analyze --quiet --no-store --format zeek --intel "$OUT/sim/intel" --inventory "$OUT/sim/inventory.csv" \
  --detections "$OUT/detections.jsonl" "$OUT/sim/traffic/zeek" | sed -n '/^Read/p;/^Affected/p;/^Detectors/,$p'
python3 - "$OUT/detections.jsonl" <<'PY'
import json, sys, collections
known, flagged = set(), collections.defaultdict(set)
for line in open(sys.argv[1]):
    o = json.loads(line)
    dev = (o.get("organisation"), o["device"])
    (known.add(dev) if o["tier"] == "known" else flagged[o["indicator"]].add(dev))
for k, v in sorted(flagged.items()):
    print("%-22s %4d devices flagged, %4d with no intel detection" % (k, len(v), len(v - known)))
PY
