#!/usr/bin/env bash
# The threat-intel matcher figures for BENCHMARKS.md, in one run, on one core.
#
#   Benchmarks/compare-intel.sh [--quick] [--no-unbound]
#
# 1. builds IntelMatcherFigures in release;
# 2. runs it pinned to one core (CPU, default 1): a snapshot of TOTAL indicators (default 2,000,000: the shared
#    Maltrail trails and samples plus generated names), its memory beyond the names, load time, import time, and
#    lookups per second for a realistic mix and an all-miss mix — against a Set<String> of the same names in the
#    same process;
# 3. unless --no-unbound (or unbound is not installed), loads the same names as an RPZ zone into Unbound on
#    127.0.0.1 and reports Unbound's resident memory with the zone minus its memory with an empty zone.
#
# Ratios are only meaningful within one run: the machine is shared, absolute numbers move with its load.
set -euo pipefail
cd "$(dirname "$0")"
CPU="${CPU:-1}"
TOTAL="${TOTAL:-2000000}"
QUERIES="${QUERIES:-1000000}"
ROUNDS="${ROUNDS:-7}"
UNBOUND=1
for a in "$@"; do
  case "$a" in
    --quick) TOTAL=300000; QUERIES=200000; ROUNDS=3 ;;
    --no-unbound) UNBOUND=0 ;;
  esac
done
command -v unbound >/dev/null || UNBOUND=0
PIN=()
if command -v taskset >/dev/null; then PIN=(taskset -c "$CPU"); fi

WORK="$(mktemp -d)"
UNBOUND_PID=""
cleanup() {
  if [ -n "$UNBOUND_PID" ]; then kill "$UNBOUND_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== build (release)" >&2
SP=()
if [ -n "${SCRATCH:-}" ]; then SP=(--scratch-path "$SCRATCH"); fi   # e.g. SCRATCH=.build-intel
swift build -c release "${SP[@]}" --product IntelMatcherFigures >&2
BIN="$(swift build -c release "${SP[@]}" --show-bin-path)"

RPZ=()
[ "$UNBOUND" = 1 ] && RPZ=(--rpz "$WORK/names.rpz")
echo "== IntelMatcherFigures (total $TOTAL, $QUERIES queries per mix, $ROUNDS rounds, CPU $CPU)" >&2
"${PIN[@]}" "$BIN/IntelMatcherFigures" --total "$TOTAL" --queries "$QUERIES" --rounds "$ROUNDS" --dir "$WORK" "${RPZ[@]}"

[ "$UNBOUND" = 1 ] || exit 0

# Unbound's memory for the same names as RPZ (CNAME . triggers; a name that covers its subdomains is two records).
rss_of() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
run_unbound() {  # run_unbound ZONEFILE PORT → prints RSS in KiB once the zone answers
  local zone=$1 port=$2 probe=$3
  cat > "$WORK/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: ""
  use-syslog: no
  logfile: "$WORK/unbound.log"
  num-threads: 1
  do-not-query-localhost: no
  module-config: "respip iterator"
rpz:
  name: rpz.bench.
  zonefile: "$zone"
CONF
  unbound -d -c "$WORK/unbound.conf" &
  UNBOUND_PID=$!
  for _ in $(seq 1 600); do
    if dig +short +time=1 +tries=1 -p "$port" @127.0.0.1 "$probe" A 2>/dev/null | grep -q . || \
       dig +time=1 +tries=1 -p "$port" @127.0.0.1 "$probe" A 2>/dev/null | grep -q "status: NXDOMAIN"; then
      break
    fi
    sleep 1
  done
  sleep 2
  rss_of "$UNBOUND_PID"
  kill "$UNBOUND_PID"; wait "$UNBOUND_PID" 2>/dev/null || true
  UNBOUND_PID=""
}
printf '$TTL 300\n@ SOA localhost. root.localhost. 1 3600 600 86400 300\n NS localhost.\nprobe.invalid CNAME .\n' > "$WORK/empty.rpz"
probe=$(awk 'NR>3 && $2=="CNAME" && $1 !~ /^\*/ {print $1; exit}' "$WORK/names.rpz")
echo "== Unbound $(unbound -V | head -1 | awk '{print $2}') with an empty RPZ zone, then with the same names" >&2
empty=$(run_unbound "$WORK/empty.rpz" 5399 probe.invalid)
full=$(run_unbound "$WORK/names.rpz" 5399 "$probe")
records=$(grep -c ' CNAME ' "$WORK/names.rpz")
echo "unbound: empty zone RSS ${empty} KiB, full zone RSS ${full} KiB, RPZ records ${records}"
echo "unbound RPZ memory for the names: $(( (full - empty) / 1024 )) MiB"
