"""GStreamer's MIKEY (GstSdp, gst-plugins-base) as an interop peer for tests/gstreamer.rs.

  gst_mikey.py read   < lines of base64 MIKEY messages
      Parses each with gst_mikey_message_new_from_data and, wrapped in an SDP
      `a=key-mgmt:mikey` line, with gst_sdp_message_parse_keymgmt; prints one
      JSON object per line with every field GStreamer decoded.
  gst_mikey.py build N SEED
      Builds N messages with GstSdp's builder API (PyGObject) and prints one
      JSON object per line: {"b64": base64_encode(), "fields": what was set}.

Reading goes through ctypes because the GI bindings cannot call
new_from_bytes without a GstMIKEYDecryptInfo (which GI cannot construct) and
expose payloads only as the base GstMIKEYPayload type. Run with /usr/bin/python3.
"""
import base64
import ctypes
import json
import random
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import Gst, GstSdp  # noqa: E402

Gst.init(None)
lib = ctypes.CDLL("libgstsdp-1.0.so.0")

u8p = ctypes.POINTER(ctypes.c_uint8)


class MiniObject(ctypes.Structure):
    _fields_ = [("type", ctypes.c_size_t), ("refcount", ctypes.c_int), ("lockstate", ctypes.c_int),
                ("flags", ctypes.c_uint), ("copy", ctypes.c_void_p), ("dispose", ctypes.c_void_p),
                ("free", ctypes.c_void_p), ("priv_uint", ctypes.c_uint), ("priv_pointer", ctypes.c_void_p)]


class GArray(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("len", ctypes.c_uint)]


class Msg(ctypes.Structure):
    _fields_ = [("mo", MiniObject), ("version", ctypes.c_uint8), ("type", ctypes.c_int), ("V", ctypes.c_int),
                ("prf_func", ctypes.c_int), ("CSB_id", ctypes.c_uint32), ("map_type", ctypes.c_int),
                ("map_info", ctypes.POINTER(GArray)), ("payloads", ctypes.POINTER(GArray))]


class MapSRTP(ctypes.Structure):
    _fields_ = [("policy", ctypes.c_uint8), ("ssrc", ctypes.c_uint32), ("roc", ctypes.c_uint32)]


class Payload(ctypes.Structure):
    _fields_ = [("mo", MiniObject), ("type", ctypes.c_int), ("len", ctypes.c_uint)]


class PT(ctypes.Structure):
    _fields_ = [("pt", Payload), ("type", ctypes.c_int), ("ts_value", u8p)]


class PRand(ctypes.Structure):
    _fields_ = [("pt", Payload), ("len", ctypes.c_uint8), ("rand", u8p)]


class PSP(ctypes.Structure):
    _fields_ = [("pt", Payload), ("policy", ctypes.c_uint), ("proto", ctypes.c_int), ("params", ctypes.POINTER(GArray))]


class SPParam(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint8), ("len", ctypes.c_uint8), ("val", u8p)]


class PKemac(ctypes.Structure):
    _fields_ = [("pt", Payload), ("enc_alg", ctypes.c_int), ("mac_alg", ctypes.c_int), ("subpayloads", ctypes.POINTER(GArray))]


class PKeyData(ctypes.Structure):
    _fields_ = [("pt", Payload), ("key_type", ctypes.c_int), ("key_len", ctypes.c_uint16), ("key_data", u8p),
                ("salt_len", ctypes.c_uint16), ("salt_data", u8p), ("kv_type", ctypes.c_int),
                ("kv_len", ctypes.c_uint8 * 2), ("kv_data", u8p * 2)]


class PPke(ctypes.Structure):
    _fields_ = [("pt", Payload), ("C", ctypes.c_int), ("data_len", ctypes.c_uint16), ("data", u8p)]


lib.gst_mikey_message_new_from_data.restype = ctypes.POINTER(Msg)
lib.gst_mikey_message_new_from_data.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_void_p]
lib.gst_sdp_message_new_from_text.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
lib.gst_sdp_message_parse_keymgmt.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.POINTER(Msg))]
lib.gst_sdp_message_free.argtypes = [ctypes.c_void_p]


def hexb(p, n):
    return bytes(p[:n]).hex() if n else ""


def ptrs(arr):
    a = arr.contents
    return (ctypes.c_void_p * a.len).from_address(a.data) if a.len else []


TS_LEN = {0: 8, 1: 8, 2: 4}


def payload_fields(addr):
    p = Payload.from_address(addr)
    if p.type == 5:
        t = PT.from_address(addr)
        return {"pt": 5, "ts_type": t.type, "ts": hexb(t.ts_value, TS_LEN[t.type])}
    if p.type == 11:
        r = PRand.from_address(addr)
        return {"pt": 11, "rand": hexb(r.rand, r.len)}
    if p.type == 10:
        s = PSP.from_address(addr)
        n = s.params.contents.len
        params = (SPParam * n).from_address(s.params.contents.data) if n else []
        return {"pt": 10, "policy": s.policy, "proto": s.proto, "params": [[q.type, hexb(q.val, q.len)] for q in params]}
    if p.type == 1:
        k = PKemac.from_address(addr)
        keys = []
        for sub in ptrs(k.subpayloads):
            d = PKeyData.from_address(sub)
            kv = []
            if d.kv_type == 1:
                kv = [hexb(d.kv_data[0], d.kv_len[0])]
            elif d.kv_type == 2:
                kv = [hexb(d.kv_data[0], d.kv_len[0]), hexb(d.kv_data[1], d.kv_len[1])]
            keys.append({"key_type": d.key_type, "key": hexb(d.key_data, d.key_len),
                         "salt": hexb(d.salt_data, d.salt_len) if d.salt_len else None,
                         "kv_type": d.kv_type, "kv": kv})
        return {"pt": 1, "enc_alg": k.enc_alg, "mac_alg": k.mac_alg, "keys": keys}
    if p.type == 2:
        e = PPke.from_address(addr)
        return {"pt": 2, "c": e.C, "data": hexb(e.data, e.data_len)}
    return {"pt": p.type}


