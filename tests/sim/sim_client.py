#!/usr/bin/env python3
"""Pure-Python smoke client for the Bedrock simulator (standard library only).

The SigV4 signer and the event-stream decoder here are written separately
from the simulator's verifier and encoder, so that the smoke test checks one
implementation against another rather than a function against itself.

    python3 sim_client.py --smoke      # start a simulator, run every check

Library use (from other test scripts):
    invoke_stream(port, ca, model, body, creds, region) -> StreamResult
    invoke(port, ca, model, body, creds, region) -> (status, headers, body bytes)
    sts_call(port, ca, params, creds, region) -> (status, headers, body); parse_sts(body) -> {tag: text}
    signed_get(port, ca, path, query, creds, region) -> (status, headers, body)   (control plane)
    https_request(port, ca, method, path, headers, body) / http_request(http_port, ...)  (unsigned)
    make_jwt(claims) -> an unsigned-looking but well-formed JWT
"""

import argparse
import base64
import calendar
import datetime
import email.utils
import hashlib
import hmac
import http.client
import json
import os
import re
import select
import shutil
import signal
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import zlib
import xml.etree.ElementTree as ET
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))


class Creds:
    def __init__(self, akid, secret, token=None):
        self.akid, self.secret, self.token = akid, secret, token


# ---------------------------------------------------------------------------
# SigV4 signing (client side)
# ---------------------------------------------------------------------------
def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def _enc(s):
    return quote(s, safe="-_.~")


def form_encode(params):
    """AWS Query / URI query encoding: every byte but unreserved ones as %XX."""
    return "&".join("%s=%s" % (_enc(k), _enc(v)) for k, v in params.items())


