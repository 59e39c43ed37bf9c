#!/usr/bin/env bash
# DNSWire codec benchmarks against dnspython, in one run, on one core.
#
#   Benchmarks/compare.sh [--quick]
#
# 1. builds the Benchmarks package in release;
# 2. runs the package-benchmark suite DNSWireBenchmarks (malloc counters, throughput percentiles), exported as JMH
#    JSON;
# 3. runs DNSWireThroughput (plain timing loop) and dnspython_bench.py on the same message bytes, alternating
#    PASSES times so both see the same machine load, keeping each side's best;
# 4. prints the table for BENCHMARKS.md: msgs/s, allocations per message, Swift/dnspython ratio.
#
# Everything runs pinned to one core (CPU, default 1) when taskset exists. Ratios are only meaningful within one
# run: the machine is shared, absolute numbers move with whatever else is running.
set -euo pipefail
cd "$(dirname "$0")"

CPU="${CPU:-1}"
PASSES="${PASSES:-3}"
ROUNDS="${ROUNDS:-300}"
SECONDS_PER_ROUND="${SECONDS_PER_ROUND:-0.002}"
if [[ "${1:-}" == "--quick" ]]; then PASSES=1; ROUNDS=50; fi

PIN=()
if command -v taskset >/dev/null; then PIN=(taskset -c "$CPU"); fi

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

echo "== build (release)" >&2
swift build -c release >&2
BIN="$(swift build -c release --show-bin-path)"

HEX="$("$BIN/DNSWireThroughput" --hex)"
echo "message: $(( ${#HEX} / 2 )) bytes: $HEX" >&2

echo "== package-benchmark DNSWireBenchmarks" >&2
"${PIN[@]}" swift package --allow-writing-to-directory "$OUT" benchmark --target DNSWireBenchmarks \
    --no-progress --format jmh --path "$OUT" >"$OUT/benchmark.log" 2>&1 || { cat "$OUT/benchmark.log" >&2; exit 1; }

for pass in $(seq 1 "$PASSES"); do
    echo "== pass $pass/$PASSES: DNSWireThroughput, then dnspython" >&2
    "${PIN[@]}" "$BIN/DNSWireThroughput" --rounds "$ROUNDS" --seconds "$SECONDS_PER_ROUND" | tee -a "$OUT/swift.txt" >&2
    "${PIN[@]}" python3 dnspython_bench.py --hex "$HEX" --rounds "$ROUNDS" --seconds "$SECONDS_PER_ROUND" \
        | tee -a "$OUT/python.txt" >&2
done

python3 - "$OUT" "$CPU" "$PASSES" "$ROUNDS" <<'PY'
import glob, json, re, sys
out, cpu, passes, rounds = sys.argv[1:5]

def best(path):
    rates = {}
    for line in open(path):
        m = re.match(r"(\S+) best=(\d+) median=(\d+)", line)
        if m:
            rates[m[1]] = max(rates.get(m[1], 0), int(m[2]))
    return rates

swift, python = best(f"{out}/swift.txt"), best(f"{out}/python.txt")
header = next(l for l in open(f"{out}/python.txt") if l.startswith("#"))[2:].strip()

scale = 1000  # the benchmarks' scalingFactor (.kilo): one iteration is 1000 messages
bench = {}
for b in json.load(open(glob.glob(f"{out}/*.jmh.json")[0])):
    name = b["benchmark"].split(".", 3)[3]
    mallocs = b["secondaryMetrics"]["Malloc (total)"]["scorePercentiles"]
    bench[name] = {
        "p50": b["primaryMetric"]["scorePercentiles"]["50.0"] * scale,
        "malloc_p50": mallocs["50.0"], "malloc_max": mallocs["100.0"],
    }
base = bench["Baseline_(empty_loop)"]["malloc_p50"]

rows = [
    ("Full decode", "decode", "Decode_typical_response", "decode", "`dns.message.from_wire`"),
    ("Encode (compressed)", "encode", "Encode_typical_response_(compressed)", "encode", "`Message.to_wire`"),
    ("Fast path (QuestionSummary)", "fastpath", "QuestionSummary_fast_path", "fastpath", "`from_wire(question_only=True)`"),
    ("Fast path + name bytes", "fastpath+name", "QuestionSummary_fast_path_+_name_bytes", "fastpath", "`from_wire(question_only=True)`"),
]
print()
print(f"pinned to CPU {cpu}; plain loop and dnspython: best of {rounds} rounds in each of {passes} alternating passes")
print(f"{header}")
print()
print("| Case | DNSWire msgs/s (plain loop) | DNSWire msgs/s (package-benchmark p50) | Allocations / msg | dnspython msgs/s | dnspython call | Swift / dnspython |")
print("|---|---:|---:|---:|---:|---|---:|")
for label, s, b, p, call in rows:
    allocs = (bench[b]["malloc_p50"] - base) / scale
    print(f"| {label} | {swift[s]:,} | {bench[b]['p50']:,.0f} | {allocs:g} (max {bench[b]['malloc_max'] / scale:g}) "
          f"| {python[p]:,} | {call} | {swift[s] / python[p]:,.0f}× |")
print()
dec, fp = swift["decode"], swift["fastpath"]
fp_allocs = bench["QuestionSummary_fast_path"]["malloc_max"]
print(f"target full decode >= 2,000,000 msgs/s: {'met' if dec >= 2_000_000 else 'MISSED'} ({dec:,})")
print(f"target fast path >= 15,000,000 msgs/s: {'met' if fp >= 15_000_000 else 'MISSED'} ({fp:,})")
print(f"target fast path 0 allocations/msg: {'met' if fp_allocs == 0 else 'MISSED'} "
      f"(max {fp_allocs} mallocs per {scale} messages over all iterations)")
PY
