#!/usr/bin/env bash
# Deterministic instructions per transaction of `dnsight analyze` (one thread, no store): callgrind's total at 200,000
# transactions minus at 100,000, divided by 100,000 (start-up — snapshot, inventory — cancels out). Valgrind cannot
# read the debug info of Swift release binaries, so a stripped copy is run.
#
#   BIN=.build-perf-rel/release/dnsight Benchmarks/ingest/callgrind.sh SNAPSHOT INVENTORY
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$REPO/.build/release/dnsight}
snapshot=$1 inventory=$2
dir=$(mktemp -d)
cp "$BIN" "$dir/dnsight"; strip --strip-debug "$dir/dnsight"
for n in 100000 200000; do for f in zeek dnstap pcap; do python3 "$REPO/Benchmarks/ingest/make_bench.py" queries $n $f "$dir/q$n.$f"; done; done
for cfg in "zeek none" "zeek all" "dnstap none" "pcap none"; do
    set -- $cfg
    counts=()
    for n in 100000 200000; do
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$dir/dnsight" analyze --quiet --json --no-store --snapshot "$snapshot" \
            --inventory "$inventory" --threads 1 --detectors "$2" "$dir/q$n.$1" 2> "$dir/cg.err" > /dev/null
        counts+=("$(grep -o 'Collected : [0-9]*' "$dir/cg.err" | awk '{print $3}')")
    done
    echo "$1 detectors=$2: $(( (counts[1] - counts[0]) / 100000 )) instructions per transaction"
done
rm -rf "$dir"
