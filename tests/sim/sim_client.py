#!/usr/bin/env python3
"""Pure-Python smoke client for the Bedrock simulator (standard library only).

The SigV4 signer and the event-stream decoder here are written separately
from the simulator's verifier and encoder, so that the smoke test checks one
implementation against another rather than a function against itself.

    python3 sim_client.py --smoke      # start a simulator, run every check

Library use (from other test scripts):
    invoke_stream(port, ca, model, body, creds, region) -> StreamResult
    invoke(port, ca, model, body, creds, region) -> (status, headers, body bytes)
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


def sign(method, host, path, body, creds, region, service="bedrock", headers=None, now=None,
         sign_token=True, content_sha_header=False):
    """Return the headers to send (Host, X-Amz-Date, token, Authorization).
    `path` is the path as it goes on the wire (already percent-encoded once)."""
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
    creq = "\n".join([method, quote(path, safe="/-_.~"), ""]
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
SECRET, SESSION_SECRET, TOKEN, BEARER = ("smoke/secret+KEY1", "smoke/secret+KEY2", "IQoJsmokeSESSIONtoken==",
                                         "bedrock-api-key-SMOKEBEARER")


class Smoke:
    def __init__(self):
        self.passed = self.failed = 0

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
                                 "ASIASMOKE:%s:%s" % (SESSION_SECRET, TOKEN), "--bearer-token", BEARER],
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
            self.tests()
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
