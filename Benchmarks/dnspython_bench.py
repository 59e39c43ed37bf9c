#!/usr/bin/env python3
"""dnspython on the DNSWire benchmark message, for the Swift/dnspython ratios in BENCHMARKS.md.

Takes the exact message bytes the Swift benchmarks use (compare.sh gets them from `DNSWireThroughput --hex`) and
times, with the same best/median-of-rounds method as the Swift throughput tool:

  decode    dns.message.from_wire(wire)
  encode    msg.to_wire()                          (dnspython compresses names by default)
  fastpath  dns.message.from_wire(wire, question_only=True)   (dnspython's nearest equivalent of QuestionSummary)

Prints one line per case: `<case> best=<msgs/s> median=<msgs/s> n=<messages per round>`.
"""

import argparse
import statistics
import sys
import time

import dns.message
import dns.rdatatype
import dns.version


def measure(name, fn, rounds, seconds):
    # Calibrate like timeit's autorange: grow the batch until it takes at least a tenth of a round.
    n = 1
    while True:
        dt = float("inf")
        for _ in range(3):  # the fastest of 3 tries, so that one preempted batch does not set the size
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            dt = min(dt, time.perf_counter() - t0)
        if dt >= seconds / 10:
            n = max(n, int(n * seconds / dt))
            break
        n *= 4
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        rates.append(n / (time.perf_counter() - t0))
    rates.sort()
    print(f"{name} best={int(rates[-1])} median={int(statistics.median_low(rates))} n={n}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hex", required=True, help="the message bytes as hex")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--seconds", type=float, default=0.002)
    args = ap.parse_args()

    wire = bytes.fromhex(args.hex)
    msg = dns.message.from_wire(wire)
    # Make sure dnspython sees the message the Swift side decodes: one question, CNAME + 2 A, EDNS0.
    answers = sum(len(rrset) for rrset in msg.answer)
    if len(msg.question) != 1 or answers != 3 or msg.edns != 0:
        sys.exit(f"unexpected message: {len(msg.question)} questions, {answers} answers, edns {msg.edns}")
    types = sorted(dns.rdatatype.to_text(rrset.rdtype) for rrset in msg.answer)
    if types != ["A", "CNAME"]:
        sys.exit(f"unexpected answer types {types}")
    # dnspython keeps an RRset's records in a set, so to_wire may order the two A records either way; the length
    # (same compression) and the decoded message are what must match.
    rewired = msg.to_wire()
    if len(rewired) != len(wire) or dns.message.from_wire(rewired) != msg:
        sys.exit(f"dnspython re-encodes the message differently: {rewired.hex()}")
    print(f"# dnspython {dns.version.version}, Python {sys.version.split()[0]}, {len(wire)}-byte message; "
          f"to_wire gives {len(rewired)} bytes, {'byte-identical' if rewired == wire else 'same up to A record order'}",
          flush=True)

    measure("decode", lambda: dns.message.from_wire(wire), args.rounds, args.seconds)
    measure("encode", msg.to_wire, args.rounds, args.seconds)
    measure("fastpath", lambda: dns.message.from_wire(wire, question_only=True), args.rounds, args.seconds)


if __name__ == "__main__":
    main()
