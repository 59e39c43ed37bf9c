#!/usr/bin/env bash
# Issue 4's ingest benchmark in one run: `dnsight analyze` end to end with a 2,000,000-indicator snapshot and a
# 100,000-CIDR inventory over N DNS transactions as Zeek TSV, dnstap and pcap (1 and 2 threads, detectors on and
# off, store on and off), max RSS at SMALL and N transactions, and what a user would do instead on the same Zeek
# TSV: ClickHouse 18.16 (Debian's clickhouse-server + clickhouse-client; Debian ships no clickhouse-local) loading
# the TSV and joining every suffix of every query name against the indicator list, and a Python set of suffixes.
#
#   swift build -c release --product dnsight --scratch-path .build-perf-rel
#   BIN=.build-perf-rel/release/dnsight Benchmarks/ingest/compare.sh | tee /tmp/ingest-bench.txt
#
# Environment: N (10000000), SMALL (1000000), FORMATS ("zeek dnstap pcap"), DATA (/tmp/dnsight-ingest-bench; the
# query files are deleted after use unless KEEP=1), BIN, MALTRAIL, CH_PORT (19000, on 127.0.0.1 only).
set -euo pipefail
REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
N=${N:-10000000}
SMALL=${SMALL:-1000000}
FORMATS=${FORMATS:-"zeek dnstap pcap"}
DATA=${DATA:-/tmp/dnsight-ingest-bench}
BIN=${BIN:-$REPO/.build/release/dnsight}
MALTRAIL=${MALTRAIL:-$REPO/../shared/data/intel/maltrail}
CH_PORT=${CH_PORT:-19000}
KEEP=${KEEP:-0}
GEN="python3 $REPO/Benchmarks/ingest/make_bench.py"
mkdir -p "$DATA"

