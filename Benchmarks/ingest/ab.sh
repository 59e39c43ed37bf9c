#!/usr/bin/env bash
# Two dnsight binaries (or one: AFTER only) over the same inputs, alternated run by run so both see the same machine
# load: `dnsight analyze` wall and CPU seconds (user + system), max RSS, for each format × threads × detectors, and
# store against no store. Prints a Markdown table; ratios are read across rows of one run.
#
#   BEFORE=/tmp/dnsight-old AFTER=.build/release/dnsight DATA=/tmp/bench3 Benchmarks/ingest/ab.sh | tee /tmp/ab.md
#
# DATA holds Benchmarks/ingest/make_bench.py's output: bench.snapshot (make_bench.py intel + `dnsight intel import`),
# inventory.csv and q$N.{zeek,dnstap,pcap}. N (3000000), FORMATS ("zeek dnstap pcap"), THREADS ("1 2"),
# ROUNDS (1), SIM (a `Tools/behaviour/sim_fp.sh` output folder: adds the simulator's week, with its own intel and
# inventory, for the store and detector rows).
set -euo pipefail
DATA=${DATA:?DATA: folder with bench.snapshot, inventory.csv and q\$N.<format>}
AFTER=${AFTER:?AFTER: the dnsight binary to measure}
BEFORE=${BEFORE:-}
N=${N:-3000000}
FORMATS=${FORMATS:-"zeek dnstap pcap"}
THREADS=${THREADS:-"1 2"}
ROUNDS=${ROUNDS:-1}
SIM=${SIM:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

bins() { [ -n "$BEFORE" ] && echo "before:$BEFORE"; echo "after:$AFTER"; }
# one LABEL BIN ARGS...: one timed run, one table row.
one() {
    local label=$1 bin=$2; shift 2
    rm -f "$tmp"/s.sqlite*
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$bin" analyze --quiet "$@" > /dev/null
    read -r wall user sys rss < "$tmp/t"
    awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
        'BEGIN { printf "| %s | %.2f | %.2f | %d |\n", l, w, u + s, r / 1024 }'
}

echo "# $(date -u +%FT%TZ), $(nproc) cores, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | wall s | CPU s | max RSS MiB |"
echo "|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
    for fmt in $FORMATS; do
        f="$DATA/q$N.$fmt"; cat "$f" > /dev/null
        for t in $THREADS; do
            for d in none all; do
                for b in $(bins); do
                    one "$fmt ${N}, $t thr, detectors $d, no store, ${b%%:*}" "${b#*:}" --no-store \
                        --snapshot "$DATA/bench.snapshot" --inventory "$DATA/inventory.csv" --threads "$t" --detectors "$d" "$f"
                done
            done
            if [ "$fmt" = zeek ]; then
                for d in none all; do
                    for b in $(bins); do
                        one "$fmt ${N}, $t thr, detectors $d, store, ${b%%:*}" "${b#*:}" --store "$tmp/s.sqlite" \
                            --snapshot "$DATA/bench.snapshot" --inventory "$DATA/inventory.csv" --threads "$t" --detectors "$d" "$f"
                    done
                done
            fi
        done
    done
    if [ -n "$SIM" ]; then
        S=$SIM/sim
        for t in $THREADS; do
            for d in none all; do
                for st in no-store store; do
                    for b in $(bins); do
                        if [ $st = store ]; then sa=(--store "$tmp/s.sqlite"); else sa=(--no-store); fi
                        one "simulator week, $t thr, detectors $d, $st, ${b%%:*}" "${b#*:}" "${sa[@]}" \
                            --intel "$S/intel" --inventory "$S/inventory.csv" --threads "$t" --detectors "$d" "$S/traffic/zeek"
                    done
                done
            done
        done
    fi
done
echo
echo "# load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
