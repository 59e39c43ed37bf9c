#!/usr/bin/env bash
# Regenerates the real-program fixtures: BIND query logs, Unbound query/reply logs and dnsmasq query logs, made by
# the Debian packages themselves on loopback (ports 5391–5394), answering only from local data (no traffic leaves
# the machine). Needs: bind9 bind9-dnsutils unbound dnsmasq-base. Run from anywhere; writes next to this script,
# or into $OUT when that is set (the live test does that).
set -euo pipefail
here="${OUT:-$(cd "$(dirname "$0")" && pwd)}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

q() { dig +time=2 +tries=1 "$@" >/dev/null || true; }

# ---------------------------------------------------------------- BIND (authoritative, two views, query log)
mkdir -p "$work/bind"
cat > "$work/bind/db.bench" <<'EOF'
$TTL 300
@       IN SOA ns.bench.example. hostmaster.bench.example. 1 3600 600 86400 300
        IN NS  ns.bench.example.
ns      IN A   127.0.0.1
www     IN A   192.0.2.80
        IN AAAA 2001:db8::80
alias   IN CNAME www.bench.example.
mail    IN MX 10 www.bench.example.
EOF
cat > "$work/bind/named.conf" <<EOF
options {
    directory "$work/bind";
    pid-file "$work/bind/named.pid";
    listen-on port 5391 { 127.0.0.1; };
    listen-on-v6 port 5391 { ::1; };
    recursion no;
    dnssec-validation no;
    querylog yes;
};
controls { };
logging {
    channel q_full { file "$work/bind/query-full.log"; print-time yes; print-category yes; print-severity yes; severity info; };
    channel q_plain { file "$work/bind/query-plain.log"; print-time yes; severity info; };
    category queries { q_full; q_plain; };
    category default { null; };
};
view "internal" {
    match-clients { 127.0.0.1; };
    zone "bench.example" { type primary; file "$work/bind/db.bench"; };
};
view "external" {
    match-clients { any; };
    zone "bench.example" { type primary; file "$work/bind/db.bench"; };
};
EOF
named -f -u root -c "$work/bind/named.conf" >"$work/bind/stderr" 2>&1 &
bind_pid=$!
for _ in $(seq 300); do dig +time=1 +tries=1 @127.0.0.1 -p 5391 ns.bench.example >/dev/null 2>&1 && break; sleep 0.2; done
q @127.0.0.1 -p 5391 www.bench.example A
q @127.0.0.1 -p 5391 www.bench.example AAAA +tcp
q @127.0.0.1 -p 5391 alias.bench.example A +dnssec +cd
q @127.0.0.1 -p 5391 mail.bench.example MX +norecurse +noedns
q @::1 -p 5391 nothere.bench.example A
q @::1 -p 5391 outside.example.org TXT +nocookie
q @127.0.0.1 -p 5391 version.bind TXT CH
kill "$bind_pid"; wait "$bind_pid" 2>/dev/null || true
cp "$work/bind/query-full.log" "$here/bind-query-full.log"
cp "$work/bind/query-plain.log" "$here/bind-query-plain.log"