def message_fields(m):
    mm = m.contents
    n = mm.map_info.contents.len
    cs = (MapSRTP * n).from_address(mm.map_info.contents.data) if n else []
    return {"version": mm.version, "type": mm.type, "v": bool(mm.V), "prf": mm.prf_func, "csb_id": mm.CSB_id,
            "map_type": mm.map_type, "cs": [[c.policy, c.ssrc, c.roc] for c in cs],
            "payloads": [payload_fields(a) for a in ptrs(mm.payloads)]}


def read():
    for line in sys.stdin:
        b64 = line.strip()
        if not b64:
            continue
        raw = base64.b64decode(b64)
        m = lib.gst_mikey_message_new_from_data(raw, len(raw), None, None)
        out = {"ok": bool(m)}
        if m:
            out["fields"] = message_fields(m)
        # The same message as our SDP attribute, through GStreamer's SDP parser.
        sdp = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=key-mgmt:mikey %s\r\n"
               "m=audio 5004 RTP/SAVP 0\r\n" % b64).encode()
        sdpm = ctypes.c_void_p()
        lib.gst_sdp_message_new_from_text(sdp, ctypes.byref(sdpm))
        km = ctypes.POINTER(Msg)()
        lib.gst_sdp_message_parse_keymgmt(sdpm, ctypes.byref(km))
        out["keymgmt_ok"] = bool(km) and message_fields(km) == out.get("fields")
        lib.gst_sdp_message_free(sdpm)
        print(json.dumps(out), flush=True)


def build(n, seed):
    rng = random.Random(seed)
    for i in range(n):
        m = GstSdp.MIKEYMessage.new()
        v = rng.random() < 0.5
        csb = rng.getrandbits(32)
        m.set_info(1, GstSdp.MIKEYType.PSK_INIT, v, GstSdp.MIKEYPRFFunc.MIKEY_PRF_MIKEY_1, csb,
                   GstSdp.MIKEYMapType.MIKEY_MAP_TYPE_SRTP)
        cs = []
        for _ in range(i % 4):
            c = [rng.randrange(3), rng.getrandbits(32), rng.getrandbits(32)]
            m.add_cs_srtp(*c)
            cs.append(c)
        payloads = []
        ts_type = [GstSdp.MIKEYTSType.NTP_UTC, GstSdp.MIKEYTSType.NTP, GstSdp.MIKEYTSType.COUNTER][i % 3]
        ts = [rng.getrandbits(8) for _ in range(TS_LEN[int(ts_type)])]
        m.add_t(ts_type, ts)
        payloads.append({"pt": 5, "ts_type": int(ts_type), "ts": bytes(ts).hex()})
        rand = [rng.getrandbits(8) for _ in range(16 + i % 17)]
        m.add_rand(rand)
        payloads.append({"pt": 11, "rand": bytes(rand).hex()})
        for policy in range(1 + i % 2):
            sp = GstSdp.MIKEYPayload.new(GstSdp.MIKEYPayloadType.SP)
            sp.sp_set(policy, GstSdp.MIKEYSecProto.MIKEY_SEC_PROTO_SRTP)
            params = []
            for t in sorted(rng.sample(range(13), rng.randrange(1, 14))):
                val = [rng.getrandbits(8) for _ in range(4 if t == 6 else 1)]
                sp.sp_add_param(t, val)
                params.append([t, bytes(val).hex()])
            m.add_payload(sp)
            payloads.append({"pt": 10, "policy": policy, "proto": 0, "params": params})
        kemac = GstSdp.MIKEYPayload.new(GstSdp.MIKEYPayloadType.KEMAC)
        kemac.kemac_set(GstSdp.MIKEYEncAlg.NULL, GstSdp.MIKEYMacAlg.NULL)
        keys = []
        for k in range(1 + i % 3):
            kd = GstSdp.MIKEYPayload.new(GstSdp.MIKEYPayloadType.KEY_DATA)
            kt = [GstSdp.MIKEYKeyDataType.TGK, GstSdp.MIKEYKeyDataType.TEK][(i + k) % 2]
            key = [rng.getrandbits(8) for _ in range([16, 24, 32][(i + k) % 3])]
            kd.key_data_set_key(kt, key)
            salt = None
            if (i + k) % 4 != 0:
                salt = [rng.getrandbits(8) for _ in range([12, 14][k % 2])]
                kd.key_data_set_salt(salt)
            kv = []
            if (i + k) % 3 != 0:
                spi = [rng.getrandbits(8) for _ in range(1 + k)]
                kd.key_data_set_spi(spi)
                kv = [bytes(spi).hex()]
            kemac.kemac_add_sub(kd)
            keys.append({"key_type": int(kt), "key": bytes(key).hex(),
                         "salt": bytes(salt).hex() if salt else None, "kv_type": 1 if kv else 0, "kv": kv})
        m.add_payload(kemac)
        payloads.append({"pt": 1, "enc_alg": 0, "mac_alg": 0, "keys": keys})
        fields = {"version": 1, "type": 0, "v": v, "prf": 0, "csb_id": csb, "map_type": 0, "cs": cs,
                  "payloads": payloads}
        print(json.dumps({"b64": m.base64_encode(), "fields": fields}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read()
    else:
        build(int(sys.argv[2]), int(sys.argv[3]))