def sign(method, host, path, body, creds, region, service="bedrock", headers=None, now=None,
         sign_token=True, content_sha_header=False, query=None):
    """Return the headers to send (Host, X-Amz-Date, token, Authorization).
    `path` is the path as it goes on the wire (already percent-encoded once);
    `query` a dict of decoded query parameters (sent as form_encode(query))."""
    now = time.time() if now is None else now
    amz_date = datetime.datetime.fromtimestamp(int(now), datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    h = {"host": host, "x-amz-date": amz_date}
    for k, v in (headers or {}).items():
        h[k.lower()] = v
    payload_hash = hashlib.sha256(body).hexdigest()
    if content_sha_header:
        h["x-amz-content-sha256"] = payload_hash
    if creds.token and sign_token:
        h["x-amz-security-token"] = creds.token
    names = sorted(h)
    cquery = "&".join(sorted("%s=%s" % (_enc(k), _enc(v)) for k, v in (query or {}).items()))
    creq = "\n".join([method, quote(path, safe="/-_.~"), cquery]
                     + ["%s:%s" % (n, " ".join(str(h[n]).split())) for n in names]
                     + ["", ";".join(names), payload_hash])
    scope = "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)
    sts = "AWS4-HMAC-SHA256\n%s\n%s\n%s" % (amz_date, scope, hashlib.sha256(creq.encode()).hexdigest())
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + creds.secret).encode(), amz_date[:8]), region), service),
                "aws4_request")
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    out = dict(h)
    out["authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        creds.akid, scope, ";".join(names), sig)
    if creds.token and not sign_token:
        out["x-amz-security-token"] = creds.token
    return out


# ---------------------------------------------------------------------------
# Event-stream decoding (checks both CRCs)
# ---------------------------------------------------------------------------
class EventStreamError(Exception):
    pass


class Decoder:
    def __init__(self):
        self.buf = b""

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= 12:
            total, hlen = struct.unpack(">II", self.buf[:8])
            if zlib.crc32(self.buf[:8]) != struct.unpack(">I", self.buf[8:12])[0]:
                raise EventStreamError("prelude checksum mismatch")
            if total < 16 or hlen > total - 16:
                raise EventStreamError("bad lengths")
            if len(self.buf) < total:
                break
            frame, self.buf = self.buf[:total], self.buf[total:]
            if zlib.crc32(frame[:-4]) != struct.unpack(">I", frame[-4:])[0]:
                raise EventStreamError("message checksum mismatch")
            out.append(self._parse(frame, hlen))
        return out

    @staticmethod
    def _parse(frame, hlen):
        headers, pos, end = {}, 12, 12 + hlen
        sizes = {2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}
        while pos < end:
            n = frame[pos]
            name = frame[pos + 1:pos + 1 + n].decode()
            t = frame[pos + 1 + n]
            pos += 2 + n
            if t in (0, 1):
                val = t == 0
            elif t in (6, 7):
                ln = struct.unpack(">H", frame[pos:pos + 2])[0]
                val = frame[pos + 2:pos + 2 + ln]
                val = val.decode() if t == 7 else val
                pos += 2 + ln
            elif t in sizes:
                val = frame[pos:pos + sizes[t]]
                pos += sizes[t]
            else:
                raise EventStreamError("unknown header type %d" % t)
            headers[name] = val
        return headers, frame[end:-4]


class StreamResult:
    """status, headers (lower-case dict), body (non-200), events, error,
    complete (terminating chunk seen), arrivals (time of each message)."""

    def __init__(self):
        self.status, self.headers, self.body = None, {}, b""
        self.events, self.error, self.complete, self.arrivals = [], None, False, []
        self.start = time.time()

    def inners(self):
        return [e["inner"] for e in self.events if "inner" in e]

    def text(self):
        return "".join(i["delta"]["text"] for i in self.inners() if i.get("type") == "content_block_delta")


def _connection(port, ca, timeout=30):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # what BearSSL will do
    return http.client.HTTPSConnection("localhost", port, context=ctx, timeout=timeout)


def model_path(model, op):
    return "/model/%s/%s" % (quote(model, safe=""), op)


def _request(conn, port, method, path, body, creds, region, extra=None, bearer=None, **signopts):
    base = {"content-type": "application/json"}
    base.update(extra or {})
    if bearer is not None:
        hdrs = dict(base, host="localhost:%d" % port, authorization="Bearer " + bearer)
    elif creds is None:
        hdrs = dict(base, host="localhost:%d" % port)
    else:
        hdrs = sign(method, "localhost:%d" % port, path, body, creds, region, headers=base, **signopts)
    conn.request(method, path, body=body, headers=hdrs)
    return conn.getresponse()


def invoke_stream(port, ca, model, body, creds, region, conn=None, bearer=None, **signopts):
    """POST invoke-with-response-stream; read and decode everything it sends."""
    r = StreamResult()
    own = conn is None
    conn = conn or _connection(port, ca)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    try:
        resp = _request(conn, port, "POST", model_path(model, "invoke-with-response-stream"), data, creds,
                        region, {"accept": "application/vnd.amazon.eventstream"}, bearer, **signopts)
        r.status, r.headers = resp.status, {k.lower(): v for k, v in resp.getheaders()}
        if resp.status != 200:
            r.body = resp.read()
            r.complete = True
            return r
        dec = Decoder()
        while True:
            chunk = resp.read1(65536)
            if not chunk:
                r.complete = not dec.buf
                if dec.buf:
                    r.error = "trailing partial frame (%d bytes)" % len(dec.buf)
                break
            for headers, payload in dec.feed(chunk):
                ev = {"headers": headers, "payload": json.loads(payload)}
                if headers.get(":message-type") == "event" and headers.get(":event-type") == "chunk":
                    ev["inner_raw"] = base64.b64decode(ev["payload"]["bytes"])
                    ev["inner"] = json.loads(ev["inner_raw"])
                r.events.append(ev)
                r.arrivals.append(time.time())
    except EventStreamError as e:
        r.error = "eventstream: %s" % e
    except (http.client.HTTPException, OSError, ValueError) as e:
        r.error = "%s: %s" % (type(e).__name__, e)
    finally:
        if own or r.error:
            conn.close()
    return r


def invoke(port, ca, model, body, creds, region, conn=None, bearer=None, **signopts):
    own = conn is None
    conn = conn or _connection(port, ca)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    try:
        resp = _request(conn, port, "POST", model_path(model, "invoke"), data, creds, region,
                        {"accept": "application/json"}, bearer, **signopts)
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        if own:
            conn.close()


def sts_call(port, ca, params, creds, region="us-east-1", service="sts", **signopts):
    """POST an AWS Query request to `/` (SigV4 for `sts`, or anonymous if creds is None)."""
    body = form_encode(params).encode()
    base = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    host = "localhost:%d" % port
    hdrs = dict(base, host=host) if creds is None else sign("POST", host, "/", body, creds, region, service,
                                                            headers=base, **signopts)
    return https_request(port, ca, "POST", "/", hdrs, body)


def parse_sts(body):
    """Leaf elements of a Query protocol XML document, by local name."""
    out = {}
    for el in ET.fromstring(body).iter():
        if len(el) == 0:
            out[el.tag.rpartition("}")[2]] = el.text or ""
    return out


def signed_get(port, ca, path, query, creds, region="us-east-1", service="bedrock", bearer=None):
    host = "localhost:%d" % port
    target = path + ("?" + form_encode(query) if query else "")
    if bearer is not None:
        hdrs = {"host": host, "authorization": "Bearer " + bearer}
    elif creds is None:
        hdrs = {"host": host}
    else:
        hdrs = sign("GET", host, path, b"", creds, region, service, query=query)
    return https_request(port, ca, "GET", target, hdrs)


def https_request(port, ca, method, target, headers=None, body=None):
    conn = _connection(port, ca)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def http_request(http_port, method, target, headers=None, body=None, timeout=10):
    """Plain HTTP to the simulator's second listener (IMDS, container endpoint)."""
    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def make_jwt(claims, header=None):
    def b64(data):
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    head = header or {"alg": "RS256", "kid": "smoke", "typ": "JWT"}
    return ".".join([b64(json.dumps(head).encode()), b64(json.dumps(claims).encode()), b64(os.urandom(64))])


def control(port, ca, method, path, doc=None):
    conn = _connection(port, ca)
    try:
        conn.request(method, path, body=None if doc is None else json.dumps(doc).encode(),
                     headers={"content-type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# Smoke test
# ---------------------------------------------------------------------------
ACCOUNT = "123456789012"
CLI_ROLE = "arn:aws:iam::123456789012:role/cli-role"
SECRET, SESSION_SECRET, TOKEN, BEARER = ("smoke/secret+KEY1", "smoke/secret+KEY2", "IQoJsmokeSESSIONtoken==",
                                         "bedrock-api-key-SMOKEBEARER")


class Smoke:
    def __init__(self):
        self.passed = self.failed = 0
        self.secrets = set()  # every secret handed out during the run: none may reach a log

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, str(detail)[:600]))

    def run(self):
        tmp = tempfile.mkdtemp(prefix="bedrock-sim-smoke-")
        errlog = open(os.path.join(tmp, "sim.log"), "w+")
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "bedrock_sim.py"), "--dir", tmp,
                                 "--cred", "AKIDSMOKE:" + SECRET, "--cred",
                                 "ASIASMOKE:%s:%s" % (SESSION_SECRET, TOKEN), "--bearer-token", BEARER,
                                 "--http-port", "0", "--role", CLI_ROLE],
                                stdout=subprocess.PIPE, stderr=errlog, text=True)
        try:
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            line = proc.stdout.readline() if ready else ""
            self.check("ready line", line.startswith("READY port="), line)
            if not line.startswith("READY port="):
                return
            fields = dict(f.split("=", 1) for f in line.split()[1:])
            self.port, self.ca = int(fields["port"]), fields["ca"]
            self.check("ready ca path", self.ca == os.path.join(tmp, "ca.pem") and os.path.exists(self.ca))
            self.check("ready line fields", list(fields) == ["port", "ca", "http_port"], line)
            self.http_port = int(fields.get("http_port", 0))
            self.tests()
            self.cred_tests()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = "timeout"
            self.check("exit 0 on SIGTERM", rc == 0, rc)
            errlog.seek(0)
            text = errlog.read()
            self.check("log has no secrets", not any(s in text for s in (SECRET, SESSION_SECRET, TOKEN, BEARER)))
            self.check("log has no minted secrets", self.secrets and not any(s in text for s in self.secrets),
                       len(self.secrets))
            for svc in ("svc=sts", "svc=imds", "svc=container", "svc=sso ", "svc=sso-oidc", "svc=bedrock "):
                self.check("log line for " + svc.strip(), svc in text)
            self.check("log has one line per request", text.count("invoke-with-response-stream") > 20)
            errlog.close()
            shutil.rmtree(tmp, ignore_errors=True)
        print("sim smoke: %d passed, %d failed" % (self.passed, self.failed))

    # helpers
    def creds(self):
        return Creds("AKIDSMOKE", SECRET)

    def body(self, text="hello", **kw):
        b = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1000,
             "messages": [{"role": "user", "content": text}]}
        b.update(kw)
        return b

    def stream(self, text="hello", model="us.anthropic.claude-sonnet-4-6", creds=None, region="us-east-1",
               body=None, **kw):
        return invoke_stream(self.port, self.ca, model, body if body is not None else self.body(text),
                             creds or self.creds(), region, **kw)

    def faults(self, *faults):
        st, _ = control(self.port, self.ca, "POST", "/_sim/faults", list(faults))
        assert st == 200, st

    def err(self, r):
        """(status, type from x-amzn-ErrorType, message, namespace) of an error reply."""
        body = json.loads(r.body) if r.body else {}
        t, _, ns = r.headers.get("x-amzn-errortype", "").partition(":")
        return r.status, t, body.get("message", body.get("Message")), ns

    def tests(self):
        c = self.check
        # ---- a normal stream
        r = self.stream()
        types = [i["type"] for i in r.inners()]
        c("stream status", r.status == 200 and r.complete and r.error is None, (r.status, r.error))
        c("stream headers", r.headers.get("content-type") == "application/vnd.amazon.eventstream"
          and r.headers.get("x-amzn-bedrock-content-type") == "application/json"
          and r.headers.get("transfer-encoding") == "chunked" and "x-amzn-requestid" in r.headers
          and "date" in r.headers, r.headers)
        c("stream event order", types[:2] == ["message_start", "content_block_start"]
          and types[-3:] == ["content_block_stop", "message_delta", "message_stop"]
          and set(types[2:-3]) == {"content_block_delta"}, types)
        c("stream text", r.text() == "Hello from the Bedrock simulator. You said: hello", r.text())
        inn = r.inners()
        start, delta, stop = inn[0]["message"], inn[-2], inn[-1]
        c("message_start", start["model"] == "claude-sonnet-4-6" and start["id"].startswith("msg_bdrk_01")
          and start["usage"]["output_tokens"] == 1 and start["stop_reason"] is None, start)
        metrics = stop.get("amazon-bedrock-invocationMetrics", {})
        c("metrics", metrics.get("inputTokenCount") == start["usage"]["input_tokens"]
          and metrics.get("outputTokenCount") == delta["usage"]["output_tokens"]
          and delta["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}, (metrics, delta))
        c("chunk framing", all(e["headers"] == {":event-type": "chunk", ":content-type": "application/json",
                                                ":message-type": "event"}
                               and "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".startswith(
                                   e["payload"]["p"]) and list(e["payload"]) == ["bytes", "p"]
                               for e in r.events))
        # ---- InvokeModel
        st, h, b = invoke(self.port, self.ca, "us.anthropic.claude-sonnet-4-6", self.body("hi"), self.creds(),
                          "us-east-1")
        doc = json.loads(b)
        c("invoke", st == 200 and doc["content"][0]["text"] == "Hello from the Bedrock simulator. You said: hi"
          and doc["stop_reason"] == "end_turn" and h.get("x-amzn-bedrock-output-token-count")
          == str(doc["usage"]["output_tokens"]) and h.get("x-amzn-bedrock-input-token-count")
          == str(doc["usage"]["input_tokens"]) and "x-amzn-bedrock-invocation-latency" in h, (st, h, doc))
        # ---- faults
        self.faults({"kind": "error", "status": 429, "type": "ThrottlingException", "retry_after": 2})
        r = self.stream()
        c("fault error", self.err(r) == (429, "ThrottlingException",
                                         "Too many requests, please wait before trying again.",
                                         "http://internal.amazon.com/coral/com.amazon.bedrock/")
          and r.headers.get("retry-after") == "2", (self.err(r), r.headers))
        c("fault consumed", self.stream().status == 200)
        self.faults({"kind": "error", "type": "ServiceUnavailableException", "times": 2})
        c("fault times", [self.stream().status for _ in range(3)] == [503, 503, 200])
        self.faults({"kind": "cut", "after_events": 3})
        r = self.stream()
        c("fault cut", len(r.events) == 3 and not r.complete and r.error, (len(r.events), r.complete, r.error))
        self.faults({"kind": "cut_mid_frame", "after_events": 2, "bytes": 10})
        r = self.stream()
        c("fault cut_mid_frame", len(r.events) == 2 and not r.complete and r.error, (len(r.events), r.error))
        self.faults({"kind": "cut_mid_frame", "after_events": 2, "bytes": 10, "http_chunk": "exact"})
        r = self.stream()
        c("fault cut_mid_frame exact", len(r.events) == 2 and not r.complete and r.error, (len(r.events), r.error))
        self.faults({"kind": "bad_crc", "event": 1, "which": "message"})
        r = self.stream()
        c("fault bad_crc message", len(r.events) == 1 and r.error == "eventstream: message checksum mismatch",
          r.error)
        self.faults({"kind": "bad_crc", "event": 0, "which": "prelude"})
        r = self.stream()
        c("fault bad_crc prelude", not r.events and r.error == "eventstream: prelude checksum mismatch", r.error)
        self.faults({"kind": "exception", "after_events": 2, "type": "throttlingException"})
        r = self.stream()
        last = r.events[-1] if r.events else {}
        c("fault exception", len(r.events) == 3 and r.complete and last.get("headers") == {
            ":exception-type": "throttlingException", ":content-type": "application/json",
            ":message-type": "exception"} and last["payload"] == {
            "message": "Too many requests, please wait before trying again."}, r.events[-1:])
        self.faults({"kind": "exception", "after_events": 4, "type": "modelStreamErrorException", "message": "boom"})
        r = self.stream()
        c("fault exception modelStreamError", r.complete and r.events[-1]["payload"].get("originalStatusCode")
          == 500 and r.events[-1]["payload"]["message"] == "boom", r.events[-1:])
        self.faults({"kind": "no_stop"})
        r = self.stream()
        c("fault no_stop", r.complete and r.error is None and r.inners()[-1]["type"] == "message_delta")
        self.faults({"kind": "no_stop", "after_events": 4})
        r = self.stream()
        c("fault no_stop after_events", r.complete and len(r.events) == 4)
        self.faults({"kind": "delay", "first_byte_ms": 600})
        r = self.stream()
        c("fault delay", r.status == 200 and r.arrivals[0] - r.start >= 0.6, r.arrivals[0] - r.start)
        self.faults({"kind": "stall", "after_events": 3, "ms": 700})
        r = self.stream()
        c("fault stall", r.complete and r.arrivals[3] - r.arrivals[2] >= 0.65, r.arrivals)
        self.faults({"kind": "garbage", "after_events": 2, "bytes_hex": "00000010deadbeef"})
        r = self.stream()
        c("fault garbage", len(r.events) == 2 and r.error and r.error.startswith("eventstream"), r.error)
        self.faults({"kind": "garbage", "after_events": 2, "layer": "http", "bytes_hex": "7a7a7a0d0a"})
        r = self.stream()
        c("fault garbage http", len(r.events) == 2 and r.error and not r.complete, r.error)
        self.faults({"kind": "raw_response", "status": 502})
        r = self.stream()
        c("fault raw_response", r.status == 502 and r.headers["content-type"] == "text/html", r.status)
        self.faults({"kind": "close"})
        r = self.stream()
        c("fault close", r.status is None and r.error, r.error)
        self.faults({"kind": "error", "type": "ModelErrorException", "op": "invoke"})
        c("fault op filter", self.stream().status == 200
          and invoke(self.port, self.ca, "us.anthropic.claude-sonnet-4-6", self.body(), self.creds(),
                     "us-east-1")[0] == 424)
        self.faults({"kind": "cut", "op": "invoke", "bytes": 5})
        try:
            invoke(self.port, self.ca, "us.anthropic.claude-sonnet-4-6", self.body(), self.creds(), "us-east-1")
            c("fault cut invoke", False)
        except (http.client.HTTPException, OSError):
            c("fault cut invoke", True)
        st, doc = control(self.port, self.ca, "POST", "/_sim/faults", [{"kind": "nope"}])
        c("control rejects bad fault", st == 400, doc)
        c("fault queue empty", control(self.port, self.ca, "GET", "/_sim/faults") == (200, []))
        # ---- clock skew
        control(self.port, self.ca, "POST", "/_sim/clock", {"offset": 900})
        r = self.stream()
        st, t, msg, ns = self.err(r)
        date = calendar.timegm(email.utils.parsedate(r.headers["date"]))
        c("skew expired", st == 403 and t == "InvalidSignatureException" and msg.startswith("Signature expired: ")
          and " is now earlier than " in msg and msg.endswith(" - 5 min.)")
          and ns == "http://internal.amazon.com/coral/com.amazon.coral.service/", (st, t, msg))
        c("skew Date header", abs(date - (time.time() + 900)) < 5, r.headers["date"])
        control(self.port, self.ca, "POST", "/_sim/clock", {"offset": -900})
        st, t, msg, _ = self.err(self.stream())
        c("skew not yet current", msg.startswith("Signature not yet current: ") and " is still later than " in msg
          and msg.endswith(" + 5 min.)"), msg)
        control(self.port, self.ca, "POST", "/_sim/clock", {"offset": 0})
        # ---- authentication
        st, t, msg, _ = self.err(self.stream(model="us.anthropic.claude-haiku-4-5-20251001-v1:0",
                                             creds=Creds("AKIDSMOKE", "wrong")))
        c("bad secret", st == 403 and t == "InvalidSignatureException" and msg.startswith(
            "The request signature we calculated does not match the signature you provided.")
          and "/model/us.anthropic.claude-haiku-4-5-20251001-v1%253A0/invoke-with-response-stream\n" in msg, msg)
        r = self.stream(creds=Creds("AKIDUNKNOWN", "x"))
        c("unknown key", self.err(r) == (403, "UnrecognizedClientException",
                                         "The security token included in the request is invalid.",
                                         "http://internal.amazon.com/coral/com.amazon.coral.service/")
          and list(json.loads(r.body)) == ["message"], self.err(r))
        c("session creds", self.stream(creds=Creds("ASIASMOKE", SESSION_SECRET, TOKEN)).status == 200)
        c("session creds, no token", self.err(self.stream(creds=Creds("ASIASMOKE", SESSION_SECRET)))[1]
          == "UnrecognizedClientException")
        c("session creds, wrong token", self.err(self.stream(creds=Creds("ASIASMOKE", SESSION_SECRET, "x")))[1]
          == "UnrecognizedClientException")
        c("session token unsigned", self.err(self.stream(creds=Creds("ASIASMOKE", SESSION_SECRET, TOKEN),
                                                         sign_token=False))[1] == "UnrecognizedClientException")
        c("content sha header", self.stream(content_sha_header=True).status == 200)
        c("wrong region", self.err(self.stream(region="eu-west-1"))[2]
          == "Credential should be scoped to a valid region. ")
        st, _, b = invoke(self.port, self.ca, "us.anthropic.claude-sonnet-4-6", self.body(), None, "us-east-1")
        c("no auth", st == 403 and json.loads(b) == {"message": "Missing Authentication Token"}, b)
        conn = _connection(self.port, self.ca)
        p = model_path("us.anthropic.claude-sonnet-4-6", "invoke")
        data = json.dumps(self.body()).encode()
        conn.request("POST", p, data, sign("POST", "localhost:%d" % self.port, p, data, self.creds(),
                                           "us-east-1", service="bedrock-runtime"))
        resp = conn.getresponse()
        c("wrong service", json.loads(resp.read())["message"]
          == "Credential should be scoped to correct service: 'bedrock'. ")
        conn.close()
        c("bearer ok", self.stream(bearer=BEARER).status == 200)
        r = self.stream(bearer="bedrock-api-key-wrong")
        c("bearer wrong", r.status == 403 and json.loads(r.body) == {
            "Message": "Authentication failed: Please make sure your API Key is valid."}, r.body)
        # ---- models
        r = self.stream(model="anthropic.claude-sonnet-4-6")
        c("base id needs profile", self.err(r)[:3] == (
            400, "ValidationException", "Invocation of model ID anthropic.claude-sonnet-4-6 with on-demand "
            "throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference profile "
            "that contains this model."), self.err(r))
        c("old base id on demand", self.stream(model="anthropic.claude-3-haiku-20240307-v1:0").status == 200)
        r = self.stream(model="us.anthropic.claude-opus-4-1-20250805-v1:0")
        c("no access", self.err(r)[:3] == (403, "AccessDeniedException",
                                           "You don't have access to the model with the specified model ID."))
        c("unknown model", self.err(self.stream(model="anthropic.claude-nope"))[:3]
          == (400, "ValidationException", "The provided model identifier is invalid."))
        c("other geography", self.err(self.stream(model="eu.anthropic.claude-sonnet-4-6"))[0] == 400)
        c("global profile", self.stream(model="global.anthropic.claude-sonnet-4-6").status == 200)
        arns = ["arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0",
                "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
                "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
        for arn in arns:
            r = self.stream(model=arn)
            c("arn " + arn.split(":")[5].split("/")[0], r.status == 200 and r.complete, (r.status, r.body))
        log = control(self.port, self.ca, "GET", "/_sim/requests")[1]
        c("arn path on the wire", any(e["model_id"] == arns[0] and "%3A" in e["path"] and "%2F" in e["path"]
                                      for e in log))
        # ---- validation
        def verr(body, model="us.anthropic.claude-sonnet-4-6"):
            r = invoke_stream(self.port, self.ca, model, body, self.creds(), "us-east-1")
            return self.err(r)[2] if r.status == 400 else r.status
        c("extraneous key", verr(self.body(stream=True)) == "Malformed input request: #: extraneous key [stream] "
          "is not permitted, please reformat your input and try again.")
        b = self.body()
        del b["anthropic_version"]
        c("required key", verr(b) == "Malformed input request: #: required key [anthropic_version] not found, "
          "please reformat your input and try again.", verr(b))
        c("max_tokens too big", verr(self.body(max_tokens=100000)) == "max_tokens: 100000 > 64000, which is the "
          "maximum allowed number of output tokens for claude-sonnet-4-6")
        c("alternation", verr(self.body(messages=[{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]))
          == 'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row')
        c("trailing whitespace", verr(self.body(messages=[{"role": "user", "content": "a"},
                                                          {"role": "assistant", "content": "Hello "}]))
          == "messages: final assistant content cannot end with trailing whitespace")
        c("temperature and top_p", verr(self.body(temperature=0.5, top_p=0.9)).startswith("`temperature` and `top_p`"))
        c("bad json", isinstance(verr(b"{nope"), str))
        # ---- scripted model
        full = self.stream("resume me please").text()
        cut = full[:23]
        r = self.stream(body=self.body(messages=[{"role": "user", "content": "resume me please"},
                                                 {"role": "assistant", "content": cut.rstrip()}]))
        c("prefill continues", cut.rstrip() + r.text() == full, (cut, r.text()))
        r = self.stream("/sim unicode")
        c("unicode", r.text() == "héllo → 日本語 🎉 — naïve café, Ελληνικά, русский, עברית, 𝄞 and 👩‍💻 done.", r.text())
        r2 = self.stream("/sim ascii-json\n/sim unicode")
        c("ascii-json", r2.text() == r.text() and all(max(e["inner_raw"]) < 128 for e in r2.events)
          and b"\\ud83c\\udf89" in b"".join(e["inner_raw"] for e in r2.events))
        c("deltas N", len([i for i in self.stream("/sim deltas 5\n/sim words 40").inners()
                           if i["type"] == "content_block_delta"]) == 5)
        r = self.stream(body=self.body("/sim words 50", max_tokens=10))
        c("max_tokens stop", r.text() == " ".join("w%d" % i for i in range(1, 11))
          and r.inners()[-2]["delta"]["stop_reason"] == "max_tokens"
          and r.inners()[-2]["usage"]["output_tokens"] == 10, r.text())
        r = self.stream(body=self.body("/sim reply alpha beta STOP gamma", stop_sequences=["STOP"]))
        c("stop sequence", r.text() == "alpha beta " and r.inners()[-2]["delta"] == {
            "stop_reason": "stop_sequence", "stop_sequence": "STOP"}, r.text())
        tricky = [{"role": "user", "content": [{"type": "text", "text": "q\"b\\s/\n\t\x01 é 日 🎉 \u2028"}]},
                  {"role": "assistant", "content": "ok"},
                  {"role": "user", "content": "/sim echo-json"}]
        r = self.stream(body=self.body(messages=tricky))
        c("echo-json", json.loads(r.text()) == tricky, r.text())
        r = self.stream(body=self.body("/sim echo-system", system=[{"type": "text", "text": "be brief"}]))
        c("echo-system", r.text() == "be brief", r.text())
        # ---- keep-alive: several requests on one connection
        conn = _connection(self.port, self.ca)
        r1 = invoke_stream(self.port, self.ca, "us.anthropic.claude-sonnet-4-6", self.body(), self.creds(),
                           "us-east-1", conn=conn)
        name = conn.sock.getsockname()
        st, _, _ = invoke(self.port, self.ca, "us.anthropic.claude-sonnet-4-6", self.body(), self.creds(),
                          "us-east-1", conn=conn)
        r3 = invoke_stream(self.port, self.ca, "us.anthropic.claude-sonnet-4-6", self.body(), self.creds(),
                           "us-east-1", conn=conn)
        c("keep-alive", r1.complete and st == 200 and r3.complete and conn.sock.getsockname() == name)
        conn.close()
        # ---- recorded requests
        st, log = control(self.port, self.ca, "GET", "/_sim/requests")
        dump = json.dumps(log)
        c("requests recorded", st == 200 and len(log) > 40 and all(
            e["headers"].get("authorization", "").count("Signature") == 0 for e in log))
        c("requests have no secrets", not any(s in dump for s in (SECRET, SESSION_SECRET, TOKEN, BEARER)))
        c("requests verdicts", any(e["auth"] and e["auth"].get("ok") for e in log)
          and any(e["auth"] and e["auth"].get("error") == "InvalidSignatureException" for e in log))
        c("requests clear", control(self.port, self.ca, "DELETE", "/_sim/requests")[0] == 200
          and control(self.port, self.ca, "GET", "/_sim/requests")[1] == [])

    # ---------------------------------------------------------------------
    # Credential services: IMDS, container, STS, web identity, SSO, control plane
    # ---------------------------------------------------------------------
    def sts(self, params, creds="default", **kw):
        p = {"Version": "2011-06-15"}
        p.update(params)
        st, h, b = sts_call(self.port, self.ca, p, self.creds() if creds == "default" else creds, **kw)
        x = parse_sts(b) if b.startswith(b"<") else {}
        for k in ("SecretAccessKey", "SessionToken"):
            if x.get(k):
                self.secrets.add(x[k])
        return st, h, b, x

    @staticmethod
    def sts_creds(x):
        return Creds(x["AccessKeyId"], x["SecretAccessKey"], x["SessionToken"])

    def expired(self, creds):
        """(status, type, message) of a model call signed with these creds."""
        return self.err(self.stream(creds=creds))[:3]

    def imds(self, method, path, token=None, **hdrs):
        h = dict(hdrs)
        if token:
            h["X-aws-ec2-metadata-token"] = token
        return http_request(self.http_port, method, path, h)

    def cred_tests(self):
        c, P, CA, H = self.check, self.port, self.ca, self.http_port
        ctl = lambda method, path, doc=None: control(P, CA, method, path, doc)  # noqa: E731
        iso = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
        control(P, CA, "DELETE", "/_sim/requests")
        c("health http_port", ctl("GET", "/_sim/health")[1].get("http_port") == H)
        exp_of = lambda s: calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))  # noqa: E731

        # ---- IMDSv2
        st, h, tok = self.imds("PUT", "/latest/api/token", **{"X-aws-ec2-metadata-token-ttl-seconds": "21600"})
        tok = tok.decode()
        self.secrets.add(tok)
        c("imds token", st == 200 and tok.startswith("AQAE") and h.get("content-type") == "text/plain"
          and h.get("x-aws-ec2-metadata-token-ttl-seconds") == "21600" and h.get("server") == "EC2ws", (st, h))
        c("imds token ttl 0", self.imds("PUT", "/latest/api/token",
                                        **{"X-aws-ec2-metadata-token-ttl-seconds": "0"})[0] == 400)
        c("imds token ttl 21601", self.imds("PUT", "/latest/api/token",
                                            **{"X-aws-ec2-metadata-token-ttl-seconds": "21601"})[0] == 400)
        c("imds token ttl missing", self.imds("PUT", "/latest/api/token")[0] == 400)
        c("imds token via proxy", self.imds("PUT", "/latest/api/token", **{
            "X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "10.0.0.1"})[0] == 403)
        roles_path = "/latest/meta-data/iam/security-credentials/"
        st, h, b = self.imds("GET", roles_path)
        c("imds no token 401", st == 401 and b"401 - Unauthorized" in b and h["content-type"] == "text/html")
        c("imds bad token 401", self.imds("GET", roles_path, "AQAEnope")[0] == 401)
        st, _, role = self.imds("GET", roles_path, tok)
        c("imds role list", st == 200 and role == b"sim-instance-role", (st, role))
        st, _, b = self.imds("GET", roles_path + "sim-instance-role", tok)
        doc = json.loads(b)
        self.secrets |= {doc.get("SecretAccessKey"), doc.get("Token")}
        c("imds credentials", st == 200 and list(doc) == ["Code", "LastUpdated", "Type", "AccessKeyId",
                                                         "SecretAccessKey", "Token", "Expiration"]
          and doc["Code"] == "Success" and doc["Type"] == "AWS-HMAC" and b.startswith(b'{\n  "Code" : "Success",')
          and re.fullmatch(r"ASIA[A-Z2-7]{16}", doc["AccessKeyId"]) and re.fullmatch(iso, doc["Expiration"])
          and exp_of(doc["Expiration"]) - time.time() > 6 * 3600 - 60, b[:200])
        imds_creds = Creds(doc["AccessKeyId"], doc["SecretAccessKey"], doc["Token"])
        c("imds creds sign bedrock", self.stream(creds=imds_creds).status == 200)
        doc2 = json.loads(self.imds("GET", roles_path + "sim-instance-role", tok)[2])
        c("imds credentials are cached", doc2["AccessKeyId"] == doc["AccessKeyId"])
        st, _, b = self.imds("GET", "/latest/meta-data/iam/security-credentials-extended/sim-instance-role", tok)
        c("imds extended", st == 200 and json.loads(b).get("AccountId") == ACCOUNT, b[:100])
        c("imds unknown role", self.imds("GET", roles_path + "other", tok)[0] == 404)
        c("imds region", self.imds("GET", "/latest/meta-data/placement/region", tok)[2] == b"us-east-1")
        st, _, b = self.imds("GET", "/latest/dynamic/instance-identity/document", tok)
        c("imds identity document", st == 200 and json.loads(b)["region"] == "us-east-1"
          and json.loads(b)["accountId"] == ACCOUNT)
        ctl("POST", "/_sim/imds", {"rotate": True})
        doc3 = json.loads(self.imds("GET", roles_path + "sim-instance-role", tok)[2])
        self.secrets |= {doc3["SecretAccessKey"], doc3["Token"]}
        c("imds rotate", doc3["AccessKeyId"] != doc["AccessKeyId"])
        ctl("POST", "/_sim/imds", {"no_role": True})
        c("imds no_role", self.imds("GET", roles_path, tok)[0] == 404)
        ctl("POST", "/_sim/imds", {"no_role": False, "token_status": 403})
        c("imds token_status", self.imds("PUT", "/latest/api/token",
                                         **{"X-aws-ec2-metadata-token-ttl-seconds": "60"})[0] == 403)
        ctl("POST", "/_sim/imds", {"token_status": None, "delay_ms": 300})
        t0 = time.time()
        c("imds delay_ms", self.imds("GET", "/latest/meta-data/placement/region", tok)[0] == 200
          and time.time() - t0 >= 0.3)
        ctl("POST", "/_sim/imds", {"delay_ms": 0, "disabled": True})
        try:
            self.imds("PUT", "/latest/api/token", **{"X-aws-ec2-metadata-token-ttl-seconds": "60"})
            c("imds disabled", False)
        except (http.client.HTTPException, OSError):
            c("imds disabled", True)
        ctl("POST", "/_sim/imds", {"disabled": False, "allow_v1": True})
        c("imds v1 allowed", self.imds("GET", roles_path)[0] == 200)
        c("imds config rejects junk", ctl("POST", "/_sim/imds", {"nope": 1})[0] == 400)

        # ---- container credential endpoint
        st, h, b = http_request(H, "GET", "/v2/credentials/smoke")
        doc = json.loads(b)
        self.secrets |= {doc.get("SecretAccessKey"), doc.get("Token")}
        c("container ecs", st == 200 and h["content-type"] == "application/json" and list(doc) == [
            "AccessKeyId", "Expiration", "RoleArn", "SecretAccessKey", "Token"]
          and doc["RoleArn"] == "arn:aws:iam::%s:role/sim-task-role" % ACCOUNT
          and re.fullmatch(iso, doc["Expiration"]), b[:200])
        c("container creds sign bedrock", self.stream(creds=Creds(doc["AccessKeyId"], doc["SecretAccessKey"],
                                                                  doc["Token"])).status == 200)
        ctl("POST", "/_sim/container", {"token": "container-auth-SMOKE", "format": "eks"})
        self.secrets.add("container-auth-SMOKE")
        c("container token missing", http_request(H, "GET", "/v1/credentials")[0] == 401)
        c("container token wrong", http_request(H, "GET", "/v1/credentials", {"Authorization": "nope"})[0] == 403)
        st, _, b = http_request(H, "GET", "/v1/credentials", {"Authorization": "container-auth-SMOKE"})
        c("container eks", st == 200 and json.loads(b).get("AccountId") == ACCOUNT
          and json.loads(b)["AccessKeyId"] == doc["AccessKeyId"], b[:100])
        ctl("POST", "/_sim/container", {"token": None, "status": 500})
        c("container status", http_request(H, "GET", "/creds")[0] == 500)
        ctl("POST", "/_sim/container", {"status": None})

        # ---- STS AssumeRole
        r1, r2 = "arn:aws:iam::%s:role/smoke-role-1" % ACCOUNT, "arn:aws:iam::%s:role/smoke-role-2" % ACCOUNT
        r3, r4 = "arn:aws:iam::%s:role/smoke-external" % ACCOUNT, "arn:aws:iam::%s:role/smoke-mfa" % ACCOUNT
        rweb = "arn:aws:iam::%s:role/smoke-web" % ACCOUNT
        issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/SMOKE"
        st, doc = ctl("POST", "/_sim/roles", [
            {"arn": r1, "trust": ["AKIDSMOKE"]}, {"arn": r2, "trust": [r1]},
            {"arn": r3, "trust": ["arn:aws:iam::%s:root" % ACCOUNT], "external_id": "ext-123"},
            {"arn": r4, "mfa_serial": "arn:aws:iam::%s:mfa/smoke" % ACCOUNT, "mfa_code": "123456"},
            {"arn": rweb, "trust": ["arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, issuer[8:])]}])
        c("roles registered", st == 200 and len(doc["roles"]) == 5, doc)
        c("roles reject junk", ctl("POST", "/_sim/roles", {"arn": "nope"})[0] == 400)
        t0 = time.time()
        st, h, b, x = self.sts({"Action": "AssumeRole", "RoleArn": r1, "RoleSessionName": "smoke-session"})
        c("sts AssumeRole", st == 200 and h.get("content-type") == "text/xml"
          and b.startswith(b'<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
          and re.fullmatch(r"ASIA[A-Z2-7]{16}", x.get("AccessKeyId", ""))
          and x["Arn"] == "arn:aws:sts::%s:assumed-role/smoke-role-1/smoke-session" % ACCOUNT
          and re.fullmatch(r"AROA[A-Z2-7]{17}:smoke-session", x["AssumedRoleId"])
          and x["RequestId"] == h.get("x-amzn-requestid")
          and abs(exp_of(x["Expiration"]) - (t0 + 3600)) < 5, (st, b[:300]))
        role1 = self.sts_creds(x)
        c("bedrock with assumed-role creds", self.stream(creds=role1).status == 200)
        st, _, _, x = self.sts({"Action": "GetCallerIdentity"}, role1)
        c("sts GetCallerIdentity role", st == 200 and x.get("Arn") == "arn:aws:sts::%s:assumed-role/smoke-role-1/"
          "smoke-session" % ACCOUNT and x["Account"] == ACCOUNT and x["UserId"].endswith(":smoke-session"), x)
        st, _, _, x = self.sts({"Action": "GetCallerIdentity"})
        c("sts GetCallerIdentity user", st == 200 and x.get("Arn") == "arn:aws:iam::%s:user/sim-user" % ACCOUNT
          and x["UserId"].startswith("AIDA"), x)
        st, _, _, x = self.sts({"Action": "AssumeRole", "RoleArn": r2, "RoleSessionName": "chained"}, role1)
        c("sts chained AssumeRole", st == 200 and x.get("Arn", "").endswith("smoke-role-2/chained")
          and self.stream(creds=self.sts_creds(x)).status == 200, x)
        st, _, _, x = self.sts({"Action": "AssumeRole", "RoleArn": r2, "RoleSessionName": "chained",
                                "DurationSeconds": "7200"}, role1)
        c("sts chain limit", st == 400 and x.get("Code") == "ValidationError"
          and "1 hour session limit" in x.get("Message", ""), x)
        st, _, b, x = self.sts({"Action": "AssumeRole", "RoleArn": r2, "RoleSessionName": "nope"})
        c("sts AccessDenied", st == 403 and b.startswith(b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/'
                                                         b'2011-06-15/">') and x.get("Type") == "Sender"
          and x.get("Code") == "AccessDenied" and x.get("Message") == "User: arn:aws:iam::%s:user/sim-user is not "
          "authorized to perform: sts:AssumeRole on resource: %s" % (ACCOUNT, r2) and x.get("RequestId"), b)
        c("sts external id missing", self.sts({"Action": "AssumeRole", "RoleArn": r3,
                                               "RoleSessionName": "x1"})[0] == 403)
        c("sts external id", self.sts({"Action": "AssumeRole", "RoleArn": r3, "RoleSessionName": "x1",
                                       "ExternalId": "ext-123"})[0] == 200)
        mfa = {"Action": "AssumeRole", "RoleArn": r4, "RoleSessionName": "m1",
               "SerialNumber": "arn:aws:iam::%s:mfa/smoke" % ACCOUNT}
        st, _, _, x = self.sts(dict(mfa, TokenCode="654321"))
        c("sts mfa wrong code", st == 403 and x.get("Message", "").startswith("MultiFactorAuthentication failed"), x)
        c("sts mfa", self.sts(dict(mfa, TokenCode="123456"))[0] == 200)
        st, _, _, x = self.sts({"Action": "AssumeRole", "RoleArn": r1, "RoleSessionName": "a",
                                "DurationSeconds": "100"})
        c("sts validation", st == 400 and x.get("Code") == "ValidationError" and x.get("Message") ==
          "2 validation errors detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member "
          "must have length greater than or equal to 2; Value '100' at 'durationSeconds' failed to satisfy "
          "constraint: Member must have value greater than or equal to 900", x)
        st, _, _, x = self.sts({"Action": "GetCallerIdentity"}, Creds("AKIDSMOKE", "wrong"))
        c("sts bad signature", st == 403 and x.get("Code") == "SignatureDoesNotMatch"
          and "The Canonical String for this request should have been" in x.get("Message", ""), x.get("Code"))
        c("sts unknown key", self.sts({"Action": "GetCallerIdentity"}, Creds("AKIDNOPE", "x"))[3].get("Code")
          == "InvalidClientTokenId")
        st, _, _, x = self.sts({"Action": "GetCallerIdentity"}, None)
        c("sts unsigned", st == 403 and x.get("Code") == "MissingAuthenticationToken", x)
        st, _, _, x = self.sts({"Action": "GetCallerIdentity"}, service="bedrock")
        c("sts wrong service", x.get("Message") == "Credential should be scoped to correct service: 'sts'. ", x)
        c("sts wrong region", self.sts({"Action": "GetCallerIdentity"}, region="eu-west-1")[3].get("Code")
          == "SignatureDoesNotMatch")
        st, _, _, x = self.sts({"Action": "GetSessionToken"})
        c("sts InvalidAction", st == 400 and x.get("Message") == "Could not find operation GetSessionToken for "
                                                                 "version 2011-06-15", x)
        c("sts cli role", self.sts({"Action": "AssumeRole", "RoleArn": CLI_ROLE, "RoleSessionName": "cli"})[0] == 200)
        # expiry in real time: 2-second credentials
        ctl("POST", "/_sim/sts", {"duration_override": 2})
        st, _, _, x = self.sts({"Action": "AssumeRole", "RoleArn": r1, "RoleSessionName": "short"})
        short = self.sts_creds(x)
        c("short creds work", st == 200 and self.stream(creds=short).status == 200)
        time.sleep(2.2)
        r = self.stream(creds=short)
        c("expired creds -> ExpiredTokenException", self.err(r) == (
            403, "ExpiredTokenException", "The security token included in the request is expired",
            "http://internal.amazon.com/coral/com.amazon.coral.service/"), self.err(r))
        st, _, _, x = self.sts({"Action": "GetCallerIdentity"}, short)
        c("expired creds at STS -> ExpiredToken", st == 403 and x.get("Code") == "ExpiredToken"
          and x.get("Message") == "The security token included in the request is expired", x)
        ctl("POST", "/_sim/sts", {"duration_override": None})
        st, doc = ctl("POST", "/_sim/creds/expire", {"access_key_id": role1.akid})
        c("expire via control", st == 200 and self.expired(role1)[1] == "ExpiredTokenException", doc)

        # ---- STS AssumeRoleWithWebIdentity
        now = int(time.time())
        jwt = make_jwt({"sub": "system:serviceaccount:default:smoke", "aud": "sts.amazonaws.com", "iss": issuer,
                        "iat": now, "exp": now + 3600})
        self.secrets.add(jwt)
        web = {"Action": "AssumeRoleWithWebIdentity", "RoleArn": rweb, "RoleSessionName": "web-smoke",
               "WebIdentityToken": jwt}
        st, h, b, x = self.sts(web, None)
        c("sts web identity", st == 200 and b.startswith(b"<AssumeRoleWithWebIdentityResponse")
          and x.get("SubjectFromWebIdentityToken") == "system:serviceaccount:default:smoke"
          and x.get("Audience") == "sts.amazonaws.com"
          and x.get("Provider") == "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, issuer[8:])
          and x.get("Arn") == "arn:aws:sts::%s:assumed-role/smoke-web/web-smoke" % ACCOUNT, b[:400])
        c("web identity creds sign bedrock", st == 200 and self.stream(creds=self.sts_creds(x)).status == 200)
        st, _, _, x = self.sts(dict(web, WebIdentityToken="not-a-jwt"), None)
        c("web identity malformed", st == 400 and x.get("Code") == "InvalidIdentityToken", x)
        old = make_jwt({"sub": "s", "aud": "sts.amazonaws.com", "iss": issuer, "exp": now - 10})
        st, _, _, x = self.sts(dict(web, WebIdentityToken=old), None)
        c("web identity expired", st == 400 and x.get("Code") == "ExpiredTokenException", x)
        c("web identity untrusted", self.sts(dict(web, RoleArn=r1), None)[0] == 403)
        ctl("POST", "/_sim/sts", {"strict_web_identity": True})
        c("web identity strict", self.sts(web, None)[3].get("Code") == "InvalidIdentityToken")
        ctl("POST", "/_sim/sts", {"web_identity_tokens": [jwt]})
        c("web identity registered", self.sts(web, None)[0] == 200)
        ctl("POST", "/_sim/sts", {"strict_web_identity": False})

        # ---- SSO portal + OIDC
        at, rt, cid, cs = "aoa-smoke-ACCESS", "aor-smoke-REFRESH", "smoke-client-id", "smoke-client-SECRET"
        self.secrets |= {at, rt, cs}
        st, _ = ctl("POST", "/_sim/sso", {"access_token": at, "expires_in": 3600, "refresh_token": rt,
                                          "client_id": cid, "client_secret": cs, "account_id": "111122223333",
                                          "role_name": "SmokeRole"})
        c("sso registered", st == 200)
        portal = "/federation/credentials?role_name=SmokeRole&account_id=111122223333"
        st, h, b = https_request(P, CA, "GET", portal, {"x-amz-sso_bearer_token": at})
        doc = json.loads(b).get("roleCredentials", {})
        self.secrets |= {doc.get("secretAccessKey"), doc.get("sessionToken")}
        c("sso GetRoleCredentials", st == 200 and list(doc) == ["accessKeyId", "secretAccessKey", "sessionToken",
                                                                "expiration"]
          and isinstance(doc["expiration"], int) and abs(doc["expiration"] / 1000 - time.time() - 3600) < 10, b)
        sso = Creds(doc["accessKeyId"], doc["secretAccessKey"], doc["sessionToken"])
        c("sso creds sign bedrock", self.stream(creds=sso).status == 200)
        x = self.sts({"Action": "GetCallerIdentity"}, sso)[3]
        c("sso identity", x.get("Account") == "111122223333" and "/AWSReservedSSO_SmokeRole_" in x.get("Arn", ""), x)
        st, h, b = https_request(P, CA, "GET", portal, {"x-amz-sso_bearer_token": "nope"})
        c("sso bad token", st == 401 and h.get("x-amzn-errortype", "").startswith("UnauthorizedException:")
          and json.loads(b)["message"] == "Session token not found or invalid", (st, h, b))
        st, h, b = https_request(P, CA, "GET", portal.replace("SmokeRole", "Other"), {"x-amz-sso_bearer_token": at})
        c("sso no access", st == 403 and h.get("x-amzn-errortype", "").startswith("ForbiddenException:"), (st, b))
        body = {"clientId": cid, "clientSecret": cs, "grantType": "refresh_token", "refreshToken": rt}
        st, h, b = https_request(P, CA, "POST", "/token", {"content-type": "application/json"},
                                 json.dumps(body).encode())
        doc = json.loads(b)
        self.secrets |= {doc.get("accessToken"), doc.get("refreshToken")}
        c("oidc CreateToken", st == 200 and doc.get("tokenType") == "Bearer" and doc.get("expiresIn") == 3600
          and doc.get("accessToken") and doc.get("refreshToken"), b)
        c("portal with refreshed token", https_request(P, CA, "GET", portal, {
            "x-amz-sso_bearer_token": doc.get("accessToken", "")})[0] == 200)
        st, h, b = https_request(P, CA, "POST", "/token", {"content-type": "application/json"},
                                 json.dumps(dict(body, refreshToken="nope")).encode())
        c("oidc invalid_grant", st == 400 and json.loads(b) == {"error": "invalid_grant", "error_description":
                                                                "Invalid refresh token provided"}
          and h.get("x-amzn-errortype", "").startswith("InvalidGrantException:"), (st, h, b))
        st, _, b = https_request(P, CA, "POST", "/token", {"content-type": "application/json"},
                                 json.dumps(dict(body, clientSecret="nope")).encode())
        c("oidc invalid_client", st == 401 and json.loads(b)["error"] == "invalid_client", b)
        ctl("POST", "/_sim/sso", {"access_token": "aoa-expired", "expires_in": 0})
        c("sso expired token", https_request(P, CA, "GET", portal, {"x-amz-sso_bearer_token": "aoa-expired"})[0]
          == 401)

        # ---- Bedrock control plane
        st, h, b = signed_get(P, CA, "/foundation-models", {"byProvider": "Anthropic"}, self.creds())
        models = {m["modelId"]: m for m in json.loads(b).get("modelSummaries", [])} if st == 200 else {}
        s46 = models.get("anthropic.claude-sonnet-4-6", {})
        c("ListFoundationModels", st == 200 and s46.get("inferenceTypesSupported") == ["INFERENCE_PROFILE"]
          and s46.get("modelArn") == "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-6"
          and s46.get("inputModalities") == ["TEXT", "IMAGE"] and s46.get("modelLifecycle") == {"status": "ACTIVE"}
          and s46.get("responseStreamingSupported") is True
          and models.get("anthropic.claude-3-haiku-20240307-v1:0", {}).get("inferenceTypesSupported") == ["ON_DEMAND"]
          and all(m["providerName"] == "Anthropic" for m in models.values()), b[:300])
        st, _, b = signed_get(P, CA, "/foundation-models", {"byInferenceType": "ON_DEMAND"}, self.creds())
        c("ListFoundationModels filter", st == 200 and [m["modelId"] for m in json.loads(b)["modelSummaries"]]
          == ["anthropic.claude-3-haiku-20240307-v1:0"], b[:300])
        st, _, b = signed_get(P, CA, "/foundation-models", {"byInferenceType": "BAD"}, self.creds())
        c("ListFoundationModels validation", st == 400 and "enum value set" in json.loads(b)["message"], b)
        ids, token, pages = [], None, 0
        while pages < 50:
            q = {"maxResults": "5"}
            if token:
                q["nextToken"] = token
            st, _, b = signed_get(P, CA, "/inference-profiles", q, self.creds())
            if st != 200:
                break
            doc = json.loads(b)
            ids += [p["inferenceProfileId"] for p in doc["inferenceProfileSummaries"]]
            pages += 1
            token = doc.get("nextToken")
            if not token:
                break
        st, _, b = signed_get(P, CA, "/inference-profiles", None, self.creds())
        full = json.loads(b)["inferenceProfileSummaries"] if st == 200 else []
        one = next((p for p in full if p["inferenceProfileId"] == "us.anthropic.claude-sonnet-4-6"), {})
        c("ListInferenceProfiles paginated", pages > 1 and ids == [p["inferenceProfileId"] for p in full]
          and len(set(ids)) == len(ids) and not any(i.startswith(("eu.", "apac.")) for i in ids), (pages, ids))
        c("ListInferenceProfiles shape", one.get("inferenceProfileArn") == "arn:aws:bedrock:us-east-1:%s:"
          "inference-profile/us.anthropic.claude-sonnet-4-6" % ACCOUNT and one.get("status") == "ACTIVE"
          and one.get("type") == "SYSTEM_DEFINED" and len(one.get("models", [])) == 3
          and re.fullmatch(iso, one.get("createdAt", "")), one)
        st, _, b = signed_get(P, CA, "/inference-profiles", {"nextToken": "garbage"}, self.creds())
        c("ListInferenceProfiles bad token", st == 400, b)
        st, _, b = signed_get(P, CA, "/foundation-models", None, None)
        c("control plane unsigned", st == 403 and json.loads(b) == {"message": "Missing Authentication Token"})
        c("control plane bearer", signed_get(P, CA, "/foundation-models", None, None, bearer=BEARER)[0] == 200)

        # ---- service faults
        ctl("POST", "/_sim/service_faults", [{"service": "sts", "code": "Throttling", "message": "Rate exceeded",
                                              "status": 400}, {"service": "imds", "op": "token", "status": 500}])
        st, _, _, x = self.sts({"Action": "GetCallerIdentity"})
        c("service fault sts", st == 400 and x.get("Code") == "Throttling" and x.get("Type") == "Sender", x)
        c("service fault consumed", self.sts({"Action": "GetCallerIdentity"})[0] == 200)
        c("service fault imds", self.imds("PUT", "/latest/api/token",
                                          **{"X-aws-ec2-metadata-token-ttl-seconds": "60"})[0] == 500)
        c("service fault rejects junk", ctl("POST", "/_sim/service_faults", {"service": "nope"})[0] == 400)

        # ---- credential_process-style credentials from the control API
        st, doc = ctl("POST", "/_sim/creds", {"mint": True, "expires_in": 600})
        self.secrets |= {doc.get("SecretAccessKey"), doc.get("SessionToken")}
        c("control mint", st == 200 and doc.get("Version") == 1 and self.stream(creds=Creds(
            doc["AccessKeyId"], doc["SecretAccessKey"], doc["SessionToken"])).status == 200, doc)
        st, listing = ctl("GET", "/_sim/creds")
        c("control creds listing", st == 200 and not any("secret" in json.dumps(e).lower() for e in listing)
          and {e["source"] for e in listing} >= {"cli", "sts", "imds", "container", "sso", "control"},
          [e["source"] for e in listing])

        # ---- request log
        st, log = ctl("GET", "/_sim/requests")
        dump = json.dumps(log)
        c("request log services", {e["service"] for e in log} == {"bedrock-runtime", "bedrock", "sts", "imds",
                                                                    "container", "sso", "sso-oidc"},
          {e["service"] for e in log})
        sts_log = ctl("GET", "/_sim/requests?service=sts")[1]
        c("request log sts actions", sts_log and all(e["service"] == "sts" for e in sts_log)
          and {"AssumeRole", "GetCallerIdentity", "AssumeRoleWithWebIdentity"} <= {e["action"] for e in sts_log}
          and all(e["status"] for e in sts_log))
        c("request log has no secrets", not any(s in dump for s in self.secrets if s), len(self.secrets))

        # ---- reset keeps command-line state only
        ctl("POST", "/_sim/reset")
        r = self.stream(creds=sso)
        c("reset forgets minted creds", self.err(r)[1] == "UnrecognizedClientException", self.err(r))
        c("reset keeps cli creds", self.stream().status == 200)
        c("reset forgets roles", self.sts({"Action": "AssumeRole", "RoleArn": r1, "RoleSessionName": "z1"})[0]
          == 403)
        c("reset keeps cli roles", self.sts({"Action": "AssumeRole", "RoleArn": CLI_ROLE,
                                             "RoleSessionName": "z1"})[0] == 200)
        c("reset forgets sso", https_request(P, CA, "GET", portal, {"x-amz-sso_bearer_token": at})[0] == 401)
        c("reset restores imds", ctl("GET", "/_sim/imds")[1].get("allow_v1") is False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()
    if not a.smoke:
        ap.print_help()
        return 2
    s = Smoke()
    s.run()
    return 0 if s.failed == 0 and s.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
