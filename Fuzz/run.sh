#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time, single process, with the seed corpus and the dictionary.
#
# Usage: Fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
#   TARGET   decode-message | parse-name | tcp-deframe (any Fuzz/Targets/TARGET.swift), or intel-rpz | intel-lines |
#            intel-csv | intel-json | intel-detect (Fuzz/IntelTargets/TARGET.swift)
#   SECONDS  -max_total_time
# Builds Fuzz/bin/TARGET if it is missing (Fuzz/build.sh) and the corpora if Fuzz/corpus-TARGET is missing
# (Fuzz/make_seeds.py from ../shared). New inputs go into Fuzz/corpus-TARGET, crashes/timeouts/leaks into
# Fuzz/artifacts/TARGET/, and the whole log into Fuzz/artifacts/TARGET/run-<UTC time>.log; the final stats are
# printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Fuzz/run.sh TARGET SECONDS [libFuzzer flags...]}
seconds=${2:?usage: Fuzz/run.sh TARGET SECONDS [libFuzzer flags...]}
shift 2

if [ -f "Fuzz/IntelTargets/$target.swift" ]; then
  [ -x "Fuzz/bin/$target" ] || Fuzz/build-intel.sh "$target"
  [ -d "Fuzz/corpus-$target" ] || python3 Fuzz/make_intel_seeds.py
else
  [ -x "Fuzz/bin/$target" ] || Fuzz/build.sh "$target"
  [ -d "Fuzz/corpus-$target" ] || python3 Fuzz/make_seeds.py
fi
mkdir -p "Fuzz/artifacts/$target"
log="Fuzz/artifacts/$target/run-$(date -u +%Y%m%dT%H%M%SZ).log"

dict=()
case "$target" in
  tcp-deframe) ;;
  intel-*) dict=(-dict=Fuzz/intel.dict) ;;
  *) dict=(-dict=Fuzz/dns.dict) ;;
esac

{ cat "Fuzz/bin/$target.source-state" 2>/dev/null || true; } | tee "$log"
set +e
# The Swift runtime's own crash handler reads memory ASan considers poisoned and hides the report: turn it off.
export SWIFT_BACKTRACE=enable=no
# One process (no -jobs/-workers): the machine is shared. -timeout: an input slower than 5 s is a finding.
"Fuzz/bin/$target" "Fuzz/corpus-$target" "${dict[@]}" \
  -max_total_time="$seconds" -print_final_stats=1 -timeout=5 -rss_limit_mb=2048 \
  -artifact_prefix="Fuzz/artifacts/$target/" "$@" 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
set -e
echo "--- $target: exit $status, log $log"
grep -E '^#[0-9]+ +DONE|^stat::' "$log" || true
ls "Fuzz/artifacts/$target" | grep -vE '^run-.*\.log$' | sed 's/^/artifact: /' || true
exit "$status"
