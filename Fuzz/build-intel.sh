#!/usr/bin/env bash
# Builds the libFuzzer targets for the threat-intel feed parsers (Fuzz/IntelTargets/NAME.swift → Fuzz/bin/NAME).
# DNSWire, DNSightCore (with its embedded catalogue CSVs, generated as SwiftPM would) and IntelFeeds are each
# compiled once to an instrumented object with its .swiftmodule; every target links against them.
#
# Usage: Fuzz/build-intel.sh [NAME...]      (default: every intel target)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
OUT=Fuzz/bin/intel-modules
mkdir -p "$OUT"
FLAGS=(-O -g -sanitize=fuzzer,address -parse-as-library -package-name dnsight)

python3 Fuzz/package_resources.py Sources/DNSightCore/Resources/*.csv > "$OUT/PackageResources.swift"

module() {  # module NAME SOURCE-DIR [extra sources]
  local name=$1 dir=$2; shift 2
  echo "compiling $name"
  # shellcheck disable=SC2046
  "$SWIFTC" "${FLAGS[@]}" -wmo -c -module-name "$name" -I "$OUT" \
    -emit-module -emit-module-path "$OUT/$name.swiftmodule" $(find "$dir" -name '*.swift' | sort) "$@" -o "$OUT/$name.o"
}
module DNSWire Sources/DNSWire
module DNSightCore Sources/DNSightCore "$OUT/PackageResources.swift"
module IntelFeeds Sources/IntelFeeds

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in Fuzz/IntelTargets/*.swift; do targets+=("$(basename "$f" .swift)"); done
fi
for t in "${targets[@]}"; do
  echo "linking Fuzz/bin/$t"
  "$SWIFTC" "${FLAGS[@]}" -use-ld=lld -I "$OUT" "Fuzz/IntelTargets/$t.swift" Fuzz/IntelTargets/Shared/*.swift \
    "$OUT/DNSWire.o" "$OUT/DNSightCore.o" "$OUT/IntelFeeds.o" -o "Fuzz/bin/$t"
  {
    echo "built $(date -u +%FT%TZ) from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    git status --porcelain -- Sources/DNSWire Sources/DNSightCore Sources/IntelFeeds 2>/dev/null | sed 's/^/uncommitted: /'
  } > "Fuzz/bin/$t.source-state"
done
