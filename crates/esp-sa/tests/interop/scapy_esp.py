#!/usr/bin/env python3
"""ESP through scapy's SecurityAssociation, for crates/esp-sa/tests/scapy_interop.rs.

Reads one request per line on stdin and answers one line on stdout:

    encrypt|decrypt CRYPT CRYPT_KEY AUTH AUTH_KEY SPI SEQ ESN IV PACKET

CRYPT and AUTH are scapy's algorithm names ('AES-CBC', 'HMAC-SHA1-96', ...),
keys, IV and PACKET are hexadecimal ('-' for empty), SPI and SEQ decimal
(SEQ is the full 64-bit sequence number; with ESN = 1 its high half is
scapy's `esn`), PACKET a whole IPv4 or IPv6 packet.

- encrypt: PACKET is plain; scapy protects it in transport mode with
  sequence number SEQ and the given IV, and the answer is `ok HEX`.
- decrypt: PACKET carries ESP; scapy checks and decrypts it, and the answer
  is `ok HEX` (the packet scapy gives back), or `err MESSAGE`.

The first line written is `ready scapy VERSION`.
"""

import sys
import traceback

import scapy
from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP, SecurityAssociation


def unhex(field):
    return b"" if field == "-" else bytes.fromhex(field)


def parse_ip(raw):
    return IPv6(raw) if raw[0] >> 4 == 6 else IP(raw)


def handle(fields):
    op, crypt, crypt_key, auth, auth_key, spi, seq, esn, iv, packet = fields
    seq = int(seq)
    esn_en = esn == "1"
    # The SA is made for each packet so that the sequence number (even a low
    # half of 0 with ESN) is exactly the one asked for: scapy's encrypt()
    # treats seq_num=0 as "not given".
    sa = SecurityAssociation(
        ESP,
        spi=int(spi),
        seq_num=seq & 0xFFFFFFFF,
        crypt_algo=crypt,
        crypt_key=unhex(crypt_key) or None,
        auth_algo=auth,
        auth_key=unhex(auth_key) or None,
        esn_en=esn_en,
        esn=(seq >> 32) if esn_en else 0,
    )
    pkt = parse_ip(unhex(packet))
    if op == "encrypt":
        out = sa.encrypt(pkt, iv=unhex(iv))
    elif op == "decrypt":
        out = sa.decrypt(pkt)
    else:
        raise ValueError("unknown operation " + op)
    return bytes(out).hex() or "-"


def main():
    print("ready scapy " + scapy.VERSION, flush=True)
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        try:
            answer = "ok " + handle(fields)
        except Exception as e:  # the Rust side reports it with the request
            last = traceback.extract_tb(e.__traceback__)[-1]
            answer = "err %s: %s (%s:%d)" % (
                type(e).__name__,
                str(e).replace("\n", " "),
                last.filename.rsplit("/", 1)[-1],
                last.lineno,
            )
        print(answer, flush=True)


if __name__ == "__main__":
    main()
