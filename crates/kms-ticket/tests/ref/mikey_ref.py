#!/usr/bin/env python3
"""Independent reference for the MIKEY cryptography of kms-ticket.

Written from the RFC text alone (RFC 3830 §4.1.2-§4.2.4 and §4.2.8,
RFC 6043 §5.1.1-§5.1.3, §6.1-§6.3, §6.10, Appendix A.1-A.2.2, RFC 3394
§2.2.1, RFC 4330 §3), with Python's hashlib/hmac and the `cryptography`
package for the raw AES block and counter mode. It shares no code with
the Rust implementation.

Prints one vector per line, `name hex`, in a fixed order. The constants in
tests/crypto_vectors.rs were produced by running this once; the test runs it
again and compares (`python3 tests/ref/mikey_ref.py`).
"""

import hashlib
import hmac
import math
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives import keywrap

OUT = []


def emit(name, value):
    if isinstance(value, (bytes, bytearray)):
        value = value.hex()
    OUT.append(f"{name} {value}")


# ---------------------------------------------------------------------------
# RFC 3830 §4.1.2 (and RFC 6043 §6.1 for SHA-256)

def p_function(hash_name, s, label, m):
    """P(s, label, m) = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label),
    A_0 = label, A_i = HMAC(s, A_(i-1))."""
    a = label
    out = b""
    for _ in range(m):
        a = hmac.new(s, a, hash_name).digest()
        out += hmac.new(s, a + label, hash_name).digest()
    return out


