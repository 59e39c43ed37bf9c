#!/usr/bin/env bash
# Store resume with chunked reading: analyze a Zeek file into a store, SIGKILL it part-way, rerun, and compare the
# store with one from an uninterrupted run (Benchmarks/ingest/store_canon.py). Detectors off: their in-memory
# windows are lost with the process, so their verdicts after a kill legitimately differ.
#
#   BIN=.build-perf-rel/release/dnsight Benchmarks/ingest/kill_rerun.sh ZEEK_LOG SNAPSHOT INVENTORY [KILL_AFTER_S] [CHUNK_MIB]
#
# EXTRA adds analyze options to all three runs, e.g. EXTRA="--store-batch-size 200000" so that batches commit before
# the kill (the default batch, 64M observations, holds a whole 1M-line file).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$REPO/.build/release/dnsight}
log=$1 snapshot=$2 inventory=$3 after=${4:-5} chunk=${5:-32}
dir=$(mktemp -d)
args=(--quiet --json --snapshot "$snapshot" --inventory "$inventory" --threads 2 --detectors none --chunk-mib "$chunk" ${EXTRA:-})
"$BIN" analyze "${args[@]}" --store "$dir/full.sqlite" "$log" > /dev/null
"$BIN" analyze "${args[@]}" --store "$dir/killed.sqlite" "$log" > /dev/null & pid=$!
sleep "$after"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('checkpoints after the kill (part, records, complete):', c.execute('select part, records, complete from checkpoint order by part').fetchall())" "$dir/killed.sqlite"
"$BIN" analyze "${args[@]}" --store "$dir/killed.sqlite" "$log" > "$dir/rerun.json"
python3 -c "import json,sys; print('rerun read', json.load(open(sys.argv[1]))['events'], 'events')" "$dir/rerun.json"
python3 "$REPO/Benchmarks/ingest/store_canon.py" "$dir/full.sqlite" "$dir/killed.sqlite"
rm -rf "$dir"
