#!/usr/bin/env bash
# Builds the libFuzzer targets for the log readers (Fuzz/ReaderTargets/NAME.swift → Fuzz/bin/NAME).
# The readers span several modules (DNSWire, DNSightCore, LogReaders + system zlib), so each module is compiled
# once to an instrumented object with its .swiftmodule, and every target links against them.
#
# Usage: Fuzz/build-readers.sh [NAME...]      (default: every reader target)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
OUT=Fuzz/bin/modules
mkdir -p "$OUT"
FLAGS=(-O -g -sanitize=fuzzer,address -parse-as-library -package-name dnsight)

# DNSightCore embeds its catalogue CSVs (`.embedInCode`); generate the enum SwiftPM would.
python3 Fuzz/package_resources.py Sources/DNSightCore/Resources/*.csv > "$OUT/PackageResources.swift"

module() {  # module NAME SOURCE-DIR [extra flags]
  local name=$1 dir=$2; shift 2
  echo "compiling $name"
  # shellcheck disable=SC2046
  "$SWIFTC" "${FLAGS[@]}" -wmo -c -module-name "$name" -I "$OUT" -I Sources/CZlib "$@" \
    -emit-module -emit-module-path "$OUT/$name.swiftmodule" $(find "$dir" -name '*.swift' | sort) -o "$OUT/$name.o"
}
module DNSWire Sources/DNSWire
module DNSightCore Sources/DNSightCore "$OUT/PackageResources.swift"
module LogReaders Sources/LogReaders

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in Fuzz/ReaderTargets/*.swift; do targets+=("$(basename "$f" .swift)"); done
fi
for t in "${targets[@]}"; do
  echo "linking Fuzz/bin/$t"
  "$SWIFTC" "${FLAGS[@]}" -use-ld=lld -I "$OUT" -I Sources/CZlib "Fuzz/ReaderTargets/$t.swift" \
    "$OUT/DNSWire.o" "$OUT/DNSightCore.o" "$OUT/LogReaders.o" -lz -o "Fuzz/bin/$t"
done
