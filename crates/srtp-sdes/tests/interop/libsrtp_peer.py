#!/usr/bin/env python3
"""SRTP/SRTCP through libsrtp (PyPI pylibsrtp), for crates/srtp-sdes/tests/libsrtp.rs.

Reads one JSON job per line on stdin and answers one JSON line on stdout:

    {"suite": "AES_CM_128_HMAC_SHA1_80",   SDES name of the crypto suite
     "key": "HEX",                         master key || master salt
     "op": "protect" | "unprotect",
     "kind": "rtp" | "rtcp",
     "packets": ["HEX", ...],              run in order through ONE session
     "roc": {"SSRC": ROC, ...},            optional: streams that start at a ROC
     "window": 128}                        optional: replay window (64..32768)

    -> {"packets": [{"ok": "HEX"} | {"err": "MESSAGE"}, ...]}
    -> {"error": "MESSAGE"}                the session could not be made

Each job gets a fresh libsrtp session (`ssrc_any_outbound` to protect,
`ssrc_any_inbound` to unprotect), so the SRTP ROC, replay windows and SRTCP
index start afresh. The first line written is
{"ready": "pylibsrtp VERSION", "libsrtp": "libsrtp2 VERSION"}.

pylibsrtp names four profiles (AES-128-CM with HMAC-SHA1 80/32, AES-GCM
128/256). The AES-192/256-CM suites of RFC 6188 have no profile, so their
srtp_crypto_policy_t is written directly (pylibsrtp's cffi declares that
struct opaque; its layout is six 32-bit ints, checked at start-up against a
profile). A stream's ROC is set with srtp_set_stream_roc, which pylibsrtp
does not wrap: it is called through ctypes in the same loaded library.
"""

import ctypes
import json
import sys

import pylibsrtp
from pylibsrtp import Policy, Session
from pylibsrtp._binding import ffi, lib

# libsrtp's srtp_cipher_type_id_t, srtp_auth_type_id_t and srtp_sec_serv_t.
AES_ICM_128, AES_ICM_192, AES_ICM_256 = 1, 4, 5
HMAC_SHA1 = 3
CONF_AND_AUTH = 3

# SDES name -> pylibsrtp profile, or the raw crypto policy
# (cipher, key+salt bytes, auth, auth key bytes, SRTP tag bytes, services);
# SRTCP always has an 80-bit tag with HMAC-SHA1 (RFC 4568 6.2.2).
PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
    "AEAD_AES_128_GCM": Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
    "AEAD_AES_256_GCM": Policy.SRTP_PROFILE_AEAD_AES_256_GCM,
}
RAW = {
    "AES_192_CM_HMAC_SHA1_80": (AES_ICM_192, 38, HMAC_SHA1, 20, 10, CONF_AND_AUTH),
    "AES_192_CM_HMAC_SHA1_32": (AES_ICM_192, 38, HMAC_SHA1, 20, 4, CONF_AND_AUTH),
    "AES_256_CM_HMAC_SHA1_80": (AES_ICM_256, 46, HMAC_SHA1, 20, 10, CONF_AND_AUTH),
    "AES_256_CM_HMAC_SHA1_32": (AES_ICM_256, 46, HMAC_SHA1, 20, 4, CONF_AND_AUTH),
}

LIBRARY = ctypes.CDLL(sys.modules["pylibsrtp._binding"].__file__)
LIBRARY.srtp_set_stream_roc.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
LIBRARY.srtp_set_stream_roc.restype = ctypes.c_int
LIBRARY.srtp_get_version_string.restype = ctypes.c_char_p


def crypto_policy(policy, field):
    """The six ints of policy.rtp or policy.rtcp (srtp_crypto_policy_t)."""
    return ffi.cast("int32_t *", ffi.addressof(policy._policy, field))


def check_layout():
    p = Policy(srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80)
    ints = crypto_policy(p, "rtp")
    found = [ints[i] for i in range(6)]
    expected = [AES_ICM_128, 30, HMAC_SHA1, 20, 10, CONF_AND_AUTH]
    if ffi.sizeof(p._policy.rtp) != 24 or found != expected:
        raise SystemExit("srtp_crypto_policy_t layout is not as expected: %r" % found)


def make_policy(suite, key, ssrc_type, ssrc_value=0, window=0):
    if suite in PROFILES:
        p = Policy(key=key, ssrc_type=ssrc_type, ssrc_value=ssrc_value,
                   srtp_profile=PROFILES[suite])
    elif suite in RAW:
        cipher, key_len, auth, auth_key_len, tag_len, serv = RAW[suite]
        if len(key) != key_len:
            raise ValueError("key || salt must be %d bytes" % key_len)
        p = Policy(ssrc_type=ssrc_type, ssrc_value=ssrc_value)
        for field, tag in (("rtp", tag_len), ("rtcp", 10)):
            ints = crypto_policy(p, field)
            for i, v in enumerate((cipher, key_len, auth, auth_key_len, tag, serv)):
                ints[i] = v
        # Policy.key checks the length against the profile it was made
        # with (AES-128, 30 bytes): longer keys pass that check.
        p.key = key
    else:
        raise ValueError("unknown suite " + suite)
    if window:
        p.window_size = window
    return p


def run(job):
    suite, key = job["suite"], bytes.fromhex(job["key"])
    protect = job["op"] == "protect"
    rtcp = job["kind"] == "rtcp"
    window = job.get("window", 0)
    try:
        any_ssrc = Policy.SSRC_ANY_OUTBOUND if protect else Policy.SSRC_ANY_INBOUND
        session = Session(make_policy(suite, key, any_ssrc, window=window))
        for ssrc, roc in job.get("roc", {}).items():
            ssrc = int(ssrc)
            session.add_stream(make_policy(suite, key, Policy.SSRC_SPECIFIC, ssrc, window))
            handle = int(ffi.cast("uintptr_t", session._srtp[0]))
            rc = LIBRARY.srtp_set_stream_roc(handle, ssrc, roc)
            if rc != 0:
                raise pylibsrtp.Error("srtp_set_stream_roc: %d" % rc)
    except (pylibsrtp.Error, ValueError) as e:
        return {"error": "%s: %s" % (type(e).__name__, e)}
    if protect:
        func = session.protect_rtcp if rtcp else session.protect
    else:
        func = session.unprotect_rtcp if rtcp else session.unprotect
    out = []
    for packet in job["packets"]:
        try:
            out.append({"ok": func(bytes.fromhex(packet)).hex()})
        except (pylibsrtp.Error, ValueError) as e:
            out.append({"err": str(e)})
    return {"packets": out}


def main():
    check_layout()
    version = LIBRARY.srtp_get_version_string().decode()
    print(json.dumps({"ready": "pylibsrtp " + pylibsrtp.__version__, "libsrtp": version}),
          flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
