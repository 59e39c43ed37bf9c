#!/bin/sh
# Detector overhead on `dnsight analyze` (issue 7): the same Zeek log with the detectors off and on, alternating,
# in one run, so that both see the same machine load. Prints user+sys CPU seconds per run and the ratios.
#
#   swift build -c release --scratch-path .build-behav
#   python3 Tools/behaviour/make_traffic.py --devices 3000 --hours 12 --lines 6800000 --infected 30 --seed 5 --out /tmp/big.log
#   Tools/behaviour/bench_overhead.sh /tmp/big.log
#
# INTEL names feed files or folders compiled in memory at each run; SNAPSHOT (from `dnsight intel import
# --snapshot`) maps a compiled snapshot instead, as the ingest benchmark does. No store is written.
set -eu
IN=${1:?usage: bench_overhead.sh ZEEK_LOG}
B=${B:-.build-behav/release/dnsight}
INTEL=${INTEL:-../shared/data/intel/maltrail}
if [ -n "${SNAPSHOT:-}" ]; then SRC="--snapshot $SNAPSHOT"; else SRC="--intel $INTEL"; fi
ROUNDS=${ROUNDS:-3}
out=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
  for mode in none all tunnel,beacon,nxdomain; do
    /usr/bin/time -f "$mode %U %S %e" -a -o "$out" "$B" analyze --quiet --no-store --threads 1 $SRC --detectors "$mode" "$IN" > /dev/null
  done
done
awk '{ cpu[$1] += $2 + $3; wall[$1] += $4; n[$1]++ }
     END { for (m in cpu) printf "%-26s cpu %.2f s  wall %.2f s  (mean of %d)\n", m, cpu[m]/n[m], wall[m]/n[m], n[m];
           printf "ratio all/none (CPU): %.3f\n", cpu["all"]/cpu["none"];
           printf "ratio per-device (tunnel,beacon,nxdomain)/none (CPU): %.3f\n", cpu["tunnel,beacon,nxdomain"]/cpu["none"] }' "$out"
rm -f "$out"
