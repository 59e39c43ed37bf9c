#!/usr/bin/env bash
# Builds the libFuzzer targets: each Fuzz/Targets/NAME.swift is compiled together with the DNSWire sources into one
# module (no SwiftPM, no @testable), instrumented for libFuzzer and AddressSanitizer, into Fuzz/bin/NAME.
#
# Usage: Fuzz/build.sh [NAME...]      (default: every target)
# Env:   SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc), SWIFT_FLAGS (extra flags)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
mkdir -p Fuzz/bin

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in Fuzz/Targets/*.swift; do targets+=("$(basename "$f" .swift)"); done
fi

sources=(Sources/DNSWire/*.swift Sources/DNSWire/Records/*.swift)
for t in "${targets[@]}"; do
  src="Fuzz/Targets/$t.swift"
  [ -f "$src" ] || { echo "no such target: $src" >&2; exit 2; }
  echo "building Fuzz/bin/$t"
  # -parse-as-library: the target has no top-level code; libFuzzer provides main().
  # -g: symbolized stack traces in crash reports.
  "$SWIFTC" -O -g -sanitize=fuzzer,address -use-ld=lld -parse-as-library -module-name DNSWireFuzz \
    ${SWIFT_FLAGS:-} "${sources[@]}" "$src" -o "Fuzz/bin/$t"
  # Which codec the binary holds: the commit, uncommitted changes to Sources/DNSWire, and a hash of the sources.
  {
    echo "built $(date -u +%FT%TZ) from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    git status --porcelain -- Sources/DNSWire 2>/dev/null | sed 's/^/uncommitted: /'
    echo "sources sha256 $(cat "${sources[@]}" "$src" | sha256sum | cut -c1-16)"
  } > "Fuzz/bin/$t.source-state"
done
