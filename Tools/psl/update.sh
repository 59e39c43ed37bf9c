#!/usr/bin/env bash
# Refresh the bundled Public Suffix List snapshot from the PyPI package `publicsuffixlist`
# (which ships public_suffix_list.dat, MPL-2.0) and rewrite the MANIFEST next to it.
#
#   Tools/psl/update.sh            # newest version on PyPI
#   Tools/psl/update.sh 1.1.2.20261023   # a pinned version
#
# Needs: pip, unzip, sha256sum. Run from anywhere; writes Sources/PublicSuffix/Resources/PSL/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DEST="$ROOT/Sources/PublicSuffix/Resources/PSL"
SPEC="publicsuffixlist${1:+==$1}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
pip download --quiet --no-deps -d "$TMP" "$SPEC"
WHL="$(ls "$TMP"/publicsuffixlist-*.whl)"
unzip -q "$WHL" -d "$TMP/x"
VERSION="$(basename "$WHL" | sed -E 's/^publicsuffixlist-([^-]+)-.*/\1/')"
DAT="$TMP/x/publicsuffixlist/public_suffix_list.dat"
test -s "$DAT"
cp "$DAT" "$DEST/public_suffix_list.dat"
PSL_VERSION="$(sed -n 's#^// VERSION: ##p' "$DAT" | head -1)"
PSL_COMMIT="$(sed -n 's#^// COMMIT: ##p' "$DAT" | head -1)"
cat > "$DEST/MANIFEST.md" <<MD
# Public Suffix List snapshot

| field | value |
|---|---|
| file | \`public_suffix_list.dat\` |
| list | Public Suffix List (publicsuffix.org), Mozilla Foundation and contributors |
| list version (header) | \`${PSL_VERSION}\` |
| list commit (header) | \`${PSL_COMMIT}\` |
| taken from | PyPI package \`publicsuffixlist\` ${VERSION} (\`$(basename "$WHL")\`, file \`publicsuffixlist/public_suffix_list.dat\`) |
| wheel sha256 | \`$(sha256sum "$WHL" | cut -d' ' -f1)\` |
| file sha256 | \`$(sha256sum "$DEST/public_suffix_list.dat" | cut -d' ' -f1)\` |
| licence | MPL-2.0 (the list's own header; <https://mozilla.org/MPL/2.0/>) |
| updated by | \`Tools/psl/update.sh [VERSION]\` |

The file is used unmodified. \`PublicSuffixList.bundled\` (module \`PublicSuffix\`) loads it; ICANN and private
sections are both used unless a caller asks for ICANN only.
MD
echo "PSL updated to ${PSL_VERSION} (publicsuffixlist ${VERSION})"
