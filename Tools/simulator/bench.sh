#!/bin/sh
# Simulator output rate per format: the default scenario (a year, ~1.9 M transactions), one format at a time, written
# to DIR (default /dev/shm, memory-backed, so that the disk does not set the pace; give a folder on disk to include
# it). Prints events per wall second and per CPU second of the thread doing the work (generation + ground truth +
# that format's writing), best of RUNS runs (default 3).
#   [SCRATCH=.build-x] Tools/simulator/bench.sh [DIR] [RUNS]
set -eu
DIR=${1:-/dev/shm}
RUNS=${2:-3}
cd "$(dirname "$0")/../.."
swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --product dnsight >/dev/null
BIN=$(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --show-bin-path)/dnsight
OUT="$DIR/dnsight-sim-bench.$$"
printf '%-10s %12s %12s %14s %10s\n' format events "M events/s" "M/s per CPU s" MiB
for f in none dnstap pcap zeek zeek-json bind eve route53 json; do
  best=0; bestcpu=0
  for _ in $(seq "$RUNS"); do
    rm -rf "$OUT"
    "$BIN" simulate --out "$OUT" --format "$f" --quiet --json > "$OUT.json"
    line=$(python3 - "$OUT.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
if s["formats"]:
    f = s["formats"][0]
    print(f["events"], f["eventsPerSecond"], f["eventsPerCPUSecond"], f["bytes"])
else:
    print(s["events"], s["events"] / s["generateSeconds"], s["events"] / s["generateCPUSeconds"], 0)
PY
)
    set -- $line
    better=$(python3 -c "print(1 if $3 > $bestcpu else 0)")
    if [ "$better" = 1 ]; then ev=$1; best=$2; bestcpu=$3; bytes=$4; fi
  done
  python3 -c "print('%-10s %12d %12.2f %14.2f %10.0f' % ('$f', $ev, $best / 1e6, $bestcpu / 1e6, $bytes / 1048576))"
  rm -rf "$OUT" "$OUT.json"
done