say() { printf '%s\n' "$*"; }
# row LABEL EVENTS WALL_SECONDS RSS_KIB [CPU_SECONDS]: CPU is user + system time of every process of the run, so a
# rate per CPU-second does not depend on how much of the machine other jobs took.
row() { python3 -c "
import sys
l, e, s, r = sys.argv[1:5]; c = float(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] else 0
e = int(e); s = float(s); r = int(float(r))
print(f'| {l} | {e:,} | {s:.2f} | {e/s:,.0f} | ' + (f'{c:.2f} | {e/c:,.0f}' if c else '– | –') + f' | {r//1024 if r else \"–\"} |')" "$@"; }
# timed FILE CMD...: runs CMD under /usr/bin/time; FILE gets "wall maxrss_kib cpu".
timed() { local f=$1; shift; /usr/bin/time -f '%e %M %U %S' -o "$f.raw" "$@"; awk '{print $1, $2, $3 + $4}' "$f.raw" > "$f"; }

say "# ingest benchmark $(date -u +%FT%TZ) on $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "# dnsight $("$BIN" --version 2>/dev/null || echo '?'), N=$N SMALL=$SMALL"

[ -f "$DATA/intel/synthetic/indicators.txt" ] || $GEN intel "$DATA/intel"
[ -f "$DATA/inventory.csv" ] || $GEN inventory "$DATA/inventory.csv"
if [ ! -f "$DATA/bench.snapshot" ]; then
    /usr/bin/time -f '%e %M' -o "$DATA/import.time" "$BIN" intel import --snapshot "$DATA/bench.snapshot" "$DATA/intel" "$MALTRAIL" > /dev/null
    say "# intel import: $(cut -d' ' -f1 "$DATA/import.time") s, max RSS $(( $(cut -d' ' -f2 "$DATA/import.time") / 1024 )) MiB"
fi
say "# snapshot: $("$BIN" intel stats --snapshot "$DATA/bench.snapshot" 2>/dev/null | head -3 | tr '\n' ' ' || true)"

say ""
say "| run | events | wall s | events/s (wall) | CPU s | events per CPU-s | max RSS MiB |"
say "|---|---|---|---|---|---|---|"

# analyze LABEL FILE ARGS...: one timed run; the event count comes from the JSON summary.
analyze() {
    local label=$1 file=$2; shift 2
    timed "$DATA/run.time" "$BIN" analyze --quiet --json --snapshot "$DATA/bench.snapshot" \
        --inventory "$DATA/inventory.csv" "$@" "$file" > "$DATA/run.json"
    local events
    events=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events'])" "$DATA/run.json")
    row "$label" "$events" $(cat "$DATA/run.time")
    cp "$DATA/run.json" "$DATA/last-$(echo "$label" | tr -c 'a-z0-9' '-').json"
}

for fmt in $FORMATS; do
    for n in $SMALL $N; do
        f="$DATA/q$n.$fmt"
        [ -f "$f" ] || $GEN queries "$n" "$fmt" "$f"
        sync
        cat "$f" > /dev/null   # page cache warm for every run alike
        if [ "$n" = "$SMALL" ]; then
            analyze "$fmt $n, 2 threads, detectors on, no store" "$f" --no-store --threads 2
        else
            analyze "$fmt $n, 1 thread, detectors on, no store" "$f" --no-store --threads 1
            analyze "$fmt $n, 2 threads, detectors on, no store" "$f" --no-store --threads 2
            analyze "$fmt $n, 2 threads, detectors off, no store" "$f" --no-store --threads 2 --detectors none
            analyze "$fmt $n, 1 thread, detectors off, no store" "$f" --no-store --threads 1 --detectors none
            if [ "$fmt" = zeek ]; then
                rm -f "$DATA/store.sqlite"*
                analyze "$fmt $n, 2 threads, detectors on, store" "$f" --store "$DATA/store.sqlite" --threads 2
                rm -f "$DATA/store.sqlite"*
            fi
        fi
    done
    if [ "$fmt" = zeek ]; then
        for n in $SMALL $N; do
            f="$DATA/q$n.zeek"
            # Python: a set of the listed domains, every suffix of every query looked up.
            out=$(timed "$DATA/py.time" python3 "$REPO/Benchmarks/ingest/python_suffix_match.py" "$DATA/intel" "$MALTRAIL" "$f")
            scan=$(echo "$out" | sed -E 's/.* transactions in ([0-9.]+) s.*/\1/')
            row "python set of suffixes, $n (whole run, incl. loading the list)" "$n" $(cat "$DATA/py.time")
            row "python set of suffixes, $n (scan only, its own wall clock)" "$n" "$scan" 0
            # ClickHouse: a fresh server on 127.0.0.1, the TSV loaded into a MergeTree table, the suffixes joined.
            ch=$DATA/clickhouse
            rm -rf "$ch"; mkdir -p "$ch"
            cat > "$ch/config.xml" <<EOF
<yandex>
  <logger><level>warning</level><log>$ch/server.log</log><errorlog>$ch/server.err</errorlog></logger>
  <tcp_port>$CH_PORT</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$ch/data/</path>
  <tmp_path>$ch/tmp/</tmp_path>
  <user_files_path>$ch/user_files/</user_files_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
</yandex>
EOF
            clickhouse-server --config-file="$ch/config.xml" > "$ch/stdout" 2>&1 &
            chpid=$!
            C="clickhouse-client --host 127.0.0.1 --port $CH_PORT"
            for _ in $(seq 1 60); do $C --query "SELECT 1" > /dev/null 2>&1 && break; sleep 0.5; done
            $C --query "CREATE TABLE ioc (d String) ENGINE = Memory"
            python3 - "$DATA/intel" "$MALTRAIL" > "$DATA/domains.txt" <<'EOF'
import os, sys
seen = set()
for t in sys.argv[1:]:
    for root, _, files in os.walk(t):
        for fn in files:
            if fn.endswith(".txt"):
                for line in open(os.path.join(root, fn), encoding="utf-8", errors="replace"):
                    line = line.strip().lower()
                    if line and not line.startswith("#"):
                        h = line.split("/")[0].split(":")[0].rstrip(".")
                        if any(c.isalpha() for c in h) and "\t" not in h and "\\" not in h and h not in seen:
                            seen.add(h); print(h)
EOF
            $C --query "INSERT INTO ioc FORMAT TabSeparated" < "$DATA/domains.txt"
            $C --query "CREATE TABLE dns (ts Float64, uid String, orig_h String, orig_p UInt16, resp_h String, resp_p UInt16, proto String, trans_id UInt32, rtt String, query String, qclass String, qclass_name String, qtype String, qtype_name String, rcode String, rcode_name String, AA String, TC String, RD String, RA String, Z String, answers String, TTLs String, rejected String) ENGINE = MergeTree ORDER BY tuple()"
            cpu0=$(awk '{print $14 + $15}' /proc/$chpid/stat)
            t0=$(date +%s.%N)
            grep -v '^#' "$f" | timed "$DATA/chload.time" $C --query "INSERT INTO dns FORMAT TabSeparated"
            t1=$(date +%s.%N)
            cpu1=$(awk '{print $14 + $15}' /proc/$chpid/stat)
            hits=$(timed "$DATA/chquery.time" $C --query "SELECT count() FROM (SELECT uid FROM (SELECT uid, splitByChar('.', lower(query)) AS labels FROM dns) ARRAY JOIN arrayMap(i -> arrayStringConcat(arraySlice(labels, i), '.'), arrayEnumerate(labels)) AS suffix WHERE suffix IN (SELECT d FROM ioc) GROUP BY uid)")
            t2=$(date +%s.%N)
            cpu2=$(awk '{print $14 + $15}' /proc/$chpid/stat)
            tck=$(getconf CLK_TCK)
            # CPU: the server's (clock ticks) plus the client's (it parses the TSV before sending it).
            chcpu_all=$(echo "($cpu2 - $cpu0) / $tck + $(cut -d' ' -f3 "$DATA/chload.time") + $(cut -d' ' -f3 "$DATA/chquery.time")" | bc -l)
            chcpu_q=$(echo "($cpu2 - $cpu1) / $tck + $(cut -d' ' -f3 "$DATA/chquery.time")" | bc -l)
            rss=$(awk '/VmHWM/ {print $2}' /proc/$chpid/status)
            kill "$chpid"; wait "$chpid" 2>/dev/null || true
            row "clickhouse 18.16, $n: load TSV + suffix join ($hits matches)" "$n" "$(echo "$t2 - $t0" | bc)" "$rss" "$chcpu_all"
            row "clickhouse 18.16, $n: suffix join only" "$n" "$(echo "$t2 - $t1" | bc)" 0 "$chcpu_q"
            say "# python: $out"
            rm -rf "$ch"
        done
    fi
    [ "$KEEP" = 1 ] || rm -f "$DATA"/q*."$fmt"
done
say ""
say "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
