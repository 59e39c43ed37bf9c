#!/usr/bin/env bash
# The store's end-to-end cost at the issue's size: `dnsight analyze` with `--store` and with `--no-store`, detectors
# off and on, 2 threads, over a 100M-line Zeek file (make_bench.py's output, N=100000000), ROUNDS rounds in alternating
# order; the file is read into the page cache before each run (on a 24 GB machine a 16 GB file only just fits: never
# drop the caches in between). Prints one `/usr/bin/time` line a run; store100_ratios.py reads them.
#
#   BIN=.build/release/dnsight DATA=/tmp/bench3 Benchmarks/ingest/store100.sh | tee /tmp/store100.txt
#   python3 Benchmarks/ingest/store100_ratios.py /tmp/store100.txt
set -u
BIN=${BIN:?BIN: the dnsight binary}; DATA=${DATA:?DATA: folder with bench.snapshot, inventory.csv and q100000000.zeek}
ROUNDS=${ROUNDS:-5}; OUT=${OUT:-$(mktemp -d)}
one() { # det st round
  rm -f "$OUT"/h.sqlite*
  if [ "$2" = store ]; then a="--store $OUT/h.sqlite"; else a=--no-store; fi
  cat "$DATA/q100000000.zeek" > /dev/null
  /usr/bin/time -f "final 100M 2thr detectors $1 $2 (round $3): %e s wall, %U user, %S sys, %M KB" "$BIN" analyze --quiet $a \
    --snapshot "$DATA/bench.snapshot" --inventory "$DATA/inventory.csv" --threads 2 --detectors "$1" "$DATA/q100000000.zeek" > /dev/null
}
echo "== 100M Zeek, 2 threads, $BIN"; date -u
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 0 ]; then order="all none"; sts="store no-store"; else order="none all"; sts="no-store store"; fi
  for d in $order; do for st in $sts; do one "$d" "$st" "$r"; done; done
done
echo "# load average at end $(cut -d' ' -f1-3 /proc/loadavg)"; date -u
