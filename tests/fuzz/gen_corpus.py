#!/usr/bin/env python3
"""Seed inputs for tests/fuzz/fuzz_evs.c and fuzz_stream.c.

    python3 tests/fuzz/gen_corpus.py OUTDIR      # writes OUTDIR/evs, OUTDIR/stream

Seeds come from three places:
  - the event-stream conformance frames in tests/vectors/eventstream-*
    (valid and invalid, byte for byte);
  - response bodies captured from the Bedrock simulator (tests/sim), over
    HTTPS with a real SigV4 signature: plain answers, unicode, \\uXXXX JSON,
    ping, refusal, max_tokens, and its faults (in-stream exceptions, bad
    CRCs, garbage, a frame cut short, no message_stop), plus its HTTP error
    replies (status, x-amzn-ErrorType, body);
  - hand-made inputs for fuzz_stream's record, HTTP-error and JSON modes
    (the input formats are described at the top of fuzz_stream.c).

The committed corpus (tests/fuzz/corpus/) is what libFuzzer kept after
fuzzing from these seeds and merging (-merge=1); this script is how to
start again from scratch.
"""

import base64
import hashlib
import http.client
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import zlib
import struct

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "sim"))
import sim_client  # noqa: E402  (tests/sim)
import bedrock_sim  # noqa: E402

AKID, SECRET = "AKIDSIMULATOR", "simulator/secret/key+EXAMPLE"
MODEL = "us.anthropic.claude-sonnet-4-6"


def write(d, name, data):
    os.makedirs(d, exist_ok=True)
    if isinstance(name, bytes) or name is None:
        name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------
# conformance vectors
# ---------------------------------------------------------------------------
def vector_frames():
    out = []
    base = os.path.join(ROOT, "tests", "vectors")
    for sub in ("eventstream-aws-sdk-go/testdata/encoded/positive",
                "eventstream-aws-sdk-go/testdata/encoded/negative",
                "eventstream-smithy-rs/test_data"):
        d = os.path.join(base, sub)
        for n in sorted(os.listdir(d)):
            with open(os.path.join(d, n), "rb") as f:
                tag = "go-" + sub.split("/")[-1] if "sdk-go" in sub else "rs"
                out.append(("vec-%s-%s" % (tag, n), f.read()))
    return out


# ---------------------------------------------------------------------------
# hand-made frames with valid CRCs around broken structure: each one reaches
# a different check after the CRCs (a fuzzer rarely repairs a CRC itself)
# ---------------------------------------------------------------------------
def frame(headers, payload=b"", total=None, hl=None):
    """A frame with correct CRCs over whatever the fields say."""
    hl = len(headers) if hl is None else hl
    total = 16 + len(headers) + len(payload) if total is None else total
    pre = struct.pack(">II", total, hl)
    msg = pre + struct.pack(">I", zlib.crc32(pre)) + headers + payload
    return msg + struct.pack(">I", zlib.crc32(msg))


def prelude_only(total, hl):
    pre = struct.pack(">II", total, hl)
    return pre + struct.pack(">I", zlib.crc32(pre))


def crafted_frames():
    h = bedrock_sim.es_header
    allh = b"".join([h("t", 0, True), h("f", 1, False), h("b", 2, -128), h("s", 3, -32768),
                     h("i", 4, -2 ** 31), h("l", 5, -2 ** 63), h("by", 6, b"\x00\xff"),
                     h("st", 7, "caf\u00e9"), h("ts", 8, 2 ** 63 - 1), h("u", 9, bytes(range(16)))])
    return [
        ("hand-too-small", prelude_only(12, 0) + b"\0" * 4),
        ("hand-too-small-15", prelude_only(15, 0) + b"\0" * 3),
        ("hand-too-large-64k", prelude_only(65537, 0) + b"\0" * 20),
        ("hand-too-large-16m", prelude_only(16 * 1024 * 1024 + 1, 0) + b"\0" * 20),
        ("hand-headers-len", prelude_only(20, 5) + b"\0" * 8),
        ("hand-exactly-64k", frame(b"", b"x" * (65536 - 16))),
        ("hand-empty-name", frame(b"\x00\x07\x00\x01a")),
        ("hand-name-past-end", frame(b"\x10abc")),
        ("hand-name-not-utf8", frame(b"\x02\xff\xfe\x00")),
        ("hand-name-no-type", frame(b"\x03abc")),
        ("hand-type-10", frame(b"\x01a\x0a")),
        ("hand-type-255", frame(b"\x01a\xff\x00\x00")),
        ("hand-strlen-cut", frame(b"\x01a\x07\x00")),
        ("hand-str-past-end", frame(b"\x01a\x07\x00\x10ab")),
        ("hand-int64-cut", frame(b"\x01a\x05\x00\x00")),
        ("hand-uuid-cut", frame(b"\x01a\x09" + b"\x00" * 15)),
        ("hand-33-headers", frame(b"\x01a\x00" * 33)),
        ("hand-32-headers", frame(b"\x01a\x00" * 32, b"{}")),
        ("hand-all-types", frame(allh, b"payload")),
        ("hand-value-32767", frame(h("big", 7, "v" * 32767))),
        ("hand-two-in-one", frame(b"", b"a") + frame(h(":message-type", 7, "event"), b"b")),
    ]


