#!/usr/bin/env bash
# Builds the libFuzzer targets that span several modules. Each module of the group is compiled once to an
# instrumented object with its .swiftmodule (-package-name dnsight; DNSightCore's embedded catalogue CSVs generated
# as SwiftPM would, by Fuzz/package_resources.py), and every target of the group is linked against them.
#
# Usage: Fuzz/build-targets.sh GROUP [NAME...]      (default: every target of the group)
#   readers       Fuzz/ReaderTargets/NAME.swift       DNSWire, DNSightCore, LogReaders + the system zlib and SQLite
#                                                     (CZlib for gzip input, CSQLite for the Pi-hole FTL database)
#   intel         Fuzz/IntelTargets/NAME.swift        DNSWire, DNSightCore, IntelFeeds (+ IntelTargets/Shared)
#   attribution   Fuzz/AttributionTargets/NAME.swift  DNSWire, DNSightCore and the MMDB part of Attribution
#                                                     (AttributionError.swift + MMDB/: no Yams)
# Outputs: Fuzz/bin/NAME, and Fuzz/bin/NAME.source-state (the commit and any uncommitted change to the modules).
set -euo pipefail
cd "$(dirname "$0")/.."
group=${1:?usage: Fuzz/build-targets.sh readers|intel|attribution [NAME...]}
shift
SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
OUT=Fuzz/bin/modules-$group
mkdir -p "$OUT"
FLAGS=(-O -g -sanitize=fuzzer,address -parse-as-library -package-name dnsight)
INCLUDES=(-I "$OUT" -I Sources/CZlib -I Sources/CSQLite)

case "$group" in
  readers)     dir=Fuzz/ReaderTargets;      modules=(DNSWire DNSightCore LogReaders); libs=(-lz -lsqlite3); extra=() ;;
  intel)       dir=Fuzz/IntelTargets;       modules=(DNSWire DNSightCore IntelFeeds); libs=();            extra=(Fuzz/IntelTargets/Shared/*.swift) ;;
  attribution) dir=Fuzz/AttributionTargets; modules=(DNSWire DNSightCore Attribution); libs=();           extra=() ;;
  *) echo "Fuzz/build-targets.sh: unknown group '$group' (readers, intel or attribution)" >&2; exit 64 ;;
esac

python3 Fuzz/package_resources.py Sources/DNSightCore/Resources/*.csv > "$OUT/PackageResources.swift"

sources() {  # the source files of a module as the fuzz builds compile it
  case "$1" in
    DNSightCore) find Sources/DNSightCore -name '*.swift' | sort; echo "$OUT/PackageResources.swift" ;;
    Attribution) echo Sources/Attribution/AttributionError.swift; find Sources/Attribution/MMDB -name '*.swift' | sort ;;
    *) find "Sources/$1" -name '*.swift' | sort ;;
  esac
}

objects=()
for m in "${modules[@]}"; do
  echo "compiling $m"
  # shellcheck disable=SC2046
  "$SWIFTC" "${FLAGS[@]}" -wmo -c -module-name "$m" "${INCLUDES[@]}" \
    -emit-module -emit-module-path "$OUT/$m.swiftmodule" $(sources "$m") -o "$OUT/$m.o"
  objects+=("$OUT/$m.o")
done

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$dir"/*.swift; do targets+=("$(basename "$f" .swift)"); done
fi
for t in "${targets[@]}"; do
  echo "linking Fuzz/bin/$t"
  "$SWIFTC" "${FLAGS[@]}" -use-ld=lld "${INCLUDES[@]}" "$dir/$t.swift" ${extra[@]+"${extra[@]}"} \
    "${objects[@]}" ${libs[@]+"${libs[@]}"} -o "Fuzz/bin/$t"
  {
    echo "built $(date -u +%FT%TZ) from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    for m in "${modules[@]}"; do git status --porcelain -- "Sources/$m" 2>/dev/null | sed 's/^/uncommitted: /'; done
  } > "Fuzz/bin/$t.source-state"
done
