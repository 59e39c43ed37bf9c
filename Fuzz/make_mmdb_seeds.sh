#!/usr/bin/env bash
# Seeds for the read-mmdb fuzz target: small databases from Tools/attribution/mmdb_tool.py (every record size,
# IPv4 and IPv6 trees, every data type, 4-byte pointers, one from mmdb-writer) in Fuzz/corpus-read-mmdb/.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=Fuzz/corpus-read-mmdb
mkdir -p "$dir"
for rs in 24 28 32; do
  for v in 4 6; do
    python3 Tools/attribution/mmdb_tool.py raw "$dir/small-$rs-$v.mmdb" --record-size "$rs" --ip-version "$v" --scenario small
  done
done
python3 Tools/attribution/mmdb_tool.py raw "$dir/small-ss3.mmdb" --record-size 28 --ip-version 6 --scenario small --ss3
echo '{"ip_version": 6, "ipv4_compatible": true, "networks": [["1.2.3.0/24", {"country": {"iso_code": "JP"}, "autonomous_system_number": 2497}], ["2001:db8::/32", {"country_code": "DE", "asn": "AS64496"}]]}' > "$dir/spec.json"
python3 Tools/attribution/mmdb_tool.py writer "$dir/writer-small.mmdb" "$dir/spec.json"
rm "$dir/spec.json"
ls -la "$dir"
