#!/usr/bin/env python3
"""Reference outputs for dnsight's AES-128 and Crypto-PAn tests, from PyPI's `yacryptopan` (and the
`pycryptodomex` AES it uses).

  cryptopan_tool.py anonymize KEYHEX < addresses      print each address's Crypto-PAn image, one a line
  cryptopan_tool.py fixtures DIR                      (re)write the committed fixtures in DIR:
      cryptopan-yacryptopan.txt   key, then "input output" pairs (IPv4 and IPv6) from yacryptopan
      aes128-pycryptodome.txt     "key plaintext ciphertext" hex triples from pycryptodomex AES-ECB
The fixtures are deterministic (fixed seed), so re-running this script reproduces them byte for byte.
"""
import ipaddress
import random
import sys


def anonymize(keyhex):
    from yacryptopan import CryptoPAn
    cp = CryptoPAn(bytes.fromhex(keyhex))
    out = []
    for line in sys.stdin:
        a = line.strip()
        if a:
            out.append(str(ipaddress.ip_address(cp.anonymize(a))))
    sys.stdout.write("\n".join(out) + "\n")


def fixtures(directory):
    from yacryptopan import CryptoPAn
    from Cryptodome.Cipher import AES
    rng = random.Random(20230601)
    key = bytes(rng.randrange(256) for _ in range(32))
    cp = CryptoPAn(key)
    addrs = ["0.0.0.0", "255.255.255.255", "192.0.2.1", "10.0.0.1", "10.0.0.2", "10.0.1.1", "10.255.255.255",
             "::", "::1", "2001:db8::1", "2001:db8::2", "2001:db8:1::1", "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]
    # Clusters sharing prefixes of various lengths, and random addresses.
    for _ in range(40):
        base = rng.getrandbits(32)
        for _ in range(5):
            k = rng.randrange(33)
            addrs.append(str(ipaddress.IPv4Address(base ^ (rng.getrandbits(32) >> k if k < 32 else 0))))
    for _ in range(20):
        base = (0x2001 << 112) | rng.getrandbits(112)
        for _ in range(5):
            k = rng.randrange(129)
            addrs.append(str(ipaddress.IPv6Address(base ^ (rng.getrandbits(128) >> k if k < 128 else 0))))
    with open(f"{directory}/cryptopan-yacryptopan.txt", "w") as f:
        f.write("# Crypto-PAn reference pairs from yacryptopan (Tools/attribution/cryptopan_tool.py fixtures)\n")
        f.write(f"key {key.hex()}\n")
        for a in addrs:
            f.write(f"{a} {ipaddress.ip_address(cp.anonymize(a))}\n")
    # The original Crypto-PAn distribution's key, for a second independent key.
    key2 = b"boojahyoo3vaeToong0Eijee7Ahz3yee"
    cp2 = CryptoPAn(key2)
    with open(f"{directory}/cryptopan-yacryptopan-key2.txt", "w") as f:
        f.write("# Crypto-PAn pairs from yacryptopan with the key of the original C++ distribution's sample\n")
        f.write(f"key {key2.hex()}\n")
        for a in ["128.11.68.132", "129.118.74.4", "130.132.252.244", "141.223.7.43", "141.233.145.108",
                  "152.163.225.39", "156.29.3.236", "165.247.96.84", "166.107.77.190", "192.102.249.13",
                  "192.215.32.125", "193.10.6.126", "193.2.122.34", "207.124.40.213", "2001:db8:abcd::10"]:
            f.write(f"{a} {ipaddress.ip_address(cp2.anonymize(a))}\n")
    with open(f"{directory}/aes128-pycryptodome.txt", "w") as f:
        f.write("# AES-128 key plaintext ciphertext (pycryptodomex AES-ECB; Tools/attribution/cryptopan_tool.py fixtures)\n")
        for _ in range(100):
            k = bytes(rng.randrange(256) for _ in range(16))
            p = bytes(rng.randrange(256) for _ in range(16))
            f.write(f"{k.hex()} {p.hex()} {AES.new(k, AES.MODE_ECB).encrypt(p).hex()}\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "anonymize":
        anonymize(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    else:
        sys.exit(__doc__)
