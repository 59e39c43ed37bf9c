#!/usr/bin/env bash
# Builds the libFuzzer target for the MaxMind DB reader (Fuzz/AttributionTargets/read-mmdb.swift → Fuzz/bin/read-mmdb).
# The reader needs only DNSWire, DNSightCore and the Attribution module's MMDB files and error type (not the YAML
# inventory, so not Yams): those are compiled as one instrumented module named Attribution.
#
# Usage: Fuzz/build-attribution.sh
# Then:  Fuzz/run.sh read-mmdb SECONDS      (seeds: Fuzz/make_mmdb_seeds.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
OUT=Fuzz/bin/modules-attribution
mkdir -p "$OUT"
FLAGS=(-O -g -sanitize=fuzzer,address -parse-as-library -package-name dnsight)

resources() {  # as in build-readers.sh: `.embedInCode` resources as a PackageResources struct
  local dir=$2/Resources out="$OUT/$1_resources.swift"
  [ -d "$dir" ] || return 0
  python3 - "$dir" "$out" <<'PY'
import os, sys
d, out = sys.argv[1], sys.argv[2]
with open(out, "w") as f:
    f.write("struct PackageResources {\n")
    for n in sorted(os.listdir(d)):
        data = open(os.path.join(d, n), "rb").read()
        f.write("static let %s: [UInt8] = [%s]\n" % (n.replace(".", "_").replace("-", "_"), ",".join(map(str, data))))
    f.write("}\n")
PY
  echo "$out"
}

module() {  # module NAME FILES...
  local name=$1; shift
  echo "compiling $name"
  "$SWIFTC" "${FLAGS[@]}" -wmo -c -module-name "$name" -I "$OUT" \
    -emit-module -emit-module-path "$OUT/$name.swiftmodule" "$@" -o "$OUT/$name.o"
}
# shellcheck disable=SC2046
module DNSWire $(find Sources/DNSWire -name '*.swift' | sort)
# shellcheck disable=SC2046
module DNSightCore $(find Sources/DNSightCore -name '*.swift' | sort) $(resources DNSightCore Sources/DNSightCore)
module Attribution Sources/Attribution/AttributionError.swift Sources/Attribution/MMDB/*.swift
echo "linking Fuzz/bin/read-mmdb"
"$SWIFTC" "${FLAGS[@]}" -use-ld=lld -I "$OUT" Fuzz/AttributionTargets/read-mmdb.swift \
  "$OUT/DNSWire.o" "$OUT/DNSightCore.o" "$OUT/Attribution.o" -o Fuzz/bin/read-mmdb