# ---------------------------------------------------------------------------
# the simulator
# ---------------------------------------------------------------------------
class Sim:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="bk-fuzz-seeds-")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "sim", "bedrock_sim.py"), "--dir", self.tmp,
             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("READY port="):
            self.close()
            raise RuntimeError("simulator did not start: %r" % line)
        fields = dict(f.split("=", 1) for f in line.split()[1:])
        self.port, self.ca = int(fields["port"]), fields["ca"]

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def faults(self, *fs):
        st, _ = sim_client.control(self.port, self.ca, "DELETE", "/_sim/faults")
        if fs:
            st, _ = sim_client.control(self.port, self.ca, "POST", "/_sim/faults", list(fs))
            assert st == 200, st

    def raw(self, text, model=MODEL, max_tokens=1000, stream=True, **kw):
        """(status, headers, raw body) of one signed request; a cut
        connection gives what arrived before the cut."""
        body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": max_tokens,
                "messages": [{"role": "user", "content": text}]}
        body.update(kw)
        data = json.dumps(body).encode()
        conn = sim_client._connection(self.port, self.ca)
        op = "invoke-with-response-stream" if stream else "invoke"
        try:
            resp = sim_client._request(conn, self.port, "POST", sim_client.model_path(model, op), data,
                                       sim_client.Creds(AKID, SECRET), "us-east-1",
                                       {"accept": "application/vnd.amazon.eventstream"})
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            try:
                out = resp.read()
            except http.client.IncompleteRead as e:
                out = e.partial
            except OSError:
                out = b""
            return resp.status, hdrs, out
        finally:
            conn.close()


def sim_streams(sim):
    """Event-stream bodies (name, bytes) as the simulator sends them."""
    cases = [
        ("hello", "hello", ()),
        ("words40", "/sim words 40", ()),
        ("unicode", "/sim unicode", ()),
        ("ascii-json", "/sim ascii-json\n/sim unicode", ()),
        ("ping", "/sim ping\nhi", ()),
        ("refusal", "/sim refusal\nhi", ()),
        ("echo-json", "/sim echo-json\nquote \" backslash \\ tab \t nl \n ctl \x01 \x1b[31m", ()),
        ("deltas1", "/sim deltas 1\n/sim words 3", ()),
        ("reply-ctl", "/sim reply \x1b]0;title\x07 \u2028 \U0001f389", ()),
        ("exc-throttle", "hello", ({"kind": "exception", "after_events": 3, "type": "throttlingException"},)),
        ("exc-modelstream", "hello", ({"kind": "exception", "after_events": 2,
                                       "type": "modelStreamErrorException"},)),
        ("exc-validation", "hello", ({"kind": "exception", "after_events": 0, "type": "validationException",
                                      "message": "on-demand throughput isn\u2019t supported"},)),
        ("exc-internal", "hello", ({"kind": "exception", "after_events": 4, "type": "internalServerException"},)),
        ("exc-unavail", "hello", ({"kind": "exception", "after_events": 1,
                                   "type": "serviceUnavailableException"},)),
        ("exc-timeout", "hello", ({"kind": "exception", "after_events": 5, "type": "modelTimeoutException"},)),
        ("badcrc-msg", "hello", ({"kind": "bad_crc", "event": 2, "which": "message"},)),
        ("badcrc-prelude", "hello", ({"kind": "bad_crc", "event": 1, "which": "prelude"},)),
        ("garbage", "hello", ({"kind": "garbage", "after_events": 2, "bytes_hex": "deadbeefcafebabe0011"},)),
        ("cut-mid", "hello", ({"kind": "cut_mid_frame", "after_events": 3, "bytes": 40,
                               "http_chunk": "exact"},)),
        ("cut-prelude", "hello", ({"kind": "cut_mid_frame", "after_events": 2, "bytes": 7,
                                   "http_chunk": "exact"},)),
        ("no-stop", "hello", ({"kind": "no_stop"},)),
        ("no-stop-early", "hello", ({"kind": "no_stop", "after_events": 1},)),
    ]
    out = []
    for name, text, fs in cases:
        sim.faults(*fs)
        st, hdrs, body = sim.raw(text)
        if st == 200 and body:
            out.append(("sim-" + name, body))
    sim.faults()
    st, hdrs, body = sim.raw("/sim words 9", max_tokens=4)
    if st == 200:
        out.append(("sim-max-tokens", body))
    return out