def mikey_prf(prf, inkey, label, outkey_len_bits):
    # "160" is the SHA-1 output size; RFC 6043 §6.1 uses 256 for SHA-256.
    hash_name, out_bits = {"mikey1": ("sha1", 160), "sha256": ("sha256", 256)}[prf]
    inkey_len = len(inkey) * 8
    n = math.ceil(inkey_len / 256)
    pieces = [inkey[i * 32:(i + 1) * 32] for i in range(n)]
    m = math.ceil(outkey_len_bits / out_bits)
    acc = bytes(m * (out_bits // 8))
    for s in pieces:
        p = p_function(hash_name, s, label, m)
        acc = bytes(x ^ y for x, y in zip(acc, p))
    # the outkey_len most significant bits
    return acc[:outkey_len_bits // 8]


# ---------------------------------------------------------------------------
# Labels

TGK_CONST = {"tek": 0x2AD01C64, "auth": 0x1B5C7973, "encr": 0x15798CEF, "salt": 0x39A2C14B}  # RFC 3830 Table 4.1.3
MSG_CONST = {"encr": 0x150533E1, "auth": 0x2D22AC75, "salt": 0x29B88916}  # RFC 3830 Table 4.1.4
FORK_CONST = {"mpkr": 0x2B288856, "tgk": 0x1512B54A}  # RFC 6043 Table 5.1
MPK_CONST = {"initiator": 0x220E99A2, "responder": 0x1F4D675B}  # RFC 6043 Table A.1


def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def lab_tgk(kind, cs_id, csb_id, rand):  # RFC 3830 §4.1.3
    return u32(TGK_CONST[kind]) + u8(cs_id) + u32(csb_id) + rand


def lab_env(kind, csb_id, rand):  # RFC 3830 §4.1.4
    return u32(MSG_CONST[kind]) + b"\xff" + u32(csb_id) + rand


def opt(r):
    return u8(0) if r is None else u8(len(r)) + r


def lab_ticket_msg(kind, csb_id, direction, randri, randrr):  # RFC 6043 §5.1.2
    return u32(MSG_CONST[kind]) + b"\xff" + u32(csb_id) + u8(direction) + opt(randri) + opt(randrr)


def lab_ticket_tgk(kind, cs_id, randri, randrr):  # RFC 6043 §5.1.3
    return u32(TGK_CONST[kind]) + u8(cs_id) + b"\xff\xff\xff\xff" + b"\x03" + opt(randri) + opt(randrr)


def lab_fork(which, id_data, randrkms):  # RFC 6043 §5.1.1
    return (u32(FORK_CONST[which]) + b"\xff" + b"\xff\xff\xff\xff" + b"\x00"
            + u16(len(id_data)) + id_data + u8(len(randrkms)) + randrkms)


def lab_initiator_data(kind):  # RFC 6043 §6.10
    return u32(MSG_CONST[kind]) + b"\xff" + b"\xff\xff\xff\xff" + b"\x04"


def lab_tpk(kind, rand):  # RFC 6043 Appendix A.2.1
    return u32(MSG_CONST[kind]) + b"\xff" + b"\xff\xff\xff\xff" + b"\x05" + u8(len(rand)) + rand


def lab_mpk(role, rand):  # RFC 6043 Appendix A.2.2
    return u32(MPK_CONST[role]) + b"\xff" + b"\xff\xff\xff\xff" + b"\x06" + u8(len(rand)) + rand


# ---------------------------------------------------------------------------
# Transforms

def aes_cm(key, salt, csb_id, t, data):
    """RFC 3830 §4.2.3: IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000, then
    AES in counter mode as in SRTP (RFC 3711 §4.1.1)."""
    assert len(salt) == 14
    x = b"\x00\x00" + u32(csb_id) + struct.pack(">Q", t)
    iv = bytes(a ^ b for a, b in zip(salt, x)) + b"\x00\x00"
    enc = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return iv, enc.update(data) + enc.finalize()


def aes_kw_wrap(kek, iv, p):
    """RFC 3394 §2.2.1, index-based, with initial value `iv`."""
    ecb = Cipher(algorithms.AES(kek), modes.ECB()).encryptor()
    n = len(p) // 8
    a = iv
    r = [p[i * 8:(i + 1) * 8] for i in range(n)]
    for j in range(6):
        for i in range(1, n + 1):
            b = ecb.update(a + r[i - 1])
            t = n * j + i
            a = struct.pack(">Q", struct.unpack(">Q", b[:8])[0] ^ t)
            r[i - 1] = b[8:]
    return a + b"".join(r)


def mac(alg, key, data):
    return hmac.new(key, data, {"sha1": "sha1", "sha256": "sha256"}[alg]).digest()


def pattern(n, mul=7, add=1):
    return bytes((i * mul + add) & 0xFF for i in range(n))


# ---------------------------------------------------------------------------
# NTP (RFC 3830 §4.2.8, RFC 4330 §3)

NTP_UNIX = 2208988800


def ntp_from_unix(secs, nanos):
    secs += nanos // 10**9
    nanos %= 10**9
    ntp_secs = (secs + NTP_UNIX) % 2**32
    frac = -(-(nanos << 32) // 10**9)  # rounded up
    return (ntp_secs << 32) | frac


def unix_from_ntp(ntp):
    s = ntp >> 32
    if s & 0x80000000:  # era 0: 1968-2036
        unix = s - NTP_UNIX
    else:  # era 1: 2036-2104
        unix = s + 2**32 - NTP_UNIX
    if unix < 0:
        return "none"
    nanos = ((ntp & 0xFFFFFFFF) * 10**9) >> 32
    return f"{unix}.{nanos:09d}"


def main():
    # Self-checks of the reference against published values.
    # RFC 3394 §4.1 (wrap with the default IV), and the `cryptography` key wrap.
    kek = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
    kd = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
    c = aes_kw_wrap(kek, bytes.fromhex("A6A6A6A6A6A6A6A6"), kd)
    assert c == bytes.fromhex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"), c.hex()
    assert c == keywrap.aes_key_wrap(kek, kd)
    # RFC 2202 §3 test case 2 for HMAC-SHA-1, RFC 4231 §4.3 for HMAC-SHA-256.
    assert mac("sha1", b"Jefe", b"what do ya want for nothing?").hex() == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
    assert mac("sha256", b"Jefe", b"what do ya want for nothing?").hex() == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    # RFC 4330 §3: 1 January 1970 is NTP seconds 2208988800.
    assert ntp_from_unix(0, 0) >> 32 == 0x83AA7E80

    # P-function / PRF, RFC 3830 §4.1.2 and RFC 6043 §6.1.
    prf_label = lab_tgk("tek", 1, 0x12345678, pattern(16, 3, 0xA0))
    emit("prf.label", prf_label)
    for prf in ("mikey1", "sha256"):
        for inlen in (16, 32, 33, 64, 100):
            for outlen in (16, 20, 30, 32, 64, 94):
                emit(f"prf.{prf}.in{inlen}.out{outlen}",
                     mikey_prf(prf, pattern(inlen), prf_label, outlen * 8))

    rand = pattern(16, 3, 0xA0)
    randri = pattern(16, 5, 0x10)
    randrr = pattern(16, 11, 0x20)
    randrkms = pattern(16, 13, 0x30)
    id_data = b"sip:bob@example.org"
    csb_id = 0x12345678

    # RFC 3830 §4.1.3: keys from a TGK.
    tgk16 = pattern(16, 17, 0x55)
    tgk32 = pattern(32, 17, 0x55)
    for kind, outlen in (("tek", 16), ("auth", 20), ("encr", 16), ("salt", 14)):
        lab = lab_tgk(kind, 1, csb_id, rand)
        emit(f"rfc3830_4.1.3.{kind}.label", lab)
        emit(f"rfc3830_4.1.3.{kind}.mikey1.tgk16", mikey_prf("mikey1", tgk16, lab, outlen * 8))
        emit(f"rfc3830_4.1.3.{kind}.sha256.tgk32", mikey_prf("sha256", tgk32, lab, 32 * 8))

    # RFC 3830 §4.1.4: keys from an envelope key / PSK.
    psk = pattern(20, 19, 0x33)
    for kind, outlen in (("encr", 16), ("auth", 20), ("salt", 14)):
        lab = lab_env(kind, csb_id, rand)
        emit(f"rfc3830_4.1.4.{kind}.label", lab)
        emit(f"rfc3830_4.1.4.{kind}.mikey1.psk20", mikey_prf("mikey1", psk, lab, outlen * 8))

    # RFC 6043 §5.1.2: message keys, initial (RANDRi only) and response (both).
    mpk = pattern(16, 23, 0x77)
    for kind, outlen in (("encr", 16), ("auth", 32), ("salt", 14)):
        lab = lab_ticket_msg(kind, csb_id, 1, randri, None)
        emit(f"rfc6043_5.1.2.initial.{kind}.label", lab)
        emit(f"rfc6043_5.1.2.initial.{kind}.sha256", mikey_prf("sha256", mpk, lab, outlen * 8))
        lab = lab_ticket_msg(kind, csb_id, 2, randri, randrr)
        emit(f"rfc6043_5.1.2.response.{kind}.label", lab)
        emit(f"rfc6043_5.1.2.response.{kind}.sha256", mikey_prf("sha256", mpk, lab, outlen * 8))
        lab = lab_ticket_msg(kind, csb_id, 2, None, randrr)
        emit(f"rfc6043_5.1.2.resolve_resp.{kind}.label", lab)
        emit(f"rfc6043_5.1.2.resolve_resp.{kind}.mikey1", mikey_prf("mikey1", mpk, lab, outlen * 8))

    # RFC 6043 §5.1.3: from a TGK/GTGK.
    for kind, outlen in (("tek", 16), ("salt", 14)):
        lab = lab_ticket_tgk(kind, 2, randri, None)
        emit(f"rfc6043_5.1.3.randri.{kind}.label", lab)
        emit(f"rfc6043_5.1.3.randri.{kind}.sha256", mikey_prf("sha256", tgk16, lab, outlen * 8))
        lab = lab_ticket_tgk(kind, 2, randri, randrr)
        emit(f"rfc6043_5.1.3.both.{kind}.label", lab)
        emit(f"rfc6043_5.1.3.both.{kind}.mikey1", mikey_prf("mikey1", tgk16, lab, outlen * 8))

    # RFC 6043 §5.1.1: forked keys, outkey_len = inkey_len.
    for which in ("mpkr", "tgk"):
        lab = lab_fork(which, id_data, randrkms)
        emit(f"rfc6043_5.1.1.{which}.label", lab)
        emit(f"rfc6043_5.1.1.{which}.sha256.key16", mikey_prf("sha256", tgk16, lab, 16 * 8))
        emit(f"rfc6043_5.1.1.{which}.mikey1.key32", mikey_prf("mikey1", tgk32, lab, 32 * 8))

    # RFC 6043 §6.10: the Vr key from MPKr.
    for kind, outlen in (("encr", 16), ("auth", 20), ("salt", 14)):
        lab = lab_initiator_data(kind)
        emit(f"rfc6043_6.10.{kind}.label", lab)
        emit(f"rfc6043_6.10.{kind}.mikey1", mikey_prf("mikey1", mpk, lab, outlen * 8))

    # RFC 6043 Appendix A.2.1: keys from the TPK.
    tpk = pattern(16, 29, 0x11)
    for kind, outlen in (("encr", 16), ("auth", 32), ("salt", 14)):
        lab = lab_tpk(kind, rand)
        emit(f"rfc6043_A.2.1.{kind}.label", lab)
        emit(f"rfc6043_A.2.1.{kind}.sha256", mikey_prf("sha256", tpk, lab, outlen * 8))

    # RFC 6043 Appendix A.2.2: MPKi and MPKr, outkey_len = inkey_len.
    for role in ("initiator", "responder"):
        lab = lab_mpk(role, rand)
        emit(f"rfc6043_A.2.2.{role}.label", lab)
        emit(f"rfc6043_A.2.2.{role}.sha256.mpk16", mikey_prf("sha256", mpk, lab, 16 * 8))
        emit(f"rfc6043_A.2.2.{role}.mikey1.mpk32", mikey_prf("mikey1", tgk32, lab, 32 * 8))

    # KEMAC, RFC 3830 §4.2.3/§4.2.4: AES-CM-128 + HMAC-SHA-1-160, keys per §4.1.4.
    plaintext = pattern(50, 31, 0x02)
    header = bytes.fromhex("0100001234567800")
    t = 0xE8F1A2B3C4D5E6F7
    encr = mikey_prf("mikey1", psk, lab_env("encr", csb_id, rand), 128)
    salt = mikey_prf("mikey1", psk, lab_env("salt", csb_id, rand), 112)
    auth = mikey_prf("mikey1", psk, lab_env("auth", csb_id, rand), 160)
    iv, ct = aes_cm(encr, salt, csb_id, t, plaintext)
    emit("kemac.cm128.iv", iv)
    emit("kemac.cm128.ct", ct)
    emit("kemac.cm128.mac", mac("sha1", auth, header + ct))

    # RFC 6043 §6.2: AES-CM-256 + HMAC-SHA-256-256, keys per §5.1.2 (PRF-HMAC-SHA-256).
    encr = mikey_prf("sha256", mpk, lab_ticket_msg("encr", csb_id, 1, randri, None), 256)
    salt = mikey_prf("sha256", mpk, lab_ticket_msg("salt", csb_id, 1, randri, None), 112)
    auth = mikey_prf("sha256", mpk, lab_ticket_msg("auth", csb_id, 1, randri, None), 256)
    iv, ct = aes_cm(encr, salt, csb_id, t, plaintext)
    emit("kemac.cm256.iv", iv)
    emit("kemac.cm256.ct", ct)
    emit("kemac.cm256.mac", mac("sha256", auth, header + ct))

    # RFC 6043 Appendix A.1: the ticket's KEMAC, keys from the TPK (A.2.1),
    # CSB ID 0xFFFFFFFF in the IV, T of type NTP-UTC-32 padded (§6.3).
    t32 = 0xEAB0C1D2
    encr = mikey_prf("mikey1", tpk, lab_tpk("encr", rand), 128)
    salt = mikey_prf("mikey1", tpk, lab_tpk("salt", rand), 112)
    auth = mikey_prf("mikey1", tpk, lab_tpk("auth", rand), 160)
    iv, ct = aes_cm(encr, salt, 0xFFFFFFFF, t32 << 32, plaintext)
    emit("kemac.ticket.iv", iv)
    emit("kemac.ticket.ct", ct)
    emit("kemac.ticket.v_mac", mac("sha1", auth, header + ct))

    # RFC 3830 §4.2.3: AES-KW-128 with IV = the 64-bit salt, keys per §4.1.4.
    encr = mikey_prf("mikey1", psk, lab_env("encr", csb_id, rand), 128)
    salt = mikey_prf("mikey1", psk, lab_env("salt", csb_id, rand), 64)
    emit("kemac.kw128.salt", salt)
    emit("kemac.kw128.ct", aes_kw_wrap(encr, salt, pattern(32, 31, 0x02)))

    # NTP, RFC 3830 §4.2.8 with the RFC 4330 §3 era rule.
    for secs, nanos in ((0, 0), (1700000000, 500000000), (1700000000, 123456789),
                        (2085978495, 999999999), (2085978496, 0), (4102444800, 1)):
        emit(f"ntp.from_unix.{secs}.{nanos}", f"{ntp_from_unix(secs, nanos):016x}")
    for ntp in (0x83AA7E8000000000, 0xFFFFFFFFFFFFFFFF, 0x0000000000000000,
                0x7FFFFFFF80000000, 0x8000000000000000, 0xEAB0C1D200000000):
        emit(f"ntp.to_unix.{ntp:016x}", unix_from_ntp(ntp))

    print("\n".join(OUT))


if __name__ == "__main__":
    main()