# ---------------------------------------------------------------- Unbound (local data only, query + reply log)
mkdir -p "$work/unbound"
write_unbound_conf() { # $1 = logfile, $2 = log-time-ascii
cat > "$work/unbound/unbound.conf" <<EOF
server:
    interface: 127.0.0.1
    interface: ::1
    port: 5392
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$work/unbound"
    pidfile: "$work/unbound/unbound.pid"
    use-syslog: no
    logfile: "$1"
    log-time-ascii: $2
    verbosity: 0
    log-queries: yes
    log-replies: yes
    access-control: 127.0.0.0/8 allow
    access-control: ::1 allow
    local-zone: "." static
    local-zone: "bench.example." static
    local-data: "www.bench.example. 300 IN A 192.0.2.80"
    local-data: "www.bench.example. 300 IN AAAA 2001:db8::80"
    local-data: "txt.bench.example. 60 IN TXT \"hello\""
remote-control:
    control-enable: no
EOF
}
run_unbound() { # $1 = logfile, $2 = log-time-ascii
    write_unbound_conf "$1" "$2"
    unbound -d -c "$work/unbound/unbound.conf" >"$work/unbound/stderr" 2>&1 &
    local pid=$!
    for _ in $(seq 300); do dig +time=1 +tries=1 @127.0.0.1 -p 5392 www.bench.example >/dev/null 2>&1 && break; sleep 0.2; done
    q @127.0.0.1 -p 5392 www.bench.example AAAA
    q @127.0.0.1 -p 5392 txt.bench.example TXT +tcp
    q @127.0.0.1 -p 5392 missing.bench.example A
    q @::1 -p 5392 www.bench.example A
    q @127.0.0.1 -p 5392 bad1.malware.example A
    # On a loaded machine Unbound may still be answering (and logging) when the last dig gives up: wait for the six
    # reply lines before stopping it, so the log is complete.
    for _ in $(seq 100); do [ "$(grep -cE ' IN [A-Z]+ [0-9]+\.[0-9]+ ' "$1" 2>/dev/null || true)" -ge 6 ] && break; sleep 0.1; done
    kill "$pid"; wait "$pid" 2>/dev/null || true
}
run_unbound "$work/unbound/epoch.log" no
run_unbound "$work/unbound/ascii.log" yes
cp "$work/unbound/epoch.log" "$here/unbound-queries-replies.log"
cp "$work/unbound/ascii.log" "$here/unbound-queries-replies-ascii.log"

# ---------------------------------------------------------------- dnsmasq (forwarding to the Unbound above, hosts, blocks)
write_unbound_conf "$work/unbound/upstream.log" no
unbound -d -c "$work/unbound/unbound.conf" >"$work/unbound/stderr2" 2>&1 &
up_pid=$!
for _ in $(seq 300); do dig +time=1 +tries=1 @127.0.0.1 -p 5392 www.bench.example >/dev/null 2>&1 && break; sleep 0.2; done
mkdir -p "$work/dnsmasq"
printf '192.0.2.99 printer.lan\n' > "$work/dnsmasq/hosts"
: > "$work/dnsmasq/empty.conf"   # no system configuration (an empty file, not /dev/null, which a broken machine may lack)
run_dnsmasq() { # $1 = logfile, $2 = log-queries value
    dnsmasq -d -k --conf-file="$work/dnsmasq/empty.conf" --port=5393 --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
        --addn-hosts="$work/dnsmasq/hosts" --server=127.0.0.1#5392 --address=/blocked.example/0.0.0.0 \
        --cname=alias.lan,printer.lan --log-facility="$1" "--log-queries=$2" --pid-file="$work/dnsmasq/pid" \
        >"$work/dnsmasq/stderr" 2>&1 &
    local pid=$!
    for _ in $(seq 300); do dig +time=1 +tries=1 @127.0.0.1 -p 5393 printer.lan >/dev/null 2>&1 && break; sleep 0.2; done
    q @127.0.0.1 -p 5393 www.bench.example A
    q @127.0.0.1 -p 5393 www.bench.example A
    q @127.0.0.1 -p 5393 www.bench.example AAAA
    q @127.0.0.1 -p 5393 missing.bench.example A
    q @127.0.0.1 -p 5393 ads.blocked.example A
    q @127.0.0.1 -p 5393 alias.lan A
    q @127.0.0.1 -p 5393 txt.bench.example TXT
    kill "$pid"; wait "$pid" 2>/dev/null || true
}
run_dnsmasq "$work/dnsmasq/plain.log" yes
run_dnsmasq "$work/dnsmasq/extra.log" extra
kill "$up_pid"; wait "$up_pid" 2>/dev/null || true
cp "$work/dnsmasq/plain.log" "$here/dnsmasq-queries.log"
cp "$work/dnsmasq/extra.log" "$here/dnsmasq-queries-extra.log"
echo "fixtures written to $here"
