#!/usr/bin/env python3
"""Amazon Bedrock Runtime simulator for the bedrock-claude end-to-end tests.

It speaks the wire protocol of the real service closely enough that a client
which works against it works against AWS: HTTPS (TLS 1.2+), HTTP/1.1 with
keep-alive, SigV4 verified independently from the bytes received (double URI
encoding, as every AWS service but S3), restJson1 errors with the coral
`x-amzn-ErrorType` header, and InvokeModelWithResponseStream answers as
`application/vnd.amazon.eventstream` frames wrapping Anthropic Messages stream
events, one frame per HTTP chunk.

The answers come from a deterministic scripted "model" (see plan_answer), and
an unauthenticated control API under /_sim/ queues per-request faults (errors,
cuts, CRC corruption, stream exceptions, stalls...) so every failure mode of
the client can be exercised.  Python 3 standard library only; certificates are
made with the `openssl` command line.

    python3 bedrock_sim.py --dir DIR [--port 0] [--region us-east-1] ...
    python3 bedrock_sim.py --selftest

Wire facts that were checked against recorded real traffic (not guessed):
auth errors carry `x-amzn-ErrorType: <Type>:http://internal.amazon.com/coral/
com.amazon.coral.service/` and a body with a lower-case "message" key; Bedrock
errors use the `.../coral/com.amazon.bedrock/` namespace; an invalid Bedrock
API key (bearer) answers `{"Message": ...}` with a capital M; stream chunk
payloads are `{"bytes":"<base64>","p":"abcd..."}` where p is a prefix of
a-zA-Z0-9 of varying length; message_start puts "model" first.
"""

import argparse
import base64
import binascii
import calendar
import email.utils
import fcntl
import hashlib
import hmac
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, unquote_to_bytes

# ============================================================================
# Model catalogue
# ============================================================================
# base id -> response "model" name, max output tokens, whether the base id may
# be invoked on demand (only old models; new ones need an inference profile),
# which geographic inference-profile prefixes exist, access, and whether the
# model rejects temperature together with top_p (Claude 4.5 generation on).
_ALL_GEOS = ("us", "eu", "apac", "jp", "au", "global", "us-gov")
MODELS = {
    "anthropic.claude-sonnet-4-6": dict(
        name="claude-sonnet-4-6", max_out=64000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-opus-4-6-v1": dict(
        name="claude-opus-4-6", max_out=128000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-sonnet-4-5-20250929-v1:0": dict(
        name="claude-sonnet-4-5-20250929", max_out=64000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-haiku-4-5-20251001-v1:0": dict(
        name="claude-haiku-4-5-20251001", max_out=64000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-opus-4-5-20251101-v1:0": dict(
        name="claude-opus-4-5-20251101", max_out=64000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-sonnet-4-20250514-v1:0": dict(
        name="claude-sonnet-4-20250514", max_out=64000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=False, modern=True),
    # Listed as "no access": every form of it answers AccessDeniedException.
    "anthropic.claude-opus-4-1-20250805-v1:0": dict(
        name="claude-opus-4-1-20250805", max_out=32000, on_demand=False, geos=("us", "global"),
        access=False, temp_xor_top_p=True, modern=True),
    # Old model: the base id is invocable on demand.
    "anthropic.claude-3-haiku-20240307-v1:0": dict(
        name="claude-3-haiku-20240307", max_out=4096, on_demand=True, geos=("us", "eu", "apac"),
        access=True, temp_xor_top_p=False, modern=False),
}
# An application inference profile ARN (any id) routes to this model.
DEFAULT_APP_PROFILE_MODEL = "anthropic.claude-sonnet-4-6"
ANTHROPIC_VERSION = "bedrock-2023-05-31"
# Top-level body keys Bedrock's Anthropic schema accepts; anything else is
# "extraneous" (notably `model` and `stream`, which the first-party API takes).
ALLOWED_KEYS = {"anthropic_version", "anthropic_beta", "max_tokens", "messages", "system",
                "temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice",
                "thinking", "metadata"}
KNOWN_BLOCK_TYPES = ("text", "image", "document", "tool_use", "tool_result", "thinking",
                     "redacted_thinking")


def region_geos(region):
    """Inference-profile geographies callable from a region (cross-geo prefixes
    are rejected as invalid identifiers, as on AWS)."""
    if region.startswith("us-gov-"):
        return {"us-gov"}
    geos = {"global"}
    if region.startswith(("us-", "ca-")):
        geos.add("us")
    elif region.startswith("eu-"):
        geos.add("eu")
    elif region in ("ap-northeast-1", "ap-northeast-3"):
        geos |= {"jp", "apac"}
    elif region in ("ap-southeast-2", "ap-southeast-4"):
        geos |= {"au", "apac"}
    elif region.startswith("ap-"):
        geos.add("apac")
    return geos


# ============================================================================
# AWS errors
# ============================================================================
CORAL_NS = "http://internal.amazon.com/coral/com.amazon.coral.service/"
BEDROCK_NS = "http://internal.amazon.com/coral/com.amazon.bedrock/"
ERROR_STATUS = {
    "ValidationException": 400, "ServiceQuotaExceededException": 400,
    "AccessDeniedException": 403, "ResourceNotFoundException": 404,
    "ModelTimeoutException": 408, "ModelErrorException": 424,
    "ThrottlingException": 429, "ModelNotReadyException": 429,
    "InternalServerException": 500, "ServiceUnavailableException": 503,
    # Authentication layer (coral service namespace):
    "UnrecognizedClientException": 403, "InvalidSignatureException": 403,
    "IncompleteSignatureException": 403, "MissingAuthenticationTokenException": 403,
    "ExpiredTokenException": 403, "UnknownOperationException": 404,
}
AUTH_TYPES = {"UnrecognizedClientException", "InvalidSignatureException",
              "IncompleteSignatureException", "MissingAuthenticationTokenException",
              "ExpiredTokenException", "UnknownOperationException"}
DEFAULT_MESSAGES = {
    "ThrottlingException": "Too many requests, please wait before trying again.",
    "ServiceUnavailableException": "Bedrock is unable to process your request.",
    "InternalServerException": "The system encountered an unexpected error during processing. Try your request again.",
    "ModelTimeoutException": "Model has timed out in processing the request. Try your request again.",
    "ModelNotReadyException": "Model is not ready to serve inference requests. The AWS SDK will automatically retry the operation up to 5 times.",
    "ModelErrorException": "The system encountered an unexpected error during processing. Try your request again.",
    "ServiceQuotaExceededException": "Your request exceeds the service quota for your account. You can view your quotas at https://docs.aws.amazon.com/servicequotas/latest/userguide/gs-request-quota.html.",
    "ValidationException": "Malformed input request, please reformat your input and try again.",
    "AccessDeniedException": "You don't have access to the model with the specified model ID.",
    "ResourceNotFoundException": "This model version has reached the end of its life. Please refer to the AWS documentation for more details.",
    "ExpiredTokenException": "The security token included in the request is expired",
    "UnrecognizedClientException": "The security token included in the request is invalid.",
}
STREAM_EXCEPTIONS = {  # member names of the ResponseStream union
    "throttlingException": "Too many requests, please wait before trying again.",
    "modelStreamErrorException": "The model returned an error while streaming the response.",
    "validationException": "Malformed input request, please reformat your input and try again.",
    "internalServerException": "The system encountered an unexpected error during processing. Try your request again.",
    "serviceUnavailableException": "Bedrock is unable to process your request.",
    "modelTimeoutException": "Model has timed out in processing the request. Try your request again.",
}
MSG_INVALID_TOKEN = "The security token included in the request is invalid."
MSG_SIG_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                    "Check your AWS Secret Access Key and signing method. "
                    "Consult the service documentation for details.")
MSG_BAD_MODEL = "The provided model identifier is invalid."
MSG_BAD_API_KEY = "Authentication failed: Please make sure your API Key is valid."