def sim_http_errors(sim):
    """(name, status, x-amzn-ErrorType, body) of error replies."""
    out = []
    reqs = [
        ("throttle", {"kind": "error", "status": 429, "type": "ThrottlingException"}, {}),
        ("quota", {"kind": "error", "status": 400, "type": "ServiceQuotaExceededException"}, {}),
        ("internal", {"kind": "error", "status": 500, "type": "InternalServerException"}, {}),
        ("unavail", {"kind": "error", "status": 503, "type": "ServiceUnavailableException"}, {}),
        ("notready", {"kind": "error", "status": 429, "type": "ModelNotReadyException"}, {}),
        ("modelerr", {"kind": "error", "status": 424, "type": "ModelErrorException"}, {}),
        ("raw502", {"kind": "raw_response", "status": 502, "body": "<html>Bad Gateway</html>",
                    "content_type": "text/html"}, {}),
        ("ondemand", None, {"model": "anthropic.claude-sonnet-4-6"}),
        ("denied", None, {"model": "anthropic.claude-opus-4-1-20250805-v1:0"}),
        ("badmodel", None, {"model": "anthropic.nope"}),
        ("maxtok", None, {"max_tokens": 10 ** 7}),
    ]
    for name, fault, kw in reqs:
        sim.faults(*([fault] if fault else []))
        model = kw.pop("model", MODEL)
        st, hdrs, body = sim.raw("hello", model=model, **kw)
        if st != 200:
            out.append((name, st, hdrs.get("x-amzn-errortype", ""), body))
    sim.faults()
    # a wrong secret: the signature error, with the canonical request in it
    conn = sim_client._connection(sim.port, sim.ca)
    try:
        resp = sim_client._request(conn, sim.port, "POST", sim_client.model_path(MODEL, "invoke"), b"{}",
                                   sim_client.Creds(AKID, "wrong"), "us-east-1")
        out.append(("badsig", resp.status, resp.getheader("x-amzn-ErrorType", ""), resp.read()))
    finally:
        conn.close()
    return out


# ---------------------------------------------------------------------------
# fuzz_stream's own input formats (see fuzz_stream.c)
# ---------------------------------------------------------------------------
# record header byte: bits 0-2 :message-type, 3-4 :event-type, 5 wrap as a
# chunk {"bytes":base64}, 6 escape '/' in the base64, 7 reorder/extra headers
MT_EVENT, MT_EXCEPTION, MT_ERROR, MT_BYTES, MT_ABSENT, MT_OTHER = 0, 3, 4, 5, 6, 7
WRAP, ESC, EXTRA = 0x20, 0x40, 0x80


def rec(hdr, body):
    return bytes([hdr]) + (body if isinstance(body, bytes) else body.encode())


def records(scratch, recs):
    return b"R" + scratch + b"\x00".join(recs)