class AwsError(Exception):
    """An AWS-shaped error reply: status, x-amzn-ErrorType, {"message": ...}."""

    def __init__(self, type_, message=None, status=None, namespace=None, message_key="message",
                 headers=None, extra=None):
        super().__init__(type_)
        self.type = type_
        self.message = DEFAULT_MESSAGES.get(type_, type_) if message is None else message
        self.status = status or ERROR_STATUS.get(type_, 400)
        self.namespace = namespace or (CORAL_NS if type_ in AUTH_TYPES else BEDROCK_NS)
        self.message_key = message_key
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self):
        doc = {self.message_key: self.message}
        doc.update(self.extra)
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def validation(message):
    return AwsError("ValidationException", message)


# ============================================================================
# SigV4 (verification side; the smoke client signs with its own code)
# ============================================================================
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
SKEW_SECONDS = 300


def uri_encode(data, keep_slash):
    """RFC 3986 encoding of raw bytes, upper-case hex, as SigV4 specifies."""
    return "".join(chr(b) if b in _UNRESERVED or (keep_slash and b == 0x2F) else "%%%02X" % b
                   for b in data)


def canonical_uri(raw_path):
    """The path exactly as received (bytes), encoded once more; no normalization.
    So `%3A` becomes `%253A` and an ARN's `%2F` becomes `%252F`."""
    return uri_encode(raw_path, keep_slash=True) if raw_path else "/"


def canonical_query(raw_query):
    pairs = []
    for part in raw_query.split(b"&") if raw_query else ():
        if part:
            k, _, v = part.partition(b"=")
            pairs.append((uri_encode(unquote_to_bytes(k), False), uri_encode(unquote_to_bytes(v), False)))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def header_map(headers):
    """(name, value) pairs -> {lowercase name: [values in arrival order]}."""
    out = {}
    for name, value in headers:
        out.setdefault(name.strip().lower(), []).append(value)
    return out


def canonical_header_value(values):
    return ",".join(" ".join(v.split()) for v in values)


def canonical_request(method, raw_path, raw_query, headers, signed, payload_hash):
    """Build the canonical request as bytes (headers are latin-1 strings that hold
    the raw bytes received, so non-ASCII values round-trip exactly)."""
    hmap = header_map(headers)
    lines = [method, canonical_uri(raw_path), canonical_query(raw_query)]
    lines += ["%s:%s" % (n, canonical_header_value(hmap.get(n, []))) for n in signed]
    lines += ["", ";".join(signed), payload_hash]
    return "\n".join(lines).encode("latin-1")


def string_to_sign(amz_date, scope, creq):
    return ("AWS4-HMAC-SHA256\n%s\n%s\n%s" % (amz_date, scope, hashlib.sha256(creq).hexdigest())).encode()


def signing_key(secret, date, region, service):
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def signature(secret, date, region, service, sts):
    return hmac.new(signing_key(secret, date, region, service), sts, hashlib.sha256).hexdigest()


def amz_time(ts):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(ts))


def parse_authorization(value):
    """Split `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`."""
    algo, _, rest = value.strip().partition(" ")
    params = {}
    for item in rest.split(","):
        k, eq, v = item.strip().partition("=")
        if eq:
            params[k.strip()] = v.strip()
    return algo, params


def verify_sigv4(method, target, headers, body, creds, region, service, now):
    """Check a SigV4-signed request as an AWS front end does, in its order.

    target: the request-target as received (latin-1 str); headers: (name, value)
    pairs; creds: {akid: {"secret":..., "token":... or None}}. Returns a verdict
    dict, or raises AwsError with AWS's type and wording.
    """
    hmap = header_map(headers)
    auth = hmap.get("authorization", [None])[0]
    if auth is None:
        raise AwsError("MissingAuthenticationTokenException", "Missing Authentication Token")
    algo, params = parse_authorization(auth)
    if algo != "AWS4-HMAC-SHA256":
        raise AwsError("IncompleteSignatureException",
                       "Authorization header requires 'Credential' parameter. Authorization header "
                       "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
                       "parameter. Authorization header requires existence of either a 'X-Amz-Date' or "
                       "a 'Date' header.")
    missing = ["Authorization header requires '%s' parameter." % p
               for p in ("Credential", "Signature", "SignedHeaders") if p not in params]
    amz_date = hmap.get("x-amz-date", [None])[0]
    if amz_date is None:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise AwsError("IncompleteSignatureException", " ".join(missing))
    cred = params["Credential"].split("/")
    if len(cred) != 5 or cred[4] != "aws4_request":
        raise AwsError("IncompleteSignatureException",
                       "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. "
                       % (cred[-1] if cred else ""))
    akid, c_date, c_region, c_service, _ = cred
    entry = creds.get(akid)
    if entry is None:
        raise AwsError("UnrecognizedClientException", MSG_INVALID_TOKEN)
    if c_region != region:
        raise AwsError("InvalidSignatureException", "Credential should be scoped to a valid region. ")
    if c_service != service:
        raise AwsError("InvalidSignatureException",
                       "Credential should be scoped to correct service: '%s'. " % service)
    signed = params["SignedHeaders"].split(";")
    if "host" not in signed:
        raise AwsError("InvalidSignatureException",
                       "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    if "x-amz-date" not in signed:
        raise AwsError("InvalidSignatureException",
                       "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
    amz_date = amz_date.strip()
    try:
        req_ts = float(calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")))
    except ValueError:
        raise AwsError("IncompleteSignatureException",
                       "Date must be in ISO-8601 'basic format'. Got '%s'. "
                       "See http://en.wikipedia.org/wiki/ISO_8601" % amz_date)
    if c_date != amz_date[:8]:
        raise AwsError("InvalidSignatureException",
                       "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                       "from HTTP: '%s' != '%s', from '%s'." % (c_date, amz_date[:8], amz_date))
    now = int(now)
    if req_ts < now - SKEW_SECONDS:
        raise AwsError("InvalidSignatureException", "Signature expired: %s is now earlier than %s (%s - 5 min.)"
                       % (amz_date, amz_time(now - SKEW_SECONDS), amz_time(now)))
    if req_ts > now + SKEW_SECONDS:
        raise AwsError("InvalidSignatureException",
                       "Signature not yet current: %s is still later than %s (%s + 5 min.)"
                       % (amz_date, amz_time(now + SKEW_SECONDS), amz_time(now)))
    token = hmap.get("x-amz-security-token", [None])[0]
    if entry.get("token"):
        if token is None or token != entry["token"] or "x-amz-security-token" not in signed:
            raise AwsError("UnrecognizedClientException", MSG_INVALID_TOKEN)
    elif token is not None:
        raise AwsError("UnrecognizedClientException", MSG_INVALID_TOKEN)
    body_hash = hashlib.sha256(body).hexdigest()
    raw_path, _, raw_query = target.encode("latin-1").partition(b"?")
    creq = canonical_request(method, raw_path, raw_query, headers, signed, body_hash)
    sts = string_to_sign(amz_date, "/".join(cred[1:]), creq)
    expected = signature(entry["secret"], c_date, c_region, c_service, sts)
    if not hmac.compare_digest(expected, params["Signature"]):
        # AWS echoes both strings so a client author can diff their signer.
        raise AwsError("InvalidSignatureException", MSG_SIG_MISMATCH
                       + "\n\nThe Canonical String for this request should have been\n'"
                       + creq.decode("latin-1") + "'\n\nThe String-to-Sign should have been\n'"
                       + sts.decode() + "'\n")
    declared = hmap.get("x-amz-content-sha256", [None])[0]
    if declared is not None and declared.strip() != body_hash:
        raise AwsError("InvalidSignatureException",
                       "The provided 'x-amz-content-sha256' header does not match what was computed.")
    return {"scheme": "sigv4", "ok": True, "access_key": akid, "signed_headers": signed,
            "session_token": token is not None, "amz_date": amz_date}


# ============================================================================
# Event stream (application/vnd.amazon.eventstream)
# ============================================================================
def es_header(name, type_, value):
    n = name.encode()
    out = struct.pack(">B", len(n)) + n + struct.pack(">B", type_)
    if type_ in (0, 1):
        return out
    if type_ == 2:
        return out + struct.pack(">b", value)
    if type_ == 3:
        return out + struct.pack(">h", value)
    if type_ == 4:
        return out + struct.pack(">i", value)
    if type_ in (5, 8):
        return out + struct.pack(">q", value)
    if type_ in (6, 7):
        data = value.encode() if isinstance(value, str) else value
        return out + struct.pack(">H", len(data)) + data
    if type_ == 9:
        assert len(value) == 16
        return out + value
    raise ValueError("bad header type %r" % type_)


def es_message(headers, payload):
    """One frame: prelude (total, headers length, CRC), headers, payload, CRC."""
    hb = b"".join(es_header(*h) for h in headers)
    prelude = struct.pack(">II", 12 + len(hb) + len(payload) + 4, len(hb))
    msg = prelude + struct.pack(">I", zlib.crc32(prelude)) + hb + payload
    return msg + struct.pack(">I", zlib.crc32(msg))


def es_decode(data):
    """Decode exactly one frame (used by the self-check). Raises ValueError."""
    if len(data) < 16:
        raise ValueError("short frame")
    total, hlen, pcrc = struct.unpack(">III", data[:12])
    if zlib.crc32(data[:8]) != pcrc:
        raise ValueError("Prelude checksum mismatch")
    if total != len(data):
        raise ValueError("length mismatch")
    if zlib.crc32(data[:-4]) != struct.unpack(">I", data[-4:])[0]:
        raise ValueError("Message checksum mismatch")
    headers, pos, end = [], 12, 12 + hlen
    while pos < end:
        nl = data[pos]
        name = data[pos + 1:pos + 1 + nl].decode()
        pos += 1 + nl
        t = data[pos]
        pos += 1
        if t in (0, 1):
            v = t == 0
        elif t == 2:
            v = struct.unpack(">b", data[pos:pos + 1])[0]; pos += 1
        elif t == 3:
            v = struct.unpack(">h", data[pos:pos + 2])[0]; pos += 2
        elif t == 4:
            v = struct.unpack(">i", data[pos:pos + 4])[0]; pos += 4
        elif t in (5, 8):
            v = struct.unpack(">q", data[pos:pos + 8])[0]; pos += 8
        elif t in (6, 7):
            ln = struct.unpack(">H", data[pos:pos + 2])[0]
            v = data[pos + 2:pos + 2 + ln]; pos += 2 + ln
        elif t == 9:
            v = data[pos:pos + 16]; pos += 16
        else:
            raise ValueError("bad header type")
        headers.append((name, t, v))
    return headers, data[end:-4]


_PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def chunk_frame(inner, rng):
    """A Bedrock `chunk` event: payload {"bytes": b64(inner JSON), "p": padding}."""
    payload = json.dumps({"bytes": base64.b64encode(inner).decode(),
                          "p": _PAD[:rng.randint(1, len(_PAD) - 4)]}, separators=(",", ":"))
    return es_message([(":event-type", 7, "chunk"), (":content-type", 7, "application/json"),
                       (":message-type", 7, "event")], payload.encode())


def exception_frame(exc_type, doc):
    return es_message([(":exception-type", 7, exc_type), (":content-type", 7, "application/json"),
                       (":message-type", 7, "exception")],
                      json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())


# ============================================================================
# Request validation (Bedrock's schema check, then Anthropic's own checks)
# ============================================================================
def _schema_error(violations):
    if len(violations) == 1:
        return validation("Malformed input request: %s, please reformat your input and try again."
                          % violations[0])
    return validation("Malformed input request: %d schema violations found, please reformat your "
                      "input and try again." % len(violations))


def _jtype(v):
    return {bool: "Boolean", int: "Integer", float: "Number", str: "String", list: "JSONArray",
            dict: "JSONObject", type(None): "Null"}.get(type(v), "Unknown")


def _blocks(content, where):
    """Normalize a content value to a list of blocks, checking Anthropic's rules."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    if not isinstance(content, list):
        raise validation("%s: Input should be a valid list" % where)
    for j, b in enumerate(content):
        if not isinstance(b, dict):
            raise validation("%s.%d: Input should be a valid dictionary or object to extract fields from"
                             % (where, j))
        t = b.get("type")
        if t not in KNOWN_BLOCK_TYPES:
            raise validation("%s.%d: Input tag '%s' found using 'type' does not match any of the "
                             "expected tags: %s" % (where, j, t, ", ".join("'%s'" % k for k in KNOWN_BLOCK_TYPES)))
        if t == "text":
            if "text" not in b:
                raise validation("%s.%d.text: Field required" % (where, j))
            if not isinstance(b["text"], str):
                raise validation("%s.%d.text: Input should be a valid string" % (where, j))
            if b["text"] == "":
                raise validation("messages: text content blocks must be non-empty")
    return content


def text_of(blocks):
    return "".join(b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text")


def validate_body(raw, model):
    try:
        req = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise validation("Malformed input request: Unable to parse the request body as JSON, please "
                         "reformat your input and try again.")
    if not isinstance(req, dict):
        raise _schema_error(["#: expected type: JSONObject, found: %s" % _jtype(req)])
    v = ["#: extraneous key [%s] is not permitted" % k for k in req if k not in ALLOWED_KEYS]
    v += ["#: required key [%s] not found" % k for k in ("anthropic_version", "max_tokens", "messages")
          if k not in req]
    types = {"anthropic_version": (str,), "max_tokens": (int,), "messages": (list,),
             "temperature": (int, float), "top_p": (int, float), "top_k": (int,),
             "stop_sequences": (list,), "system": (str, list), "anthropic_beta": (list,)}
    for k, ts in types.items():
        if k in req and (not isinstance(req[k], ts) or isinstance(req[k], bool)):
            v.append("#/%s: expected type: %s, found: %s" % (k, _jtype(ts[0]()), _jtype(req[k])))
    if not v:
        if req["anthropic_version"] != ANTHROPIC_VERSION:
            v.append("#/anthropic_version: %s is not a valid enum value" % req["anthropic_version"])
        if req["max_tokens"] < 1:
            v.append("#/max_tokens: %d is not greater or equal to 1" % req["max_tokens"])
        for k, hi in (("temperature", 1), ("top_p", 1)):
            if k in req and not 0 <= req[k] <= hi:
                v.append("#/%s: %s is not %s" % (k, req[k], "less or equal to 1" if req[k] > hi
                                                 else "greater or equal to 0"))
        if "top_k" in req and req["top_k"] < 0:
            v.append("#/top_k: %d is not greater or equal to 0" % req["top_k"])
        for i, s in enumerate(req.get("stop_sequences", [])):
            if not isinstance(s, str):
                v.append("#/stop_sequences/%d: expected type: String, found: %s" % (i, _jtype(s)))
    if v:
        raise _schema_error(v)
    # --- Anthropic-level checks (messages pass through verbatim as ValidationException)
    if req["max_tokens"] > model["max_out"]:
        raise validation("max_tokens: %d > %d, which is the maximum allowed number of output tokens for %s"
                         % (req["max_tokens"], model["max_out"], model["name"]))
    if model["temp_xor_top_p"] and "temperature" in req and "top_p" in req:
        raise validation("`temperature` and `top_p` cannot both be specified for this model. "
                         "Please use only one.")
    msgs = req["messages"]
    if not msgs:
        raise validation("messages: at least one message is required")
    for i, m in enumerate(msgs):
        if not isinstance(m, dict):
            raise validation("messages.%d: Input should be a valid dictionary" % i)
        if m.get("role") not in ("user", "assistant"):
            raise validation("messages.%d.role: Input should be 'user' or 'assistant'" % i)
        if "content" not in m:
            raise validation("messages.%d.content: Field required" % i)
        extra = [k for k in m if k not in ("role", "content")]
        if extra:
            raise validation("messages.%d.%s: Extra inputs are not permitted" % (i, extra[0]))
        blocks = _blocks(m["content"], "messages.%d.content" % i)
        if not blocks and not (i == len(msgs) - 1 and m["role"] == "assistant"):
            raise validation("messages.%d: all messages must have non-empty content except for the "
                             "optional final assistant message" % i)
    if msgs[0]["role"] != "user":
        raise validation('messages: first message must use the "user" role')
    for a, b in zip(msgs, msgs[1:]):
        if a["role"] == b["role"]:
            raise validation('messages: roles must alternate between "user" and "assistant", but found '
                             'multiple "%s" roles in a row' % a["role"])
    last = msgs[-1]
    if last["role"] == "assistant":
        blocks = _blocks(last["content"], "messages.%d.content" % (len(msgs) - 1))
        if blocks and blocks[-1].get("type") == "text" and blocks[-1]["text"] != blocks[-1]["text"].rstrip():
            raise validation("messages: final assistant content cannot end with trailing whitespace")
    if "system" in req:
        if isinstance(req["system"], list):
            for j, b in enumerate(req["system"]):
                if not isinstance(b, dict) or b.get("type") != "text" or not isinstance(b.get("text"), str):
                    raise validation("system.%d: Input should be a valid text block" % j)
    return req


# ============================================================================
# Scripted model
# ============================================================================
UNICODE_SAMPLE = "héllo → 日本語 🎉 — naïve café, Ελληνικά, русский, עברית, 𝄞 and 👩‍💻 done."


def pieces_of(text):
    """Token-like pieces (a word with its leading whitespace); joining them
    gives back the text. Token counts are the number of pieces."""
    return re.findall(r"\s*\S+|\s+", text)


def _parse_directives(text):
    """Leading `/sim ...` lines of the last user message. `/sim reply ` takes
    the rest of the message verbatim, so it ends the directive list."""
    opts, rest = {}, text
    while rest.startswith("/sim "):
        line, nl, after = rest.partition("\n")
        if line.startswith("/sim reply "):
            opts["reply"] = rest[len("/sim reply "):]
            return opts, ""
        words = line.split()
        cmd, args = (words[1] if len(words) > 1 else ""), words[2:]
        if cmd in ("words", "deltas", "slow") and args and args[0].isdigit():
            opts[cmd] = int(args[0])
        elif cmd in ("echo-system", "echo-json", "unicode", "ascii-json", "ping", "refusal"):
            opts[cmd] = True
        else:
            opts.setdefault("unknown", line)
        rest = after if nl else ""
    return opts, rest


def plan_answer(req, model):
    """Decide the reply deterministically from the conversation.

    Returns a dict: text (what is streamed), deltas, stop_reason,
    stop_sequence, input/output tokens and per-request options."""
    msgs = req["messages"]
    prefill = None
    if msgs[-1]["role"] == "assistant":
        prefill = text_of(_blocks(msgs[-1]["content"], "x"))
        users = [m for m in msgs if m["role"] == "user"]
        user = users[-1]
    else:
        user = msgs[-1]
    opts, rest = _parse_directives(text_of(_blocks(user["content"], "x")))
    system = req.get("system", "")
    system_text = system if isinstance(system, str) else "\n".join(b["text"] for b in system)
    if "reply" in opts:
        full = opts["reply"]
    elif "words" in opts:
        full = " ".join("w%d" % i for i in range(1, opts["words"] + 1))
    elif opts.get("echo-system"):
        full = system_text or "(no system prompt)"
    elif opts.get("echo-json"):
        full = json.dumps(msgs, ensure_ascii=False, separators=(",", ":"))
    elif opts.get("unicode"):
        full = UNICODE_SAMPLE
    elif "unknown" in opts:
        full = "sim: unknown directive '%s'" % opts["unknown"]
    else:
        full = "Hello from the Bedrock simulator. You said: " + rest
    # A prefill makes the model continue: the rest of the answer if the prefill
    # is a prefix of it (so a resumed, cut stream completes exactly), else the
    # whole answer after a space.
    if prefill is None:
        text = full
    elif full.startswith(prefill):
        text = full[len(prefill):]
    else:
        text = " " + full
    stop_reason, stop_seq = ("refusal" if opts.get("refusal") else "end_turn"), None
    hits = [(text.find(s), s) for s in req.get("stop_sequences", []) if s and s in text]
    if hits:
        pos, stop_seq = min(hits)
        text, stop_reason = text[:pos], "stop_sequence"
    pieces = pieces_of(text)
    if len(pieces) > req["max_tokens"]:
        pieces, stop_reason, stop_seq = pieces[:req["max_tokens"]], "max_tokens", None
        text = "".join(pieces)
    all_text = system_text + "".join(text_of(_blocks(m["content"], "x")) for m in msgs)
    return {"text": text, "deltas": split_deltas(text, opts), "stop_reason": stop_reason,
            "stop_sequence": stop_seq, "input_tokens": math.ceil(len(all_text.encode()) / 4) + 8,
            "output_tokens": max(1, len(pieces)), "opts": opts}


def split_deltas(text, opts):
    """Cut the text into text_delta strings: by default groups of 1-4 pieces
    (long ones cut to <= 20 code points, so some deltas end mid-word); with
    `/sim deltas N` exactly N nearly equal parts; with `/sim unicode` 1-3 code
    points each so that multibyte characters sit on delta boundaries. Python
    slices by code point, so a UTF-8 sequence is never split."""
    if not text:
        return []
    if "deltas" in opts:
        n = max(1, min(opts["deltas"], len(text)))
        bounds = [round(i * len(text) / n) for i in range(n + 1)]
        return [text[a:b] for a, b in zip(bounds, bounds[1:])]
    if opts.get("unicode"):
        out, i, k = [], 0, 0
        while i < len(text):
            size = (1, 2, 3)[k % 3]
            out.append(text[i:i + size])
            i, k = i + size, k + 1
        return out
    pieces, out, i, k = pieces_of(text), [], 0, 0
    while i < len(pieces):
        size = (1, 3, 2, 1, 4, 2)[k % 6]
        group = "".join(pieces[i:i + size])
        out += [group[j:j + 20] for j in range(0, len(group), 20)]
        i, k = i + size, k + 1
    return out


def new_message_id():
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "msg_bdrk_01" + "".join(random.choice(alphabet) for _ in range(22))


def usage_start(model, plan):
    u = {"input_tokens": plan["input_tokens"]}
    if model["modern"]:
        u.update(cache_creation_input_tokens=0, cache_read_input_tokens=0,
                 cache_creation={"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0})
    return u


def resolve_model(model_id, region):
    """Map a modelId (base id, profile id or ARN) to a catalogue entry, or raise
    the error Bedrock gives for it."""
    profile = False
    m = re.fullmatch(r"arn:aws(?:-[a-z-]+)?:bedrock:([a-z0-9-]+):(\d{12})?:([a-z-]+)/(.+)", model_id)
    if m:
        arn_region, account, rtype, rid = m.groups()
        if arn_region != region:
            raise validation(MSG_BAD_MODEL)
        if rtype == "foundation-model" and not account:
            base = rid
        elif rtype == "inference-profile" and account:
            model_id, base = rid, None
        elif rtype == "application-inference-profile" and account and re.fullmatch(r"[a-z0-9]+", rid):
            return dict(MODELS[DEFAULT_APP_PROFILE_MODEL], base=DEFAULT_APP_PROFILE_MODEL)
        else:
            raise validation(MSG_BAD_MODEL)
        if base is not None:
            model_id = base
    geo, _, rest = model_id.partition(".")
    if geo in _ALL_GEOS and rest in MODELS:
        if geo not in MODELS[rest]["geos"] or geo not in region_geos(region):
            raise validation(MSG_BAD_MODEL)
        base, profile = rest, True
    elif model_id in MODELS:
        base = model_id
    else:
        raise validation(MSG_BAD_MODEL)
    info = dict(MODELS[base], base=base)
    if not profile and not info["on_demand"]:
        raise validation("Invocation of model ID %s with on-demand throughput isn\u2019t supported. Retry "
                         "your request with the ID or ARN of an inference profile that contains this model."
                         % base)
    if not info["access"]:
        raise AwsError("AccessDeniedException", "You don't have access to the model with the specified model ID.")
    return info


# ============================================================================
# Faults and shared state
# ============================================================================
MAX_RECORDED = 10000
PRE_KINDS = {"error", "delay", "raw_response", "close"}
STREAM_KINDS = {"cut", "cut_mid_frame", "bad_crc", "exception", "no_stop", "stall", "garbage"}


def check_fault(f):
    """Validate one fault object from the control API; returns an error string or None."""
    if not isinstance(f, dict):
        return "a fault must be a JSON object"
    kind = f.get("kind")
    if kind not in PRE_KINDS | STREAM_KINDS:
        return "unknown fault kind %r" % kind
    if f.get("op") not in (None, "invoke", "stream"):
        return "op must be 'invoke' or 'stream'"
    if kind in STREAM_KINDS - {"cut"} and f.get("op") == "invoke":
        return "%s only applies to streams" % kind
    if kind == "error" and not isinstance(f.get("type", "ThrottlingException"), str):
        return "error.type must be a string"
    if kind == "exception" and f.get("type", "throttlingException") not in STREAM_EXCEPTIONS:
        return "exception.type must be one of %s" % sorted(STREAM_EXCEPTIONS)
    if kind == "bad_crc" and f.get("which", "message") not in ("message", "prelude"):
        return "bad_crc.which must be 'message' or 'prelude'"
    if kind == "garbage":
        try:
            binascii.unhexlify(f.get("bytes_hex", "deadbeef"))
        except (binascii.Error, TypeError):
            return "garbage.bytes_hex must be hex"
    for k in ("after_events", "event", "bytes", "ms", "first_byte_ms", "times", "status", "retry_after"):
        if k in f and (not isinstance(f[k], int) or isinstance(f[k], bool) or f[k] < 0):
            return "%s must be a non-negative integer" % k
    return None


class SimState:
    """Everything the handler threads share; one lock guards it all."""

    def __init__(self, region, creds, bearers, clock_offset, delta_delay_ms):
        self.lock = threading.Lock()
        self.region, self.creds, self.bearers = region, creds, bearers
        self.initial_offset = self.clock_offset = clock_offset
        self.delta_delay_ms = delta_delay_ms
        self.faults, self.requests = [], []

    def now(self):
        return time.time() + self.clock_offset

    def take_fault(self, op, model_id, stage):
        """Pop the head fault if it applies to this request at this stage.
        Faults stay in strict order: a stream-shaping fault at the head waits
        for the next stream request that gets as far as streaming."""
        with self.lock:
            if not self.faults:
                return None
            f = self.faults[0]
            if f.get("model") not in (None, model_id):
                return None
            want_op = f.get("op") or ("stream" if f["kind"] in STREAM_KINDS else None)
            if want_op not in (None, op):
                return None
            if (stage == "pre") != (f["kind"] in PRE_KINDS):
                return None
            f["_left"] = f.get("_left", f.get("times", 1)) - 1
            if f["_left"] <= 0:
                self.faults.pop(0)
            return {k: v for k, v in f.items() if not k.startswith("_")}


# ============================================================================
# HTTP handler
# ============================================================================
class Abort(Exception):
    """Raised after the connection was deliberately dropped by a fault."""


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # idle keep-alive connections are closed after this

    # Route table: (method, path regex, handler). Future services (STS, IMDS,
    # SSO, control plane) add rows here.
    ROUTES = []

    def do_GET(self):
        self._dispatch()

    do_POST = do_DELETE = do_PUT = do_HEAD = do_GET

    def log_message(self, fmt, *args):  # silence the default access log
        pass

    def log_error(self, fmt, *args):
        log("conn %s: %s" % (self.client_address[0], fmt % args))

    @property
    def sim(self):
        return self.server.sim

    # ---- plumbing -----------------------------------------------------------
    def _dispatch(self):
        self.request_id = str(uuid.uuid4())
        self.note = ""
        self.status_sent = None
        path = self.path.partition("?")[0]
        try:
            self.body = self._read_body()
            for method, rx, fn in self.ROUTES:
                m = rx.fullmatch(path)
                if m and method == self.command:
                    fn(self, m)
                    break
            else:
                self.send_aws_error(AwsError("UnknownOperationException", "Unknown operation"))
        except Abort:
            self.close_connection = True
        except AwsError as e:  # e.g. an oversized body
            self.send_aws_error(e)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError) as e:
            self.note += " client-gone(%s)" % type(e).__name__
            self.close_connection = True
        except Exception:  # a simulator bug: answer 500 rather than vanish
            traceback.print_exc()
            self.close_connection = True
            if self.status_sent is None:
                self.send_aws_error(AwsError("InternalServerException"))
        finally:
            log("%s %s -> %s%s" % (self.command, path, self.status_sent or "-", self.note))

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(8)
        n = int(self.headers.get("Content-Length") or 0)
        if n > 64 << 20:
            self.close_connection = True
            raise AwsError("ValidationException", "Input is too long for requested model.")
        return self.rfile.read(n) if n else b""

    def _start(self, status, headers):
        self.send_response_only(status)
        self.send_header("Date", email.utils.formatdate(self.sim.now(), usegmt=True))
        self.send_header("x-amzn-RequestId", self.request_id)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        self.end_headers()
        self.status_sent = status

    def send_bytes(self, status, body, ctype="application/json", headers=()):
        self._start(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))] + list(headers))
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj):
        self.send_bytes(status, json.dumps(obj, ensure_ascii=False, indent=1).encode())

    def send_aws_error(self, err):
        hdrs = [("x-amzn-ErrorType", "%s:%s" % (err.type, err.namespace))] + list(err.headers.items())
        self.note += " error=%s" % err.type
        self.send_bytes(err.status, err.body(), headers=hdrs)

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def drop(self, rst=False):
        """Close abruptly: no terminating chunk, no TLS close_notify."""
        self.close_connection = True
        sock = self.connection
        try:
            if rst:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.dropped.add(id(sock))
        raise Abort()

    # ---- control API --------------------------------------------------------
    def ctl_health(self, m):
        self.send_json(200, {"ok": True, "region": self.sim.region})

    def ctl_faults_post(self, m):
        try:
            doc = json.loads(self.body or b"[]")
        except ValueError:
            return self.send_json(400, {"error": "body must be JSON"})
        faults = doc if isinstance(doc, list) else [doc]
        for f in faults:
            err = check_fault(f)
            if err:
                return self.send_json(400, {"error": err, "fault": f})
        with self.sim.lock:
            self.sim.faults += [dict(f) for f in faults]
            n = len(self.sim.faults)
        self.send_json(200, {"queued": len(faults), "pending": n})

    def ctl_faults_get(self, m):
        with self.sim.lock:
            self.send_json(200, [{k: v for k, v in f.items() if k != "_left"} for f in self.sim.faults])

    def ctl_faults_delete(self, m):
        with self.sim.lock:
            self.sim.faults.clear()
        self.send_json(200, {"ok": True})

    def ctl_requests_get(self, m):
        with self.sim.lock:
            data = json.dumps(self.sim.requests, ensure_ascii=False, indent=1)
        self.send_bytes(200, data.encode())

    def ctl_requests_delete(self, m):
        with self.sim.lock:
            self.sim.requests.clear()
        self.send_json(200, {"ok": True})

    def ctl_clock_post(self, m):
        try:
            offset = float(json.loads(self.body)["offset"])
        except (ValueError, KeyError, TypeError):
            return self.send_json(400, {"error": 'body must be {"offset": SECONDS}'})
        self.sim.clock_offset = offset
        self.ctl_clock_get(m)

    def ctl_clock_get(self, m):
        self.send_json(200, {"offset": self.sim.clock_offset, "now": amz_time(self.sim.now())})

    def ctl_reset(self, m):
        with self.sim.lock:
            self.sim.faults.clear()
            self.sim.requests.clear()
            self.sim.clock_offset = self.sim.initial_offset
        self.send_json(200, {"ok": True})

    # ---- Bedrock Runtime ----------------------------------------------------
    def authenticate(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            if auth[7:].strip() in self.sim.bearers:
                return {"scheme": "bearer", "ok": True}
            # Seen from AWS for a bad Bedrock API key: capital-M "Message".
            raise AwsError("AccessDeniedException", MSG_BAD_API_KEY, namespace=CORAL_NS,
                           message_key="Message")
        return verify_sigv4(self.command, self.path, self.headers.items(), self.body,
                            self.sim.creds, self.sim.region, "bedrock", self.sim.now())

    def record(self, op, model_id):
        hdrs = {}
        for k, v in self.headers.items():
            k = k.lower()
            if k == "x-amz-security-token":
                continue
            if k == "authorization":
                algo, params = parse_authorization(v)
                v = "Bearer <redacted>" if algo == "Bearer" else "%s SignedHeaders=%s" % (
                    algo, params.get("SignedHeaders", ""))
            hdrs[k] = hdrs[k] + "," + v if k in hdrs else v
        try:
            body = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = {"_raw": self.body.decode("utf-8", "replace")}
        path = re.sub(r"(?i)(X-Amz-Security-Token|X-Amz-Signature)=[^&]*", r"\1=<redacted>", self.path)
        entry = {"request_id": self.request_id, "time": amz_time(time.time()), "method": self.command,
                 "path": path, "op": op, "model_id": model_id, "headers": hdrs, "body": body,
                 "auth": None, "fault": None, "status": None, "error": None, "events_sent": 0}
        with self.sim.lock:
            self.sim.requests.append(entry)
            del self.sim.requests[:-MAX_RECORDED]
        return entry

    def op_invoke(self, m):
        self.model_op(m, "invoke")

    def op_stream(self, m):
        self.model_op(m, "stream")

    def model_op(self, m, op):
        model_id = unquote(m.group(1), errors="replace")
        entry = self.record(op, model_id)
        try:
            try:
                entry["auth"] = self.authenticate()
            except AwsError as e:
                entry["auth"] = {"ok": False, "error": e.type, "message": e.message.split("\n")[0]}
                raise
            fault = self.sim.take_fault(op, model_id, "pre")
            if fault:
                entry["fault"] = fault
                self.note += " fault=%s" % fault["kind"]
                if self.apply_pre_fault(fault, entry):
                    return
            model = resolve_model(model_id, self.sim.region)
            req = validate_body(self.body, model)
        except AwsError as e:
            entry["status"], entry["error"] = e.status, {"type": e.type, "message": e.message}
            return self.send_aws_error(e)
        plan = plan_answer(req, model)
        entry["status"] = 200
        fault = None if entry["fault"] else self.sim.take_fault(op, model_id, "stream")
        if fault:
            entry["fault"] = fault
            self.note += " fault=%s" % fault["kind"]
        if op == "invoke":
            return self.send_invoke(model, plan, fault)
        self.send_stream(model, plan, fault, entry)

    def apply_pre_fault(self, f, entry):
        """Apply an error/delay/raw_response/close fault; True if it answered."""
        kind = f["kind"]
        if kind == "delay":
            time.sleep(f.get("first_byte_ms", 1000) / 1000.0)
            return False
        if kind == "close":
            self.drop(rst=f.get("rst", False))
        if kind == "raw_response":
            body = f.get("body", "<html><body><h1>502 Bad Gateway</h1></body></html>").encode()
            entry["status"] = f.get("status", 502)
            self.send_bytes(entry["status"], body, f.get("content_type", "text/html"),
                            list(f.get("headers", {}).items()))
            return True
        err = AwsError(f.get("type", "ThrottlingException"), f.get("message"), f.get("status"),
                       f.get("namespace"), f.get("message_key", "message"), f.get("headers"),
                       f.get("extra"))
        if "retry_after" in f:
            err.headers["Retry-After"] = str(f["retry_after"])
        entry["status"], entry["error"] = err.status, {"type": err.type, "message": err.message}
        self.send_aws_error(err)
        return True

    def send_invoke(self, model, plan, fault):
        t0 = time.time()
        doc = {"model": model["name"], "id": new_message_id(), "type": "message", "role": "assistant",
               "content": [{"type": "text", "text": plan["text"]}], "stop_reason": plan["stop_reason"],
               "stop_sequence": plan["stop_sequence"],
               "usage": dict(usage_start(model, plan), output_tokens=plan["output_tokens"])}
        body = json.dumps(doc, ensure_ascii=bool(plan["opts"].get("ascii-json")),
                          separators=(",", ":")).encode()
        hdrs = [("X-Amzn-Bedrock-Invocation-Latency", str(int((time.time() - t0) * 1000) + 1)),
                ("X-Amzn-Bedrock-Output-Token-Count", str(plan["output_tokens"])),
                ("X-Amzn-Bedrock-Input-Token-Count", str(plan["input_tokens"]))]
        if fault and fault["kind"] == "cut":
            self._start(200, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))] + hdrs)
            self.wfile.write(body[:fault.get("bytes", 0)])
            self.drop(rst=fault.get("rst", False))
        self.send_bytes(200, body, headers=hdrs)

    def stream_events(self, model, plan):
        """The Anthropic stream events, as Bedrock wraps them (message_stop gets
        the invocation metrics, filled in when it is sent)."""
        start = {"type": "message_start", "message": {
            "model": model["name"], "id": new_message_id(), "type": "message", "role": "assistant",
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": dict(usage_start(model, plan), output_tokens=1)}}
        evs = [start]
        if plan["opts"].get("ping"):
            evs.append({"type": "ping"})
        evs.append({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
        evs += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": d}}
                for d in plan["deltas"]]
        evs += [{"type": "content_block_stop", "index": 0},
                {"type": "message_delta", "delta": {"stop_reason": plan["stop_reason"],
                                                    "stop_sequence": plan["stop_sequence"]},
                 "usage": {"output_tokens": plan["output_tokens"]}},
                {"type": "message_stop"}]
        return evs

    def send_stream(self, model, plan, fault, entry):
        f = fault or {}
        kind = f.get("kind")
        k = f.get("after_events", f.get("event", 0))
        events = self.stream_events(model, plan)
        if kind == "no_stop":
            events = events[:k] if "after_events" in f else events[:-1]
        elif kind == "exception":
            events = events[:k]
        ascii_json = bool(plan["opts"].get("ascii-json"))
        delay = plan["opts"].get("slow", self.sim.delta_delay_ms) / 1000.0
        rng = random.Random()
        t0 = time.time()
        first = None
        self._start(200, [("Content-Type", "application/vnd.amazon.eventstream"),
                          ("Transfer-Encoding", "chunked"),
                          ("X-Amzn-Bedrock-Content-Type", "application/json")])
        for i, ev in enumerate(events + [None]):
            if i == k and kind in ("cut", "cut_mid_frame", "stall", "garbage"):
                if kind == "cut":
                    self.note += " events=%d" % i
                    self.drop(rst=f.get("rst", False))
                if kind == "stall":
                    time.sleep(f.get("ms", 1000) / 1000.0)
                if kind == "garbage":
                    raw = binascii.unhexlify(f.get("bytes_hex", "deadbeef"))
                    if f.get("layer", "eventstream") == "http":
                        self.wfile.write(raw)
                    else:
                        self.write_chunk(raw)
            if ev is None:
                break
            if ev["type"] == "content_block_delta":
                if delay:
                    time.sleep(delay)
                first = first or time.time()
            if ev["type"] == "message_stop":
                now = time.time()
                ev = dict(ev, **{"amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": plan["input_tokens"], "outputTokenCount": plan["output_tokens"],
                    "invocationLatency": int((now - t0) * 1000) + 1,
                    "firstByteLatency": int(((first or now) - t0) * 1000) + 1}})
            frame = chunk_frame(json.dumps(ev, ensure_ascii=ascii_json, separators=(",", ":")).encode(), rng)
            if kind == "bad_crc" and i == f.get("event", 0):
                at = 8 if f.get("which", "message") == "prelude" else len(frame) - 4
                frame = frame[:at] + bytes([frame[at] ^ 0x01]) + frame[at + 1:]
            if kind == "cut_mid_frame" and i == k:
                part = frame[:f.get("bytes", len(frame) // 2)]
                declared = len(part) if f.get("http_chunk") == "exact" else len(frame)
                self.wfile.write(b"%x\r\n%s" % (declared, part))
                self.note += " events=%d+%dB" % (i, len(part))
                self.drop(rst=f.get("rst", False))
            self.write_chunk(frame)
            entry["events_sent"] = i + 1
        if kind == "exception":
            et = f.get("type", "throttlingException")
            doc = {"message": f.get("message", STREAM_EXCEPTIONS[et])}
            if et == "modelStreamErrorException":
                doc.update(originalStatusCode=f.get("original_status", 500),
                           originalMessage=f.get("original_message", "Internal server error"))
            self.write_chunk(exception_frame(et, doc))
        self.wfile.write(b"0\r\n\r\n")
        self.note += " events=%d" % entry["events_sent"]


def _route(method, pattern, fn):
    SimHandler.ROUTES.append((method, re.compile(pattern), fn))


_route("POST", r"/model/([^/]+)/invoke", SimHandler.op_invoke)
_route("POST", r"/model/([^/]+)/invoke-with-response-stream", SimHandler.op_stream)
_route("GET", r"/_sim/health", SimHandler.ctl_health)
_route("POST", r"/_sim/faults", SimHandler.ctl_faults_post)
_route("GET", r"/_sim/faults", SimHandler.ctl_faults_get)
_route("DELETE", r"/_sim/faults", SimHandler.ctl_faults_delete)
_route("GET", r"/_sim/requests", SimHandler.ctl_requests_get)
_route("DELETE", r"/_sim/requests", SimHandler.ctl_requests_delete)
_route("POST", r"/_sim/clock", SimHandler.ctl_clock_post)
_route("GET", r"/_sim/clock", SimHandler.ctl_clock_get)
_route("POST", r"/_sim/reset", SimHandler.ctl_reset)


class SimServer(ThreadingHTTPServer):
    """Accepts in the main loop, does the TLS handshake in the connection's own
    thread (a slow or failing client never blocks the others)."""
    daemon_threads = True
    block_on_close = False

    def __init__(self, addr, sim, ssl_ctx):
        super().__init__(addr, SimHandler)
        self.sim, self.ssl_ctx, self.dropped = sim, ssl_ctx, set()

    def finish_request(self, request, client_address):
        request.settimeout(30)
        # AWS endpoints flush each event as it is produced; without NODELAY
        # Nagle holds the first chunk behind the headers for a delayed ACK
        # (40 ms here), which would distort every latency the tests measure.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("tls handshake failed from %s: %s" % (client_address[0], e))
            return
        try:
            SimHandler(tls, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            if id(tls) not in self.dropped:
                try:  # graceful end: send close_notify, as a real server does
                    tls.settimeout(0.5)
                    tls.unwrap()
                except (OSError, ssl.SSLError, ValueError):
                    pass
            self.dropped.discard(id(tls))
            tls.close()


# ============================================================================
# Certificates (openssl CLI)
# ============================================================================
_CA_CONF = """
[ ca ]
default_ca = sim_ca
[ sim_ca ]
dir = {tmp}
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
preserve = yes
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ v3_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
"""


def _openssl(*args):
    r = subprocess.run(("openssl",) + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], r.stderr.decode(errors="replace")))


def _issue(tmp, conf, key, subj, ext, out, days, ca=None, ca_key=None):
    """CSR for `key`, then `openssl ca` (which, unlike `x509 -req` on OpenSSL
    3.0, can set a not-before in the past); self-signed when ca is None."""
    csr = os.path.join(tmp, "req.csr")
    _openssl("req", "-new", "-key", key, "-subj", subj, "-out", csr, "-config", conf)
    with open(os.path.join(tmp, "serial"), "w") as fh:
        fh.write("%032X\n" % (random.getrandbits(124) | 1 << 124))
    t = time.time()
    args = ["ca", "-batch", "-notext", "-config", conf, "-in", csr, "-out", out + ".tmp",
            "-extensions", ext, "-startdate", time.strftime("%y%m%d%H%M%SZ", time.gmtime(t - 86400)),
            "-enddate", time.strftime("%y%m%d%H%M%SZ", time.gmtime(t + days * 86400))]
    args += ["-selfsign", "-keyfile", key] if ca is None else ["-cert", ca, "-keyfile", ca_key]
    _openssl(*args)
    os.replace(out + ".tmp", out)


def ensure_certs(d):
    """Create (once) an EC P-256 test CA and a `localhost` server certificate
    in d; reuse them if present. A lock file serializes concurrent starts."""
    os.makedirs(d, exist_ok=True)
    ca, ca_key = os.path.join(d, "ca.pem"), os.path.join(d, "ca.key")
    crt, key = os.path.join(d, "server.pem"), os.path.join(d, "server.key")
    with open(os.path.join(d, ".sim-certs.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(os.path.exists(p) for p in (ca, ca_key, crt, key)):
            return ca, crt, key
        tmp = tempfile.mkdtemp(prefix=".sim-ca-", dir=d)
        try:
            conf = os.path.join(tmp, "ca.cnf")
            with open(conf, "w") as fh:
                fh.write(_CA_CONF.format(tmp=tmp))
            open(os.path.join(tmp, "index.txt"), "w").close()
            old = os.umask(0o077)
            try:
                for k in (ca_key, key):
                    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", k)
            finally:
                os.umask(old)
            _issue(tmp, conf, ca_key, "/O=bedrock-claude tests/CN=bedrock-claude simulator test CA",
                   "v3_ca", ca, 3650)
            _issue(tmp, conf, key, "/CN=localhost", "v3_leaf", crt, 825, ca, ca_key)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return ca, crt, key


# ============================================================================
# Self-test (SigV4 vectors, event-stream vectors)
# ============================================================================
def _parse_vector_request(raw):
    head, sep, body = raw.partition(b"\n\n")
    lines = head.decode("latin-1").split("\n")
    method, _, target = lines[0].partition(" ")
    if target.endswith(" HTTP/1.1"):
        target = target[:-len(" HTTP/1.1")]
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
        elif line:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return method, target, headers, body


def _needs_normalizing(path):
    return "//" in path or any(seg in (".", "..") for seg in path.split("/"))


def selftest(vectors):
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        if not ok:
            print("FAIL %s %s" % (name, detail))

    v4 = os.path.join(vectors, "sigv4", "v4")
    for case in sorted(os.listdir(v4)):
        d = os.path.join(v4, case)
        ctx = json.load(open(os.path.join(d, "context.json")))
        method, target, headers, body = _parse_vector_request(open(os.path.join(d, "request.txt"), "rb").read())
        if ctx["normalize"] and _needs_normalizing(target.partition("?")[0]):
            continue  # the simulator never normalizes (no Bedrock path needs it)
        c = ctx["credentials"]
        ts = calendar.timegm(time.strptime(ctx["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
        amz_date = amz_time(ts)
        headers = headers + [("X-Amz-Date", amz_date)]
        body_hash = hashlib.sha256(body if ctx["sign_body"] else b"").hexdigest()
        if ctx["sign_body"]:
            headers.append(("X-Amz-Content-Sha256", body_hash))
        if c.get("token") and not ctx.get("omit_session_token"):
            headers.append(("X-Amz-Security-Token", c["token"]))
        signed = sorted(header_map(headers))
        raw_path, _, raw_query = target.encode("latin-1").partition(b"?")
        creq = canonical_request(method, raw_path, raw_query, headers, signed, body_hash)
        want = open(os.path.join(d, "header-canonical-request.txt"), "rb").read()
        check(case + "/canonical-request", creq == want, "\n%r\n%r" % (creq, want))
        scope = "%s/%s/%s/aws4_request" % (amz_date[:8], ctx["region"], ctx["service"])
        sig = signature(c["secret_access_key"], amz_date[:8], ctx["region"], ctx["service"],
                        string_to_sign(amz_date, scope, creq))
        want_sig = open(os.path.join(d, "header-signature.txt")).read().strip()
        check(case + "/signature", sig == want_sig)
        # The same request, signed, through the server's verifier.
        _, starget, sheaders, sbody = _parse_vector_request(
            open(os.path.join(d, "header-signed-request.txt"), "rb").read())
        creds = {c["access_key_id"]: {"secret": c["secret_access_key"], "token": c.get("token")}}
        try:
            verify_sigv4(method, starget, sheaders, sbody, creds, ctx["region"], ctx["service"], ts)
            verdict = "ok"
        except AwsError as e:
            verdict = e.type
        expect = "UnrecognizedClientException" if ctx.get("omit_session_token") else "ok"
        check(case + "/verify", verdict == expect, verdict)
    # smithy-rs double-encoding cases (a Bedrock model id with ':' or an ARN)
    extra = os.path.join(vectors, "sigv4-extra-smithy-rs")
    params = json.load(open(os.path.join(extra, "params.json")))
    for case in ("double-url-encode", "double-encode-path"):
        p = params[case]
        method, target, headers, body = _parse_vector_request(
            open(os.path.join(extra, "v4", case, "request.txt"), "rb").read())
        ts = calendar.timegm(time.strptime(p["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
        amz_date = amz_time(ts)
        if "x-amz-date" not in header_map(headers):
            headers.append(("X-Amz-Date", amz_date))
        signed = sorted(header_map(headers))
        raw_path, _, raw_query = target.encode("latin-1").partition(b"?")
        creq = canonical_request(method, raw_path, raw_query, headers, signed,
                                 hashlib.sha256(body).hexdigest())
        if case == "double-url-encode":
            want = open(os.path.join(extra, "v4", case, "header-canonical-request.txt"), "rb").read()
        else:
            want = p["expected_canonical_request_with_these_params"].encode()
        check(case + "/canonical-request", creq == want, "\n%r\n%r" % (creq, want))
        scope = "%s/%s/%s/aws4_request" % (amz_date[:8], p["region"], p["service"])
        sig = signature(p["credentials"]["secret_access_key"], amz_date[:8], p["region"], p["service"],
                        string_to_sign(amz_date, scope, creq))
        check(case + "/signature", sig == p["expected_signature"])
    # event stream: the encoder reproduces the reference frames byte for byte
    es = os.path.join(vectors, "eventstream-aws-sdk-go", "testdata")
    for name in sorted(os.listdir(os.path.join(es, "decoded", "positive"))):
        doc = json.load(open(os.path.join(es, "decoded", "positive", name)))
        hdrs = [(h["name"], h["type"], base64.b64decode(h["value"]) if h["type"] in (6, 7, 9) else h["value"])
                for h in doc["headers"]]
        frame = es_message(hdrs, base64.b64decode(doc["payload"]))
        want = open(os.path.join(es, "encoded", "positive", name), "rb").read()
        check("eventstream/encode/" + name, frame == want)
        try:
            dh, dp = es_decode(want)
            check("eventstream/decode/" + name, dh == hdrs and dp == base64.b64decode(doc["payload"]))
        except ValueError as e:
            check("eventstream/decode/" + name, False, str(e))
    for name in sorted(os.listdir(os.path.join(es, "decoded", "negative"))):
        want = open(os.path.join(es, "decoded", "negative", name)).read().strip()
        try:
            es_decode(open(os.path.join(es, "encoded", "negative", name), "rb").read())
            got = "accepted"
        except ValueError as e:
            got = str(e)
        check("eventstream/reject/" + name, got == want, got)
    # a Bedrock chunk frame round-trips, and the scripted model obeys its rules
    inner = b'{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"h\xc3\xa9"}}'
    dh, dp = es_decode(chunk_frame(inner, random.Random(1)))
    pl = json.loads(dp)
    check("chunk/roundtrip", base64.b64decode(pl["bytes"]) == inner and _PAD.startswith(pl["p"])
          and [h[0] for h in dh] == [":event-type", ":content-type", ":message-type"])
    model = dict(MODELS["anthropic.claude-sonnet-4-6"])
    req = {"anthropic_version": ANTHROPIC_VERSION, "max_tokens": 100,
           "messages": [{"role": "user", "content": "/sim unicode"}]}
    plan = plan_answer(req, model)
    check("model/unicode", "".join(plan["deltas"]) == UNICODE_SAMPLE)
    req["messages"] = [{"role": "user", "content": "/sim deltas 7\n/sim words 30"}]
    check("model/deltas", len(plan_answer(req, model)["deltas"]) == 7)
    req["max_tokens"] = 5
    p = plan_answer(req, model)
    check("model/max_tokens", p["text"] == "w1 w2 w3 w4 w5" and p["stop_reason"] == "max_tokens")
    req["max_tokens"] = 100
    full = plan_answer({**req, "messages": [{"role": "user", "content": "hi there"}]}, model)["text"]
    req["messages"] = [{"role": "user", "content": "hi there"}, {"role": "assistant", "content": full[:17]}]
    check("model/prefill", full[:17] + plan_answer(req, model)["text"] == full)
    print("sim selftest: %d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


# ============================================================================
# Main
# ============================================================================
def log(msg):
    sys.stderr.write("[bedrock-sim %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Amazon Bedrock Runtime simulator (TLS, SigV4, event stream)")
    ap.add_argument("--dir", help="state directory (certificates)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--access-key")
    ap.add_argument("--secret-key")
    ap.add_argument("--session-token")
    ap.add_argument("--cred", action="append", default=[], metavar="AKID:SECRET[:TOKEN]")
    ap.add_argument("--bearer-token", action="append", default=[])
    ap.add_argument("--clock-offset", type=float, default=0.0)
    ap.add_argument("--delta-delay-ms", type=int, default=0, help="pause before each text delta")
    ap.add_argument("--tls12-only", action="store_true", help="refuse TLS 1.3 (as BearSSL would see it anyway)")
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("--vectors", default=os.path.join(here, "..", "vectors"))
    a = ap.parse_args(argv)
    if a.selftest:
        return selftest(a.vectors)
    if not a.dir:
        ap.error("--dir is required")
    creds = {}
    if a.access_key or a.secret_key:
        if not (a.access_key and a.secret_key):
            ap.error("--access-key and --secret-key go together")
        creds[a.access_key] = {"secret": a.secret_key, "token": a.session_token}
    for c in a.cred:
        parts = c.split(":", 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            ap.error("--cred wants AKID:SECRET[:TOKEN]")
        creds[parts[0]] = {"secret": parts[1], "token": parts[2] if len(parts) > 2 and parts[2] else None}
    if not creds:
        creds["AKIDSIMULATOR"] = {"secret": "simulator/secret/key+EXAMPLE", "token": None}
    d = os.path.abspath(a.dir)
    ca, crt, key = ensure_certs(d)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if a.tls12_only:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(crt, key)
    ctx.set_alpn_protocols(["http/1.1"])
    sim = SimState(a.region, creds, set(a.bearer_token), a.clock_offset, a.delta_delay_ms)
    server = SimServer((a.host, a.port), sim, ctx)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    log("listening on https://%s:%d region=%s keys=%s bearer=%d" % (
        a.host, server.server_address[1], a.region, ",".join(sorted(creds)), len(a.bearer_token)))
    sys.stdout.write("READY port=%d ca=%s\n" % (server.server_address[1], ca))
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