def inner(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def record_seeds():
    start = {"type": "message_start", "message": {
        "model": "claude-sonnet-4-6", "id": "msg_bdrk_01ABC", "type": "message", "role": "assistant",
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 12, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                  "output_tokens": 1}}}
    cbs = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

    def delta(t, i=0):
        return {"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": t}}
    stop = {"type": "content_block_stop", "index": 0}
    md = {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
          "usage": {"output_tokens": 7}}
    ms = {"type": "message_stop", "amazon-bedrock-invocationMetrics": {
        "inputTokenCount": 12, "outputTokenCount": 7, "invocationLatency": 321, "firstByteLatency": 120}}
    W = MT_EVENT | WRAP
    normal = [rec(W, inner(e)) for e in (start, cbs, delta("Hello"), delta(" w\u00f6rld \U0001f389"),
                                           stop, md, ms)]
    out = [
        ("rec-normal", records(b"0", normal)),
        ("rec-escaped-slash", records(b"0", [rec(W | ESC, inner(e)) for e in (start, cbs, delta("a/b?>>"),
                                                                                 stop, md, ms)])),
        ("rec-small-scratch", records(b"D", normal)),
        ("rec-tiny-scratch", records(b"A", normal)),
        ("rec-escapes", records(b"0", [rec(W, inner(start)),
                                       rec(W, b'{"type":"content_block_delta","index":0,"delta":'
                                              b'{"type":"text_delta","text":"\\u001b[31m\\ud83c\\udf89\\n\\"q\\"'
                                              b'\\\\ \\/"}}'),
                                       rec(W, inner(ms))])),
        ("rec-bad-escape", records(b"0", [rec(W, inner(start)),
                                          rec(W, b'{"type":"content_block_delta","index":0,"delta":'
                                                 b'{"type":"text_delta","text":"\\ud800x"}}')])),
        ("rec-ping-unknown", records(b"0", [rec(W, inner(start)), rec(W, b'{"type":"ping"}'),
                                            rec(W, b'{"type":"future_event","x":[1,2,{"y":null}]}'),
                                            rec(W, inner({"type": "content_block_delta", "index": 1,
                                                          "delta": {"type": "input_json_delta",
                                                                    "partial_json": "{\"a\":"}})),
                                            rec(W, inner(ms))])),
        ("rec-order", records(b"0", [rec(W, inner(delta("early")))])),
        ("rec-after-stop", records(b"0", [rec(W, inner(start)), rec(W, inner(ms)), rec(W, inner(delta("x")))])),
        ("rec-double-start", records(b"0", [rec(W, inner(start)), rec(W, inner(start))])),
        ("rec-error-event", records(b"0", [rec(W, inner(start)), rec(W, inner(
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded \x1b[2J"}}))])),
        ("rec-exception", records(b"0", [rec(W, inner(start)), rec(MT_EXCEPTION, b"throttlingException\n" + inner(
            {"message": "Too many tokens, please wait before trying again."}))])),
        ("rec-exception-msg-stream", records(b"0", [rec(MT_EXCEPTION, b"modelStreamErrorException\n" + inner(
            {"message": "boom", "originalStatusCode": 500, "originalMessage": "x"}))])),
        ("rec-exception-notjson", records(b"0", [rec(MT_EXCEPTION, b"internalServerException\n<html>\x1b</html>")])),
        ("rec-exception-notype", records(b"0", [rec(MT_EXCEPTION, b'{"Message":"no type"}')])),
        ("rec-exception-sig", records(b"0", [rec(MT_EXCEPTION, b"InvalidSignatureException\n" + inner(
            {"message": "Signature expired: 20250101T000000Z is now earlier than ..."}))])),
        ("rec-error-type", records(b"0", [rec(MT_ERROR, b"InternalFailure\nsomething broke\n")])),
        ("rec-other-types", records(b"0", [rec(MT_OTHER, b"x"), rec(MT_ABSENT | WRAP, inner(start)),
                                           rec(MT_BYTES | WRAP, inner(cbs)),
                                           rec(MT_EVENT | 0x10 | WRAP, inner(delta("other event type"))),
                                           rec(MT_EVENT | 0x18, b"no event type"),
                                           rec(MT_EVENT | WRAP | EXTRA, inner(ms))])),
        # MT_EVENT | 0x08 ("chunk"), not 0: a 0 header byte ends the record
        ("rec-not-json", records(b"0", [rec(MT_EVENT | 0x08, b'{"bytes":'), rec(MT_EVENT | 0x08, b"[]")])),
        ("rec-no-bytes", records(b"0", [rec(MT_EVENT | 0x08, b'{"p":"abc"}')])),
        ("rec-bad-b64", records(b"0", [rec(MT_EVENT | 0x08, b'{"bytes":"eyJ0eXBlIjoi="}')])),
        ("rec-inner-not-json", records(b"0", [rec(W, b"not json")])),
        ("rec-inner-no-type", records(b"0", [rec(W, b'{"typ":"message_start"}')])),
        ("rec-md-usage", records(b"0", [rec(W, inner(start)), rec(W, inner(
            {"type": "message_delta", "delta": {"stop_reason": "max_tokens_but_a_very_long_reason_string_here"},
             "usage": {"output_tokens": 18446744073709551615, "input_tokens": 99999999999999999999}}))])),
        ("rec-text-missing", records(b"0", [rec(W, inner(start)), rec(W, inner(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta"}}))])),
    ]
    # the fast paths of bk_stream_message: Bedrock's usual shapes and their
    # near misses (fuzz_stream compares every one with the jsmn path).  An
    # error is sticky, so each failing case has a file of its own.  No
    # NULs: they separate records (tests/unit.c has those cases).  Header
    # MT_EVENT | 0x08 ("chunk") for a raw payload: a 0 byte ends a record.
    dpre = b'{"type":"content_block_delta","index":'
    dmid = b',"delta":{"type":"text_delta","text":"'
    b64 = base64.b64encode(dpre + b"0" + dmid + b'fast"}}')
    wraps = [b'{"bytes":"' + b64 + t for t in (b'"}', b'","p":""}', b'","p":"abcXYZ09"}', b'","p":"a-b"}',
                                                b'","p":"x","p":"y"}', b'","q":"abc"}', b'","p":"abc"} ')]
    wraps += [b'{"p":"abc","bytes":"' + b64 + b'"}', b'{"bytes": "' + b64 + b'"}']
    bad_wraps = [b'{"bytes":"' + b64 + b'","p":"abc"}}', b'{"bytes":"' + b64 + b'","p":"abc"',
                 b'{"bytes":"' + b64 + b'","p":abc}', b'{"bytes":"' + b64[:-1] + b'","p":"abc"}']
    deltas = [dpre + i + dmid + t for i, t in (
        (b"0007", b'i"}}'), (b"9999999", b'i"}}'), (b"12345678", b'i"}}'), (b"-1", b'i"}}'), (b"", b'i"}}'),
        (b"0", b'a\\"}}"}}'), (b"0", b'\\\\"}}'), (b"0", b'\\\\\\""}}'), (b"0", b'ok"}} '),
        (b"0", b'a","text":"b"}}'), (b"0", b'x\x01\xff"}}'), (b"0", b'\\ud83c\\udf89\\u00e9\\/"}}'))]
    bad_deltas = [dpre + b"0" + dmid + t for t in (b'a"b"}}', b'ok"}}x', b'ok"}', b'\\ud800"}}',
                                                    b'\\udc00"}}', b'\\u12G4"}}', b'\\x"}}', b'a\\"}}')]
    out += [
        ("rec-fast-wrappers", records(b"0", [rec(W, inner(start))] + [rec(MT_EVENT | 0x08, w) for w in wraps])),
        ("rec-fast-deltas", records(b"0", [rec(W, inner(start))] + [rec(W, d) for d in deltas])),
        # 1009-byte scratch: the event fits, its text does not beside it
        ("rec-fast-tight", records(b"\x7f", [rec(W, inner(start)), rec(W, dpre + b"0" + dmid + b"x" * 900 + b'"}}')])),
    ]
    out += [("rec-fast-bad-wrapper-%d" % k, records(b"0", [rec(W, inner(start)), rec(MT_EVENT | 0x08, w)]))
            for k, w in enumerate(bad_wraps)]
    out += [("rec-fast-bad-delta-%d" % k, records(b"0", [rec(W, inner(start)), rec(W, d)]))
            for k, d in enumerate(bad_deltas)]
    return out


def http_seed(status_idx, flags, etype, body):
    return b"H" + bytes([status_idx, flags]) + etype + b"\n" + body


def json_seeds():
    docs = [
        b'{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":3}}}',
        b'{"a":[1,2,{"b":"c"}],"a":"dup","d":{"e":{"f":[]}},"g":true,"h":null,"i":-1.5e3}',
        b'["\\u00e9\\ud83c\\udf89\\n\\t\\"\\\\\\/",0,"\\u0000"]',
        b'{"k\\"ey":1,"key":2}',
        b'{"x":"\\udc00"}',
        b'  {"deep":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}  ',
        b'{"n":12345678901234567890,"m":007,"o":1}',
        b'{"a":1}}',
        b'{"a" "b"}',
        b'["a":1]',
        b"\"just a string\"",
        b"42",
        b"\xc3\x28 invalid utf8 \xed\xa0\x80 \xf4\x90\x80\x80",
        b"eyJ0eXBlIjoicGluZyJ9",
    ]
    out = []
    for i, d in enumerate(docs):
        out.append(("json-%02d" % i, b"J0" + d))
    out.append(("json-few-tokens", b"JC" + docs[1]))
    # fuzz_stream also sends a JSON input through bk_stream_message, as a
    # chunk's event and as a chunk payload: the fast paths' shapes, NULs
    # included (a record cannot hold one)
    delta = b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"'
    b64 = base64.b64encode(delta + b'hi"}}')
    fast = [delta + b'hi \\"q\\" \\u00e9"}}', delta + b'a\x00b"}}', delta + b'ab"}}\x00', delta + b'a\\\x00"}}',
            b'{"bytes":"' + b64 + b'","p":"abc"}', b'{"bytes":"' + b64 + b'"}', b'{"bytes":"' + b64 + b'","p":"a\x00"}',
            b'{"bytes":"' + b64[:8] + b'\x00' + b64[9:] + b'"}', b'{"bytes":"' + b64 + b'","p":"a\\"}']
    for i, d in enumerate(fast):
        out.append(("json-fast-%02d" % i, b"J0" + d))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_corpus.py OUTDIR")
    outdir = sys.argv[1]
    evs, stream = os.path.join(outdir, "evs"), os.path.join(outdir, "stream")
    frames = vector_frames()
    for name, data in frames:
        write(evs, name, data)
        write(stream, name, data)
    # the valid vector frames back to back; then with an invalid one and
    # with a trailing partial frame
    ok = b"".join(d for n, d in frames if "-positive-" in n or "-rs-valid" in n)
    write(evs, "vec-valid-all", ok)
    write(evs, "vec-valid-then-bad", ok + dict(frames)["vec-go-negative-corrupted_payload"])
    write(evs, "vec-valid-truncated", ok + ok[:9])
    for name, data in crafted_frames():
        write(evs, name, data)

    sim = Sim()
    try:
        streams = sim_streams(sim)
        errors = sim_http_errors(sim)
    finally:
        sim.close()
    for name, data in streams:
        write(evs, name, data)
        write(stream, name, data)    # first byte 0x00: a raw stream
    statuses = [400, 403, 404, 408, 424, 429, 500, 502, 503, 504, 0, -1, 200, 302, 999, 65536]
    for name, st, etype, body in errors:
        idx = statuses.index(st) if st in statuses else 0
        write(stream, "http-" + name, http_seed(idx, 0, etype.encode(), body))
    write(stream, "http-no-type-json-type", http_seed(0, 0, b"", b'{"__type":"com.amazon.coral.service#'
                                                      b'UnrecognizedClientException","message":"The security token'
                                                      b' included in the request is expired"}'))
    write(stream, "http-code", http_seed(1, 1, b"", b'{"code":"AccessDeniedException","Message":"nope"}'))
    write(stream, "http-escapes", http_seed(0, 2, b"ValidationException:http://x",
                                            b'{"message":"\\u001b]0;t\\u0007 on-demand throughput \\ud83c\\udf89"}'))
    write(stream, "http-null", http_seed(10, 7, b"", b""))
    for name, data in record_seeds() + json_seeds():
        write(stream, name, data)
    n1, n2 = len(os.listdir(evs)), len(os.listdir(stream))
    print("gen_corpus: %d evs seeds, %d stream seeds in %s" % (n1, n2, outdir))


if __name__ == "__main__":
    main()
