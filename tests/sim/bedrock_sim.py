#!/usr/bin/env python3
"""Amazon Bedrock Runtime simulator for the bedrock-claude end-to-end tests.

Besides Bedrock Runtime it serves what an AWS credential chain talks to, so
that the client's credential resolution can be tested end to end: STS
(AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity; AWS Query protocol,
XML), the Bedrock control plane (ListFoundationModels, ListInferenceProfiles),
the IAM Identity Center portal (GetRoleCredentials) and OIDC (CreateToken) on
the HTTPS port, and, with --http-port, EC2 IMDSv2 and the ECS/EKS container
credential endpoint on a plain-HTTP port. Temporary credentials they hand out
are valid for every service until they expire. See README.md.

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
import secrets
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
from urllib.parse import parse_qsl, unquote, unquote_to_bytes
from xml.sax.saxutils import escape as xml_escape

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
    # The 2026 generation (bedrock-claude's catalogue picks the newest
    # Active model of a family for an alias: these must exist here too).
    "anthropic.claude-sonnet-5-5": dict(
        name="claude-sonnet-5-5", max_out=128000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-sonnet-5": dict(
        name="claude-sonnet-5", max_out=128000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-opus-5-5": dict(
        name="claude-opus-5-5", max_out=128000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-opus-5": dict(
        name="claude-opus-5", max_out=128000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-haiku-5-5": dict(
        name="claude-haiku-5-5", max_out=128000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    "anthropic.claude-fable-5-2": dict(
        name="claude-fable-5-2", max_out=128000, on_demand=False, geos=_ALL_GEOS,
        access=True, temp_xor_top_p=True, modern=True),
    # Old model: the base id is invocable on demand.
    "anthropic.claude-3-haiku-20240307-v1:0": dict(
        name="claude-3-haiku-20240307", max_out=4096, on_demand=True, geos=("us", "eu", "apac"),
        access=True, temp_xor_top_p=False, modern=False),
}
# --legacy-models: the seed tutorial's 2024 models, as an account in a Region
# that still serves them would see them (the seed's shell examples name them).
LEGACY_SEED_MODELS = {
    "anthropic.claude-3-sonnet-20240229-v1:0": dict(
        name="claude-3-sonnet-20240229", max_out=4096, on_demand=True, geos=("us", "eu", "apac"),
        access=True, temp_xor_top_p=False, modern=False),
    "anthropic.claude-3-5-sonnet-20240620-v1:0": dict(
        name="claude-3-5-sonnet-20240620", max_out=8192, on_demand=True, geos=("us", "eu", "apac"),
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
    pairs; creds: {akid: {"secret":..., "token":... or None, "expires": epoch or
    absent}}; region: the one region the scope must name, or a tuple of them.
    Returns a verdict dict, or raises AwsError with AWS's type and wording.
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
    if c_region not in (region if isinstance(region, (tuple, list, set, frozenset)) else (region,)):
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
    exact_now, now = now, int(now)
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
    # Temporary credentials (STS, IMDS, container, SSO) stop working at their
    # expiration: the token is recognised but refused as expired.
    if entry.get("expires") is not None and exact_now >= entry["expires"]:
        raise AwsError("ExpiredTokenException", DEFAULT_MESSAGES["ExpiredTokenException"])
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
        if cmd in ("words", "deltas", "slow", "bytes") and args and args[0].isdigit():
            opts[cmd] = int(args[0])
        elif cmd in ("echo-system", "echo-json", "unicode", "ascii-json", "ping", "refusal",
                     "no-prefill"):
            opts[cmd] = True
        else:
            opts.setdefault("unknown", line)
        rest = after if nl else ""
    return opts, rest


def refuse_prefill(req):
    """`/sim no-prefill`: act as a model that takes no prefilled assistant turn
    (newer Claude models answer a final assistant message with a 400)."""
    msgs = req["messages"]
    if msgs[-1]["role"] != "assistant":
        return
    users = [m for m in msgs if m["role"] == "user"]
    opts, _ = _parse_directives(text_of(_blocks(users[-1]["content"], "x")))
    if opts.get("no-prefill"):
        raise validation("This model does not support assistant message prefill. "
                         "The conversation must end with a user message.")


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
    if "bytes" in opts:
        # a hostile, oversized answer: N bytes in 64 KiB deltas, max_tokens
        # ignored (no real model does this; the client must cope)
        line = "0123456789abcdef" * 4 + "\n"
        n = opts["bytes"]
        text = (line * (n // len(line) + 1))[:n]
        return {"text": text, "deltas": [text[i:i + 65536] for i in range(0, n, 65536)],
                "stop_reason": "end_turn", "stop_sequence": None, "input_tokens": 16,
                "output_tokens": max(1, n // 4), "opts": opts}
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
# Credential services (STS, IMDS, container endpoint, SSO): shared helpers
# ============================================================================
DEFAULT_ACCOUNT = "123456789012"
CLI_USER = "sim-user"                 # the IAM user behind command-line keys
CLI_SESSION_ROLE = "sim-cli-role"     # ... and the role behind a command-line session token
CLI_SESSION_NAME = "sim-session"
STS_VERSION = "2011-06-15"
STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
STS_ACTIONS = ("AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity")
SSO_NS = "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"
OIDC_NS = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
MAX_CHAINED_SECONDS = 3600
IMDS_DEFAULTS = {"disabled": False, "token_status": None, "no_role": False, "delay_ms": 0,
                 "role_name": "sim-instance-role", "allow_v1": False, "credential_seconds": 21600,
                 "extended": True, "instance_id": "i-0123456789abcdef0"}
CONTAINER_DEFAULTS = {"token": None, "disabled": False, "status": None, "delay_ms": 0, "format": "ecs",
                      "role_name": "sim-task-role", "credential_seconds": 21600, "path": None}
SVC_FAULT_SERVICES = ("bedrock", "sts", "imds", "container", "sso", "sso-oidc")
_AKID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def iso_z(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def new_temp_credentials():
    """(AKID, secret, session token) shaped like AWS's: ASIA + 16 base32
    characters, a 40-character secret and a long base64 token (with + / =, so
    that a client's header and form encoding are exercised)."""
    akid = "ASIA" + "".join(secrets.choice(_AKID_ALPHABET) for _ in range(16))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    token = "IQoJb3JpZ2luX2Vj" + base64.b64encode(secrets.token_bytes(330)).decode()
    return akid, secret, token


def new_opaque_token(prefix, n=48):
    return prefix + base64.urlsafe_b64encode(secrets.token_bytes(n)).decode().rstrip("=")


def stable_id(prefix, seed):
    """A unique id (AROA..., AIDA...) derived from a name: 4 + 17 characters."""
    digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode()
    return prefix + digest[:17]


def role_name_of(arn):
    return arn.rsplit("/", 1)[-1]


ROLE_ARN_RX = re.compile(r"arn:aws(?:-[a-z-]+)?:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}")


def make_role(doc):
    """Validate a role registration (control API or --role) -> role dict, or
    raise ValueError with the reason."""
    if isinstance(doc, str):
        doc = {"arn": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("arn"), str) or not ROLE_ARN_RX.fullmatch(doc["arn"]):
        raise ValueError("a role needs \"arn\": \"arn:aws:iam::ACCOUNT:role/NAME\"")
    trust = doc.get("trust", ["*"])
    if isinstance(trust, str):
        trust = [trust]
    if not isinstance(trust, list) or not all(isinstance(t, str) for t in trust):
        raise ValueError("trust must be a list of strings")
    for k in ("external_id", "mfa_serial", "mfa_code"):
        if doc.get(k) is not None and not isinstance(doc[k], str):
            raise ValueError("%s must be a string" % k)
    if doc.get("mfa_serial") and not doc.get("mfa_code"):
        raise ValueError("mfa_serial needs mfa_code")
    msd = doc.get("max_session_duration", 3600)
    if not isinstance(msd, int) or isinstance(msd, bool) or not 3600 <= msd <= 43200:
        raise ValueError("max_session_duration must be an integer in 3600..43200")
    return {"arn": doc["arn"], "name": role_name_of(doc["arn"]), "id": stable_id("AROA", doc["arn"]),
            "trust": trust, "external_id": doc.get("external_id"), "mfa_serial": doc.get("mfa_serial"),
            "mfa_code": doc.get("mfa_code"), "max_session_duration": msd}


def _b64url_json(part):
    raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    return json.loads(raw.decode("utf-8"))


def parse_jwt(token):
    """The claims of a token that looks like a JWT (three non-empty base64url
    parts, the first two JSON objects), else None. Signatures are not checked."""
    parts = token.split(".")
    if len(parts) != 3 or not all(re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in parts):
        return None
    try:
        header, claims = _b64url_json(parts[0]), _b64url_json(parts[1])
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return claims


class StsError(Exception):
    """An AWS Query protocol error: <ErrorResponse><Error><Type><Code><Message>."""

    def __init__(self, code, message, status=400):
        super().__init__(code)
        self.code, self.message, self.status = code, message, status

    @property
    def kind(self):
        return "Receiver" if self.status >= 500 else "Sender"


# How the authentication layer's errors read in the Query protocol (STS).
_QUERY_AUTH = {
    "MissingAuthenticationTokenException": ("MissingAuthenticationToken", 403,
                                            "Request is missing Authentication Token"),
    "IncompleteSignatureException": ("IncompleteSignature", 400, None),
    "UnrecognizedClientException": ("InvalidClientTokenId", 403, None),
    "InvalidSignatureException": ("SignatureDoesNotMatch", 403, None),
    "ExpiredTokenException": ("ExpiredToken", 403, None),
}


def sts_auth_error(err):
    code, status, message = _QUERY_AUTH.get(err.type, (err.type, err.status, None))
    return StsError(code, message or err.message, status)


class StsValidation:
    """Collects Smithy-style constraint violations: `N validation error(s)
    detected: Value 'x' at 'member' failed to satisfy constraint: ...`."""

    def __init__(self, params):
        self.params, self.errors = params, []

    def _bad(self, value, member, what):
        shown = "null" if value is None else "'%s'" % value
        self.errors.append("Value %s at '%s' failed to satisfy constraint: Member must %s" % (shown, member, what))

    def string(self, key, member, lo, hi, pattern=None, required=False):
        v = self.params.get(key)
        if v is None:
            if required:
                self._bad(None, member, "not be null")
            return
        if len(v) < lo:
            self._bad(v, member, "have length greater than or equal to %d" % lo)
        elif len(v) > hi:
            self._bad(v, member, "have length less than or equal to %d" % hi)
        elif pattern and not re.fullmatch(pattern, v, re.ASCII):
            self._bad(v, member, "satisfy regular expression pattern: %s" % pattern)

    def integer(self, key, member, lo, hi):
        v = self.params.get(key)
        if v is None:
            return
        try:
            n = int(v)
        except ValueError:
            raise StsError("MalformedInput", "Invalid value for parameter %s: %s" % (key, v))
        if n < lo:
            self._bad(v, member, "have value greater than or equal to %d" % lo)
        elif n > hi:
            self._bad(v, member, "have value less than or equal to %d" % hi)

    def check(self):
        n = len(self.errors)
        if n:
            raise StsError("ValidationError", "%d validation error%s detected: %s"
                           % (n, "s" if n > 1 else "", "; ".join(self.errors)))


def sts_xml(action, members, request_id):
    """A Query protocol success document. members: [(name, str | [(name, str)...])]."""
    def render(items, depth):
        out = ""
        for name, value in items:
            pad = "  " * depth
            if isinstance(value, list):
                out += "%s<%s>\n%s%s</%s>\n" % (pad, name, render(value, depth + 1), pad, name)
            else:
                out += "%s<%s>%s</%s>\n" % (pad, name, xml_escape(str(value)), name)
        return out
    return ('<%sResponse xmlns="%s">\n  <%sResult>\n%s  </%sResult>\n  <ResponseMetadata>\n'
            '    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</%sResponse>\n'
            % (action, STS_XMLNS, action, render(members, 2), action, request_id, action)).encode()


def sts_error_xml(err, request_id):
    return ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n    <Code>%s</Code>\n'
            '    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n</ErrorResponse>\n'
            % (STS_XMLNS, err.kind, xml_escape(err.code), xml_escape(err.message), request_id)).encode()


# ---- Bedrock control plane (ListFoundationModels, ListInferenceProfiles) ----
MODEL_DISPLAY = {
    "anthropic.claude-sonnet-4-6": ("Claude Sonnet 4.6", "2026-02-17"),
    "anthropic.claude-opus-4-6-v1": ("Claude Opus 4.6", "2026-02-05"),
    "anthropic.claude-sonnet-4-5-20250929-v1:0": ("Claude Sonnet 4.5", "2025-09-29"),
    "anthropic.claude-haiku-4-5-20251001-v1:0": ("Claude Haiku 4.5", "2025-10-15"),
    "anthropic.claude-opus-4-5-20251101-v1:0": ("Claude Opus 4.5", "2025-11-24"),
    "anthropic.claude-sonnet-4-20250514-v1:0": ("Claude Sonnet 4", "2025-05-22"),
    "anthropic.claude-opus-4-1-20250805-v1:0": ("Claude Opus 4.1", "2025-08-05"),
    "anthropic.claude-3-haiku-20240307-v1:0": ("Claude 3 Haiku", "2024-03-13"),
    "anthropic.claude-sonnet-5-5": ("Claude Sonnet 5.5", "2026-09-28"),
    "anthropic.claude-sonnet-5": ("Claude Sonnet 5", "2026-06-30"),
    "anthropic.claude-opus-5-5": ("Claude Opus 5.5", "2026-09-22"),
    "anthropic.claude-opus-5": ("Claude Opus 5", "2026-07-24"),
    "anthropic.claude-haiku-5-5": ("Claude Haiku 5.5", "2026-10-07"),
    "anthropic.claude-fable-5-2": ("Claude Fable 5.2", "2026-11-09"),
}
LEGACY_MODELS = {"anthropic.claude-3-haiku-20240307-v1:0"}
# Old models also list provisioned-throughput-only context-window variants.
PROVISIONED_VARIANTS = {"anthropic.claude-3-haiku-20240307-v1:0": ("48k", "200k")}
GEO_REGIONS = {
    "us": ("us-east-1", "us-east-2", "us-west-2"),
    "eu": ("eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1"),
    "apac": ("ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2"),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
    "us-gov": ("us-gov-west-1", "us-gov-east-1"),
}


def foundation_model_summaries(region):
    out = []
    for base, info in MODELS.items():
        name = MODEL_DISPLAY.get(base, (base, None))[0]
        common = {"providerName": "Anthropic", "inputModalities": ["TEXT", "IMAGE"],
                  "outputModalities": ["TEXT"], "responseStreamingSupported": True,
                  "customizationsSupported": [],
                  "modelLifecycle": {"status": "LEGACY" if base in LEGACY_MODELS else "ACTIVE"}}
        for mid, types in [(base, ["ON_DEMAND"] if info["on_demand"] else ["INFERENCE_PROFILE"])] + [
                ("%s:%s" % (base, v), ["PROVISIONED"]) for v in PROVISIONED_VARIANTS.get(base, ())]:
            out.append(dict({"modelArn": "arn:aws:bedrock:%s::foundation-model/%s" % (region, mid),
                             "modelId": mid, "modelName": name}, **common, inferenceTypesSupported=types))
    return out


def inference_profile_summaries(region, account):
    out = []
    geos = region_geos(region)
    for base, info in MODELS.items():
        name, date = MODEL_DISPLAY.get(base, (base, "2025-01-01"))
        stamp = "%sT00:00:00Z" % date
        for geo in [g for g in _ALL_GEOS if g in info["geos"] and g in geos]:
            pid = "%s.%s" % (geo, base)
            if geo == "global":
                regions, where = [region], "all commercial AWS Regions"
                models = [{"modelArn": "arn:aws:bedrock:%s::foundation-model/%s" % (region, base)},
                          {"modelArn": "arn:aws:bedrock:::foundation-model/%s" % base}]
            else:
                regions = list(GEO_REGIONS[geo])
                where = ", ".join(regions[:-1]) + " and " + regions[-1]
                models = [{"modelArn": "arn:aws:bedrock:%s::foundation-model/%s" % (r, base)} for r in regions]
            out.append({"inferenceProfileName": "%s Anthropic %s" % (geo.upper(), name),
                        "description": "Routes requests to Anthropic %s in %s." % (name, where),
                        "createdAt": stamp, "updatedAt": stamp,
                        "inferenceProfileArn": "arn:aws:bedrock:%s:%s:inference-profile/%s" % (region, account, pid),
                        "models": models, "inferenceProfileId": pid, "status": "ACTIVE",
                        "type": "SYSTEM_DEFINED"})
    return out


# ---- IMDS -------------------------------------------------------------------
def imds_html(status, reason):
    """The XHTML error page the instance metadata service answers with."""
    return ('<?xml version="1.0" encoding="iso-8859-1"?>\n'
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
            '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n'
            ' <head>\n  <title>%d - %s</title>\n </head>\n <body>\n  <h1>%d - %s</h1>\n </body>\n</html>\n'
            % (status, reason, status, reason)).encode()


def imds_json(pairs):
    """IMDS's own JSON layout: two-space indent and ` : ` separators."""
    return ("{\n" + ",\n".join('  "%s" : %s' % (k, json.dumps(v)) for k, v in pairs) + "\n}").encode()


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
    """Everything the handler threads share; one (re-entrant) lock guards it all."""

    def __init__(self, region, creds, bearers, clock_offset, delta_delay_ms, account=DEFAULT_ACCOUNT,
                 roles=()):
        self.lock = threading.RLock()
        self.region, self.bearers = region, bearers
        self.account = account
        self.initial_offset = self.clock_offset = clock_offset
        self.delta_delay_ms = delta_delay_ms
        self.faults, self.requests = [], []
        self.http_port = None
        self.timing_log = None      # --timing-log FILE (tests/bench.sh)
        # Credentials and roles given on the command line survive /_sim/reset;
        # everything minted or registered at run time does not.
        self.initial_creds = {k: dict(v) for k, v in creds.items()}
        self.initial_roles = [dict(r) for r in roles]
        self.reset_credential_state()

    def now(self):
        return time.time() + self.clock_offset

    def reset_credential_state(self):
        with self.lock:
            self.creds = {k: dict(v) for k, v in self.initial_creds.items()}
            self.roles = {r["arn"]: dict(r) for r in self.initial_roles}
            self.sts_cfg = {"duration_override": None, "strict_web_identity": False,
                            "signing_regions": [self.region], "delay_ms": 0}
            self.web_tokens = set()
            self.imds_cfg = dict(IMDS_DEFAULTS)
            self.imds_tokens = {}
            self.imds_creds = None
            self.container_cfg = dict(CONTAINER_DEFAULTS)
            self.container_creds = None
            self.sso_sessions = {}   # id -> session (client, account, role, lifetimes)
            self.sso_access = {}     # access token -> {"session": id, "expires": epoch}
            self.sso_refresh = {}    # refresh token -> session id
            self.svc_faults = []

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

    def take_svc_fault(self, service, op):
        """The first queued service fault for this service (and op, if it names one)."""
        with self.lock:
            for i, f in enumerate(self.svc_faults):
                if f["service"] == service and f.get("op") in (None, op):
                    f["_left"] = f.get("_left", f.get("times", 1)) - 1
                    if f["_left"] <= 0:
                        self.svc_faults.pop(i)
                    return {k: v for k, v in f.items() if not k.startswith("_")}
        return None

    # ---- credentials --------------------------------------------------------
    def mint(self, source, arn, user_id, seconds, account=None, role_arn=None):
        """New temporary credentials, valid for every service until they expire."""
        akid, secret, token = new_temp_credentials()
        now = self.now()
        entry = {"secret": secret, "token": token, "expires": now + seconds, "issued": now,
                 "source": source, "arn": arn, "user_id": user_id, "account": account or self.account,
                 "role_arn": role_arn}
        with self.lock:
            self.creds[akid] = entry
        return akid, entry

    def identity(self, akid, entry):
        """(arn, user id, account) of the principal a credential set belongs to."""
        entry = entry or {}
        if entry.get("arn"):
            return entry["arn"], entry.get("user_id") or stable_id("AIDA", akid), entry.get("account", self.account)
        if entry.get("token"):  # a session given on the command line: some role's session
            return ("arn:aws:sts::%s:assumed-role/%s/%s" % (self.account, CLI_SESSION_ROLE, CLI_SESSION_NAME),
                    "%s:%s" % (stable_id("AROA", CLI_SESSION_ROLE), CLI_SESSION_NAME), self.account)
        return ("arn:aws:iam::%s:user/%s" % (self.account, CLI_USER), stable_id("AIDA", akid), self.account)

    def trusts(self, role, akid, entry, caller_arn):
        """Does the role's trust list admit this caller? Entries: "*", an access
        key id, a principal ARN (a role ARN admits its sessions), or the
        account root `arn:aws:iam::ACCOUNT:root` (any principal of that account)."""
        trust = role.get("trust") or ["*"]
        account = self.identity(akid, entry)[2]
        return ("*" in trust or akid in trust or caller_arn in trust
                or (entry or {}).get("role_arn") in trust
                or "arn:aws:iam::%s:root" % account in trust)


# ============================================================================
# HTTP handler
# ============================================================================
class Abort(Exception):
    """Raised after the connection was deliberately dropped by a fault."""


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # idle keep-alive connections are closed after this

    # Route table: (method or "*", path regex, handler), first match wins.
    ROUTES = []
    amz_headers = True  # Date/x-amzn-RequestId as AWS front ends send them
    log_prefix = ""

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
        # --timing-log: the request head has just been read
        self.t_req = time.monotonic()
        self.frames = [] if self.sim.timing_log else None
        self.text_sent = 0
        self.request_id = str(uuid.uuid4())
        self.note = ""
        self.status_sent = None
        self.svc_entry = None
        path = self.path.partition("?")[0]
        try:
            self.body = self._read_body()
            for method, rx, fn in self.ROUTES:
                m = rx.fullmatch(path)
                if m and method in (self.command, "*"):
                    fn(self, m)
                    break
            else:
                self.no_route()
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
            if self.svc_entry is not None and self.svc_entry["status"] is None:
                self.svc_entry["status"] = self.status_sent
            log("%s%s %s -> %s%s" % (self.log_prefix, self.command, path, self.status_sent or "-", self.note))
            if self.sim.timing_log and path.startswith("/model/"):
                self.write_timing(path)

    def write_timing(self, path):
        """--timing-log: one JSON line per model request, times from
        time.monotonic() (CLOCK_MONOTONIC, so a reader on the same machine
        can compare them with its own): t_req when the request head had
        been read, t_end when the last byte of the reply had been written,
        and for a stream [time, text bytes so far] after each delta."""
        line = json.dumps({"path": path, "status": self.status_sent, "t_req": self.t_req,
                           "t_end": time.monotonic(), "frames": self.frames or []},
                          separators=(",", ":"))
        with self.sim.lock:
            with open(self.sim.timing_log, "a") as f:
                f.write(line + "\n")

    def no_route(self):
        self.send_aws_error(AwsError("UnknownOperationException", "Unknown operation"))

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
        if self.amz_headers:
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
        self.send_json(200, {"ok": True, "region": self.sim.region, "account": self.sim.account,
                             "http_port": self.sim.http_port})

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
        want = self.query().get("service")
        with self.sim.lock:
            data = json.dumps([e for e in self.sim.requests if want in (None, e["service"])],
                              ensure_ascii=False, indent=1)
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
            self.sim.reset_credential_state()
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

    SECRET_HEADERS = ("x-amz-security-token", "x-aws-ec2-metadata-token", "x-amz-sso_bearer_token")

    def record(self, op, model_id, service="bedrock-runtime", body=None):
        hdrs = {}
        for k, v in self.headers.items():
            k = k.lower()
            if k in self.SECRET_HEADERS:
                continue
            if k == "authorization":
                algo, params = parse_authorization(v)
                if algo == "AWS4-HMAC-SHA256":
                    v = "%s SignedHeaders=%s" % (algo, params.get("SignedHeaders", ""))
                else:  # a bearer token, or the container endpoint's bare token
                    v = "Bearer <redacted>" if algo == "Bearer" else "<redacted>"
            hdrs[k] = hdrs[k] + "," + v if k in hdrs else v
        if body is None:
            try:
                body = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                body = {"_raw": self.body.decode("utf-8", "replace")}
        path = re.sub(r"(?i)(X-Amz-Security-Token|X-Amz-Signature|WebIdentityToken|SAMLAssertion)=[^&]*",
                      r"\1=<redacted>", self.path)
        entry = {"request_id": self.request_id, "time": amz_time(time.time()), "method": self.command,
                 "path": path, "service": service, "op": op, "model_id": model_id, "headers": hdrs,
                 "body": body, "auth": None, "fault": None, "status": None, "error": None, "events_sent": 0}
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
            refuse_prefill(req)
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
            if self.frames is not None and ev["type"] == "content_block_delta":
                # --timing-log: this delta's frame has left (the kernel has
                # it), with the answer's text bytes so far
                self.text_sent += len(ev["delta"]["text"].encode())
                self.frames.append((time.monotonic(), self.text_sent))
        if kind == "exception":
            et = f.get("type", "throttlingException")
            doc = {"message": f.get("message", STREAM_EXCEPTIONS[et])}
            if et == "modelStreamErrorException":
                doc.update(originalStatusCode=f.get("original_status", 500),
                           originalMessage=f.get("original_message", "Internal server error"))
            self.write_chunk(exception_frame(et, doc))
        self.wfile.write(b"0\r\n\r\n")
        self.note += " events=%d" % entry["events_sent"]

    # ---- shared by the credential services and the control plane ------------
    def query(self):
        return dict(parse_qsl(self.path.partition("?")[2], keep_blank_values=True))

    def svc_record(self, service, op, body):
        """Record a non-model request (body: what may be shown, secrets redacted)."""
        self.note += " svc=%s op=%s" % (service, op)
        self.svc_entry = self.record(op, None, service=service, body=body)
        return self.svc_entry

    def svc_fault(self, service, op, entry, render):
        """Apply the first queued service fault for this service/op; True if it
        answered (or dropped) the request."""
        f = self.sim.take_svc_fault(service, op)
        if not f:
            return False
        entry["fault"] = f
        kind = f.get("kind", "error")
        self.note += " fault=%s" % kind
        if kind == "delay":
            time.sleep(f.get("ms", 1000) / 1000.0)
            return False
        if kind == "close":
            self.drop(rst=f.get("rst", False))
        render(f)
        return True

    def sleep_ms(self, ms):
        if ms:
            time.sleep(ms / 1000.0)

    # ---- STS (AWS Query protocol on `/`) ------------------------------------
    def op_root(self, m):
        """`/` is STS: a form-encoded POST body (or a GET query) with Action=.
        Anything else on `/` stays an unknown operation."""
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if self.command == "POST" and ctype == "application/x-www-form-urlencoded":
            try:
                params = dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                params = {}
            return self.sts(params)
        if self.command == "GET" and "Action" in self.query():
            return self.sts(self.query())
        self.no_route()

    def send_sts_error(self, err):
        self.note += " error=%s" % err.code
        if self.svc_entry is not None:
            self.svc_entry["error"] = {"type": err.code, "message": err.message.split("\n")[0]}
        self.send_bytes(err.status, sts_error_xml(err, self.request_id), "text/xml")

    def sts(self, params):
        action = params.get("Action", "")
        shown = {k: "<redacted>" if k in ("WebIdentityToken", "SAMLAssertion") else v for k, v in params.items()}
        entry = self.svc_record("sts", action or "-", shown)
        entry["action"] = action
        try:
            if self.svc_fault("sts", action, entry, lambda f: self.send_sts_error(StsError(
                    f.get("code", "Throttling"), f.get("message", "Rate exceeded"), f.get("status", 400)))):
                return
            self.sleep_ms(self.sim.sts_cfg.get("delay_ms"))
            if not action:
                raise StsError("MissingAction", "Missing Action")
            version = params.get("Version")
            if version != STS_VERSION or action not in STS_ACTIONS:
                raise StsError("InvalidAction", "Could not find operation %s for version %s"
                               % (action, version or "NO_VERSION_SPECIFIED"))
            if action == "AssumeRoleWithWebIdentity":  # anonymous: the JWT is the credential
                entry["auth"] = {"scheme": "anonymous", "ok": True}
                doc = self.sts_web_identity(params)
            else:
                try:
                    entry["auth"] = verify_sigv4(self.command, self.path, self.headers.items(), self.body,
                                                 self.sim.creds, tuple(self.sim.sts_cfg["signing_regions"]),
                                                 "sts", self.sim.now())
                except AwsError as e:
                    entry["auth"] = {"ok": False, "error": e.type, "message": e.message.split("\n")[0]}
                    raise sts_auth_error(e)
                akid = entry["auth"]["access_key"]
                doc = (self.sts_assume_role(params, akid) if action == "AssumeRole"
                       else self.sts_caller_identity(akid))
        except StsError as e:
            entry["status"] = e.status
            return self.send_sts_error(e)
        entry["status"] = 200
        self.send_bytes(200, doc, "text/xml")

    def sts_duration(self, params, role, chained):
        requested = int(params.get("DurationSeconds") or 3600)
        if chained and requested > MAX_CHAINED_SECONDS:
            raise StsError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit "
                                              "for roles assumed by role chaining.")
        if requested > role["max_session_duration"]:
            raise StsError("ValidationError",
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        override = self.sim.sts_cfg.get("duration_override")
        return override if override is not None else requested

    def sts_mint_role_session(self, role, session, seconds):
        account = role["arn"].split(":")[4]
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role["name"], session)
        uid = "%s:%s" % (role["id"], session)
        akid, e = self.sim.mint("sts", arn, uid, seconds, account=account, role_arn=role["arn"])
        self.note += " minted=%s" % akid
        return akid, e, arn, uid

    def sts_assume_role(self, params, akid):
        v = StsValidation(params)
        v.string("RoleArn", "roleArn", 20, 2048, required=True)
        v.string("RoleSessionName", "roleSessionName", 2, 64, r"[\w+=,.@-]*", required=True)
        v.integer("DurationSeconds", "durationSeconds", 900, 43200)
        v.string("ExternalId", "externalId", 2, 1224, r"[\w+=,.@:\/-]*")
        v.string("SerialNumber", "serialNumber", 9, 256, r"[\w+=/:,.@-]*")
        v.string("TokenCode", "tokenCode", 6, 6, r"[\d]*")
        v.check()
        role_arn, session = params["RoleArn"], params["RoleSessionName"]
        with self.sim.lock:
            caller = dict(self.sim.creds.get(akid) or {})
            role = self.sim.roles.get(role_arn)
        caller_arn = self.sim.identity(akid, caller)[0]
        denied = StsError("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                          % (caller_arn, role_arn), 403)
        if role is None or not self.sim.trusts(role, akid, caller, caller_arn):
            raise denied
        if role["external_id"] and params.get("ExternalId") != role["external_id"]:
            raise denied
        if role["mfa_serial"]:
            if params.get("SerialNumber") != role["mfa_serial"] or not params.get("TokenCode"):
                raise denied
            if params["TokenCode"] != role["mfa_code"]:
                raise StsError("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time "
                                               "pass code. ", 403)
        seconds = self.sts_duration(params, role, ":assumed-role/" in caller_arn)
        akid2, e, arn, uid = self.sts_mint_role_session(role, session, seconds)
        return sts_xml("AssumeRole", [
            ("AssumedRoleUser", [("AssumedRoleId", uid), ("Arn", arn)]),
            ("Credentials", [("AccessKeyId", akid2), ("SecretAccessKey", e["secret"]),
                             ("SessionToken", e["token"]), ("Expiration", iso_z(e["expires"]))])],
            self.request_id)

    def sts_web_identity(self, params):
        v = StsValidation(params)
        v.string("RoleArn", "roleArn", 20, 2048, required=True)
        v.string("RoleSessionName", "roleSessionName", 2, 64, r"[\w+=,.@-]*", required=True)
        v.string("WebIdentityToken", "webIdentityToken", 4, 20000, required=True)
        v.integer("DurationSeconds", "durationSeconds", 900, 43200)
        v.check()
        token = params["WebIdentityToken"]
        claims = parse_jwt(token)
        if claims is None:
            raise StsError("InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see "
                                                   "this error if you sent an Access Token)")
        with self.sim.lock:
            strict, known = self.sim.sts_cfg["strict_web_identity"], token in self.sim.web_tokens
            role = self.sim.roles.get(params["RoleArn"])
        if strict and not known:
            raise StsError("InvalidIdentityToken", "Couldn't retrieve verification key from your identity "
                                                   "provider,  please reference AssumeRoleWithWebIdentity "
                                                   "documentation for requirements")
        now, exp = int(self.sim.now()), claims.get("exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp <= now:
            raise StsError("ExpiredTokenException", "Token expired: current date/time %d must be before the "
                                                    "expiration date/time %d" % (now, int(exp)))
        iss = claims.get("iss") if isinstance(claims.get("iss"), str) else ""
        host = re.sub(r"^https://", "", iss)
        account = params["RoleArn"].split(":")[4] if params["RoleArn"].count(":") >= 5 else self.sim.account
        provider = "arn:aws:iam::%s:oidc-provider/%s" % (account, host) if host else ""
        trust = role["trust"] if role else []
        if role is None or not ("*" in trust or "web-identity" in trust or (iss and iss in trust)
                                or (provider and provider in trust)):
            raise StsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
        seconds = self.sts_duration(params, role, False)
        akid, e, arn, uid = self.sts_mint_role_session(role, params["RoleSessionName"], seconds)
        aud = claims.get("aud")
        aud = aud[0] if isinstance(aud, list) and aud else aud
        members = [("SubjectFromWebIdentityToken", str(claims.get("sub", "")))]
        if isinstance(aud, str):
            members.append(("Audience", aud))
        # Members in the order of AWS's documented example (Credentials too):
        # a client must not depend on the order of XML elements.
        members += [("AssumedRoleUser", [("Arn", arn), ("AssumedRoleId", uid)]),
                    ("Credentials", [("SessionToken", e["token"]), ("SecretAccessKey", e["secret"]),
                                     ("Expiration", iso_z(e["expires"])), ("AccessKeyId", akid)])]
        if provider:
            members.append(("Provider", provider))
        return sts_xml("AssumeRoleWithWebIdentity", members, self.request_id)

    def sts_caller_identity(self, akid):
        with self.sim.lock:
            entry = dict(self.sim.creds.get(akid) or {})
        arn, uid, account = self.sim.identity(akid, entry)
        return sts_xml("GetCallerIdentity", [("Arn", arn), ("UserId", uid), ("Account", account)],
                       self.request_id)

    # ---- Bedrock control plane (restJson1, SigV4 service `bedrock`) ---------
    def control_plane(self, op, produce):
        q = self.query()
        entry = self.svc_record("bedrock", op, q)
        try:
            try:
                entry["auth"] = self.authenticate()
            except AwsError as e:
                entry["auth"] = {"ok": False, "error": e.type, "message": e.message.split("\n")[0]}
                raise
            if self.svc_fault("bedrock", op, entry, lambda f: self.send_aws_error(AwsError(
                    f.get("code", "ThrottlingException"), f.get("message"), f.get("status")))):
                return
            doc = produce(q)
        except AwsError as e:
            entry["status"], entry["error"] = e.status, {"type": e.type, "message": e.message.split("\n")[0]}
            return self.send_aws_error(e)
        entry["status"] = 200
        self.send_bytes(200, json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())

    @staticmethod
    def _enum_errors(q, enums):
        return ["Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]"
                % (q[k], k, ", ".join(allowed)) for k, allowed in enums if k in q and q[k] not in allowed]

    @staticmethod
    def _raise_validation(errs):
        if errs:
            raise validation("%d validation error%s detected: %s" % (len(errs), "s" if len(errs) > 1 else "",
                                                                    "; ".join(errs)))

    def op_list_foundation_models(self, m):
        def produce(q):
            errs = self._enum_errors(q, (
                ("byCustomizationType", ("FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION")),
                ("byOutputModality", ("TEXT", "IMAGE", "EMBEDDING")),
                ("byInferenceType", ("ON_DEMAND", "PROVISIONED"))))
            if "byProvider" in q and not re.fullmatch(r"[A-Za-z0-9- ]{1,63}", q["byProvider"]):
                errs.append("Value '%s' at 'byProvider' failed to satisfy constraint: Member must satisfy "
                            "regular expression pattern: [A-Za-z0-9- ]{1,63}" % q["byProvider"])
            self._raise_validation(errs)
            out = foundation_model_summaries(self.sim.region)
            if "byProvider" in q:
                out = [s for s in out if s["providerName"].lower() == q["byProvider"].lower()]
            if "byInferenceType" in q:
                out = [s for s in out if q["byInferenceType"] in s["inferenceTypesSupported"]]
            if "byOutputModality" in q:
                out = [s for s in out if q["byOutputModality"] in s["outputModalities"]]
            if "byCustomizationType" in q:
                out = [s for s in out if q["byCustomizationType"] in s["customizationsSupported"]]
            return {"modelSummaries": out}
        self.control_plane("ListFoundationModels", produce)

    def op_list_inference_profiles(self, m):
        def produce(q):
            errs = self._enum_errors(q, (("type", ("SYSTEM_DEFINED", "APPLICATION")),))
            size = 1000
            if "maxResults" in q:
                try:
                    size = int(q["maxResults"])
                except ValueError:
                    errs.append("Value '%s' at 'maxResults' failed to satisfy constraint: Member must be an "
                                "integer" % q["maxResults"])
                else:
                    if not 1 <= size <= 1000:
                        errs.append("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have "
                                    "value %s" % (size, "greater than or equal to 1" if size < 1
                                                  else "less than or equal to 1000"))
            self._raise_validation(errs)
            start = 0
            if "nextToken" in q:
                try:
                    tok = json.loads(base64.urlsafe_b64decode(q["nextToken"].encode() + b"=="))
                    start = int(tok["offset"])
                    if tok.get("region") != self.sim.region or start < 0:
                        raise ValueError
                except (ValueError, KeyError, TypeError, binascii.Error):
                    raise validation("The pagination token is invalid.")
            items = inference_profile_summaries(self.sim.region, self.sim.account)
            if q.get("type") == "APPLICATION":
                items = []
            page = items[start:start + size]
            doc = {"inferenceProfileSummaries": page}
            if start + size < len(items):
                doc["nextToken"] = base64.urlsafe_b64encode(json.dumps(
                    {"offset": start + size, "region": self.sim.region}).encode()).decode().rstrip("=")
            return doc
        self.control_plane("ListInferenceProfiles", produce)

    # ---- IAM Identity Center: portal (GetRoleCredentials) and OIDC ---------
    def send_sso_error(self, type_, message, status):
        self.note += " error=%s" % type_
        if self.svc_entry is not None:
            self.svc_entry["error"] = {"type": type_, "message": message}
        body = json.dumps({"message": message, "__type": "com.amazonaws.switchboard.portal#" + type_},
                          separators=(",", ":")).encode()
        self.send_bytes(status, body, headers=[("x-amzn-ErrorType", "%s:%s" % (type_, SSO_NS))])

    def send_oidc_error(self, type_, error, description, status):
        self.note += " error=%s" % type_
        if self.svc_entry is not None:
            self.svc_entry["error"] = {"type": type_, "message": description}
        body = json.dumps({"error": error, "error_description": description}, separators=(",", ":")).encode()
        self.send_bytes(status, body, headers=[("x-amzn-ErrorType", "%s:%s" % (type_, OIDC_NS))])

    def op_sso_role_credentials(self, m):
        q = self.query()
        entry = self.svc_record("sso", "GetRoleCredentials",
                                {k: q[k] for k in ("role_name", "account_id") if k in q})
        entry["auth"] = {"scheme": "sso_bearer_token", "ok": False}
        if self.svc_fault("sso", "GetRoleCredentials", entry, lambda f: self.send_sso_error(
                f.get("code", "TooManyRequestsException"), f.get("message", "Too many requests"),
                f.get("status", 429))):
            return
        if not q.get("role_name") or not q.get("account_id"):
            return self.send_sso_error("InvalidRequestException", "role_name and account_id are required", 400)
        token = self.headers.get("x-amz-sso_bearer_token")
        with self.sim.lock:
            access = self.sim.sso_access.get(token) if token else None
            sess = dict(self.sim.sso_sessions[access["session"]]) if access else None
        if access is None or access["expires"] <= self.sim.now():
            return self.send_sso_error("UnauthorizedException", "Session token not found or invalid", 401)
        entry["auth"]["ok"] = True
        if sess["account_id"] not in (None, q["account_id"]) or sess["role_name"] not in (None, q["role_name"]):
            return self.send_sso_error("ForbiddenException", "No access", 403)
        suffix = hashlib.sha256(q["role_name"].encode()).hexdigest()[:16]
        sso_role = "AWSReservedSSO_%s_%s" % (q["role_name"], suffix)
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (q["account_id"], sso_role, sess["user"])
        role_arn = "arn:aws:iam::%s:role/aws-reserved/sso.amazonaws.com/%s" % (q["account_id"], sso_role)
        akid, e = self.sim.mint("sso", arn, "%s:%s" % (stable_id("AROA", role_arn), sess["user"]),
                                sess["role_credentials_seconds"], account=q["account_id"], role_arn=role_arn)
        self.note += " minted=%s" % akid
        self.send_bytes(200, json.dumps({"roleCredentials": {
            "accessKeyId": akid, "secretAccessKey": e["secret"], "sessionToken": e["token"],
            "expiration": int(e["expires"] * 1000)}}, separators=(",", ":")).encode())

    def op_oidc_token(self, m):
        try:
            doc = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            doc = None
        secret_keys = ("clientSecret", "refreshToken", "code", "codeVerifier", "deviceCode")
        shown = ({k: "<redacted>" if k in secret_keys else v for k, v in doc.items()}
                 if isinstance(doc, dict) else {})
        entry = self.svc_record("sso-oidc", "CreateToken", shown)
        entry["auth"] = {"scheme": "client_secret", "ok": False}
        if self.svc_fault("sso-oidc", "CreateToken", entry, lambda f: self.send_oidc_error(
                f.get("code", "InternalServerException"), f.get("error", "server_error"),
                f.get("message", "Internal server error"), f.get("status", 500))):
            return
        if not isinstance(doc, dict):
            return self.send_oidc_error("InvalidRequestException", "invalid_request", "Invalid request", 400)
        missing = [k for k in ("clientId", "clientSecret", "grantType") if not isinstance(doc.get(k), str)]
        if missing:
            return self.send_oidc_error("InvalidRequestException", "invalid_request",
                                        "Missing required parameter: %s" % missing[0], 400)
        if doc["grantType"] != "refresh_token":  # device_code / authorization_code: not simulated
            return self.send_oidc_error("UnsupportedGrantTypeException", "unsupported_grant_type",
                                        "Unsupported grant type: %s" % doc["grantType"], 400)
        now = self.sim.now()
        with self.sim.lock:
            clients = [s for s in self.sim.sso_sessions.values() if s["client_id"] == doc["clientId"]]
            if not clients or all(s["client_secret"] != doc["clientSecret"] for s in clients):
                bad = "client"
            else:
                sid = self.sim.sso_refresh.get(doc.get("refreshToken")) if doc.get("refreshToken") else None
                sess = self.sim.sso_sessions.get(sid)
                if sess is None or sess["client_id"] != doc["clientId"]:
                    bad = "grant"
                else:
                    bad = None
                    access, refresh = new_opaque_token("aoa"), new_opaque_token("aor")
                    self.sim.sso_access[access] = {"session": sid, "expires": now + sess["access_token_seconds"]}
                    self.sim.sso_refresh[refresh] = sid
                    if sess["rotate_refresh_token"]:
                        del self.sim.sso_refresh[doc["refreshToken"]]
        if bad == "client":
            return self.send_oidc_error("InvalidClientException", "invalid_client", "Invalid client provided", 401)
        if bad == "grant":
            return self.send_oidc_error("InvalidGrantException", "invalid_grant", "Invalid refresh token provided",
                                        400)
        entry["auth"]["ok"] = True
        self.send_bytes(200, json.dumps({"accessToken": access, "expiresIn": sess["access_token_seconds"],
                                         "tokenType": "Bearer", "refreshToken": refresh},
                                        separators=(",", ":")).encode())

    # ---- control API: credentials, roles, STS, IMDS, container, SSO ---------
    def ctl_json(self):
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None

    def ctl_roles_post(self, m):
        doc = self.ctl_json()
        try:
            roles = [make_role(r) for r in (doc if isinstance(doc, list) else [doc])]
        except ValueError as e:
            return self.send_json(400, {"error": str(e)})
        with self.sim.lock:
            for r in roles:
                self.sim.roles[r["arn"]] = r
        self.send_json(200, {"roles": [r["arn"] for r in roles]})

    def ctl_roles_get(self, m):
        with self.sim.lock:
            self.send_json(200, list(self.sim.roles.values()))

    def ctl_roles_delete(self, m):
        with self.sim.lock:
            self.sim.roles = {r["arn"]: dict(r) for r in self.sim.initial_roles}
        self.send_json(200, {"ok": True})

    def ctl_config(self, attr, types, actions=()):
        """Merge a JSON object into one of the services' config dicts."""
        doc = self.ctl_json()
        if not isinstance(doc, dict):
            return None, self.send_json(400, {"error": "body must be a JSON object"})
        for k, v in doc.items():
            if k in actions:
                continue
            if k not in types:
                return None, self.send_json(400, {"error": "unknown key %r (known: %s)"
                                                  % (k, ", ".join(sorted(list(types) + list(actions))))})
            t, nullable = types[k]
            ok = (v is None and nullable) or (isinstance(v, t) and not (t is int and isinstance(v, bool)))
            if ok and t is int and v is not None and v < 0:
                ok = False
            if not ok:
                return None, self.send_json(400, {"error": "%s must be %s%s" % (
                    k, {bool: "a boolean", int: "a non-negative integer", str: "a string", list: "a list"}[t],
                    " or null" if nullable else "")})
        with self.sim.lock:
            cfg = getattr(self.sim, attr)
            cfg.update({k: v for k, v in doc.items() if k not in actions})
        return doc, None

    STS_TYPES = {"duration_override": (int, True), "strict_web_identity": (bool, False),
                 "signing_regions": (list, False), "delay_ms": (int, False)}
    IMDS_TYPES = {"disabled": (bool, False), "token_status": (int, True), "no_role": (bool, False),
                  "delay_ms": (int, False), "role_name": (str, False), "allow_v1": (bool, False),
                  "credential_seconds": (int, False), "extended": (bool, False), "instance_id": (str, False)}
    CONTAINER_TYPES = {"token": (str, True), "disabled": (bool, False), "status": (int, True),
                       "delay_ms": (int, False), "format": (str, False), "role_name": (str, False),
                       "credential_seconds": (int, False), "path": (str, True)}

    def ctl_sts_post(self, m):
        doc = self.ctl_json()
        if isinstance(doc, dict):
            toks = doc.get("web_identity_tokens", [])
            if not isinstance(toks, list) or not all(isinstance(t, str) for t in toks):
                return self.send_json(400, {"error": "web_identity_tokens must be a list of strings"})
            regions = doc.get("signing_regions", [])
            if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions) \
                    or "signing_regions" in doc and not regions:
                return self.send_json(400, {"error": "signing_regions must be a non-empty list of strings"})
            if doc.get("duration_override") == 0:
                return self.send_json(400, {"error": "duration_override must be positive (or null)"})
        doc, _ = self.ctl_config("sts_cfg", self.STS_TYPES, actions=("web_identity_tokens",))
        if doc is None:
            return
        with self.sim.lock:
            self.sim.web_tokens.update(doc.get("web_identity_tokens", []))
        self.ctl_sts_get(m)

    def ctl_sts_get(self, m):
        with self.sim.lock:
            self.send_json(200, dict(self.sim.sts_cfg, web_identity_tokens=len(self.sim.web_tokens)))

    def ctl_imds_post(self, m):
        doc, _ = self.ctl_config("imds_cfg", self.IMDS_TYPES, actions=("rotate",))
        if doc is None:
            return
        if doc.get("rotate"):
            with self.sim.lock:
                self.sim.imds_creds = None
        self.ctl_imds_get(m)

    def ctl_imds_get(self, m):
        with self.sim.lock:
            self.send_json(200, dict(self.sim.imds_cfg, tokens=len(self.sim.imds_tokens),
                                     access_key_id=self.sim.imds_creds))

    def ctl_container_post(self, m):
        doc = self.ctl_json()
        if isinstance(doc, dict) and doc.get("format", "ecs") not in ("ecs", "eks"):
            return self.send_json(400, {"error": "format must be 'ecs' or 'eks'"})
        doc, _ = self.ctl_config("container_cfg", self.CONTAINER_TYPES, actions=("rotate",))
        if doc is None:
            return
        if doc.get("rotate"):
            with self.sim.lock:
                self.sim.container_creds = None
        self.ctl_container_get(m)

    def ctl_container_get(self, m):
        with self.sim.lock:
            cfg = dict(self.sim.container_cfg, token="<set>" if self.sim.container_cfg["token"] else None,
                       access_key_id=self.sim.container_creds)
        self.send_json(200, cfg)

    def ctl_sso_post(self, m):
        doc = self.ctl_json()
        if not isinstance(doc, dict):
            return self.send_json(400, {"error": "body must be a JSON object"})
        strs = ("access_token", "refresh_token", "client_id", "client_secret", "account_id", "role_name", "user")
        ints = ("expires_in", "role_credentials_seconds", "access_token_seconds")
        for k, v in doc.items():
            if k in strs and not isinstance(v, str) or k in ints and (not isinstance(v, int) or isinstance(v, bool)) \
                    or k == "rotate_refresh_token" and not isinstance(v, bool) \
                    or k not in strs + ints + ("rotate_refresh_token",):
                return self.send_json(400, {"error": "bad or unknown key %r" % k})
        if not doc.get("access_token") and not doc.get("refresh_token"):
            return self.send_json(400, {"error": "give access_token and/or refresh_token"})
        if doc.get("refresh_token") and not (doc.get("client_id") and doc.get("client_secret")):
            return self.send_json(400, {"error": "refresh_token needs client_id and client_secret"})
        now = self.sim.now()
        sess = {"client_id": doc.get("client_id"), "client_secret": doc.get("client_secret"),
                "account_id": doc.get("account_id"), "role_name": doc.get("role_name"),
                "user": doc.get("user", "sim-sso-user"),
                "role_credentials_seconds": doc.get("role_credentials_seconds", 3600),
                "access_token_seconds": doc.get("access_token_seconds", 3600),
                "rotate_refresh_token": doc.get("rotate_refresh_token", False)}
        with self.sim.lock:
            sid = "s%d" % (len(self.sim.sso_sessions) + 1)
            self.sim.sso_sessions[sid] = sess
            if doc.get("access_token"):
                self.sim.sso_access[doc["access_token"]] = {"session": sid,
                                                            "expires": now + doc.get("expires_in", 3600)}
            if doc.get("refresh_token"):
                self.sim.sso_refresh[doc["refresh_token"]] = sid
        self.send_json(200, {"session": sid, "expires_at": iso_z(now + doc.get("expires_in", 3600))})

    def ctl_sso_get(self, m):
        now = self.sim.now()
        with self.sim.lock:
            out = []
            for sid, s in self.sim.sso_sessions.items():
                acc = [a for a in self.sim.sso_access.values() if a["session"] == sid]
                out.append({"session": sid, "client_id": s["client_id"], "account_id": s["account_id"],
                            "role_name": s["role_name"], "user": s["user"],
                            "valid_access_tokens": sum(1 for a in acc if a["expires"] > now),
                            "access_tokens": len(acc),
                            "refresh_tokens": sum(1 for v in self.sim.sso_refresh.values() if v == sid)})
        self.send_json(200, out)

    def ctl_sso_delete(self, m):
        with self.sim.lock:
            self.sim.sso_sessions, self.sim.sso_access, self.sim.sso_refresh = {}, {}, {}
        self.send_json(200, {"ok": True})

    def ctl_creds_get(self, m):
        now = self.sim.now()
        with self.sim.lock:
            out = []
            for akid, e in self.sim.creds.items():
                arn, _, account = self.sim.identity(akid, e)
                out.append({"access_key_id": akid, "source": e.get("source", "cli"), "arn": arn, "account": account,
                            "has_token": bool(e.get("token")),
                            "expiration": iso_z(e["expires"]) if e.get("expires") is not None else None,
                            "expired": e.get("expires") is not None and now >= e["expires"]})
        self.send_json(200, out)

    def ctl_creds_post(self, m):
        """Register given credentials, or mint new ones ({"mint": true}); the
        answer is in credential_process format (Version 1)."""
        doc = self.ctl_json()
        if not isinstance(doc, dict):
            return self.send_json(400, {"error": "body must be a JSON object"})
        exp_in = doc.get("expires_in")
        if exp_in is not None and (not isinstance(exp_in, (int, float)) or isinstance(exp_in, bool)):
            return self.send_json(400, {"error": "expires_in must be a number of seconds"})
        arn = doc.get("arn")
        if doc.get("mint"):
            arn = arn or "arn:aws:sts::%s:assumed-role/sim-process-role/sim-process" % self.sim.account
            akid, e = self.sim.mint("control", arn, "%s:sim-process" % stable_id("AROA", arn),
                                    3600 if exp_in is None else exp_in)
        else:
            akid, secret = doc.get("access_key_id"), doc.get("secret_access_key")
            token = doc.get("session_token")
            if not (isinstance(akid, str) and akid and isinstance(secret, str) and secret) \
                    or token is not None and not isinstance(token, str):
                return self.send_json(400, {"error": "give access_key_id, secret_access_key [, session_token, "
                                                     "expires_in, arn], or {\"mint\": true}"})
            now = self.sim.now()
            e = {"secret": secret, "token": token or None, "source": "control", "issued": now,
                 "expires": None if exp_in is None else now + exp_in, "arn": arn,
                 "user_id": stable_id("AIDA", akid) if arn else None, "account": self.sim.account,
                 "role_arn": None}
            with self.sim.lock:
                self.sim.creds[akid] = e
        out = {"Version": 1, "AccessKeyId": akid, "SecretAccessKey": e["secret"]}
        if e.get("token"):
            out["SessionToken"] = e["token"]
        if e.get("expires") is not None:
            out["Expiration"] = iso_z(e["expires"])
        self.send_json(200, out)

    def ctl_creds_expire(self, m):
        doc = self.ctl_json()
        if not isinstance(doc, dict) or not (isinstance(doc.get("access_key_id"), str) or doc.get("all_temporary")):
            return self.send_json(400, {"error": 'body must be {"access_key_id": ...} or {"all_temporary": true}'})
        now = self.sim.now()
        with self.sim.lock:
            if doc.get("all_temporary"):
                keys = [k for k, e in self.sim.creds.items() if e.get("expires") is not None]
            else:
                keys = [doc["access_key_id"]] if doc["access_key_id"] in self.sim.creds else []
            for k in keys:
                self.sim.creds[k]["expires"] = min(self.sim.creds[k].get("expires") or now, now) - 1
        if not keys and not doc.get("all_temporary"):
            return self.send_json(404, {"error": "no such access key"})
        self.send_json(200, {"expired": keys})

    def ctl_creds_delete(self, m):
        with self.sim.lock:
            gone = self.sim.creds.pop(unquote(m.group(1)), None)
        self.send_json(200 if gone else 404, {"deleted": bool(gone)})

    def ctl_svc_faults_post(self, m):
        doc = self.ctl_json()
        faults = doc if isinstance(doc, list) else [doc]
        for f in faults:
            err = None
            if not isinstance(f, dict) or f.get("service") not in SVC_FAULT_SERVICES:
                err = "service must be one of %s" % (SVC_FAULT_SERVICES,)
            elif f.get("kind", "error") not in ("error", "close", "delay"):
                err = "kind must be error, close or delay"
            else:
                for k in ("status", "times", "ms"):
                    if k in f and (not isinstance(f[k], int) or isinstance(f[k], bool) or f[k] < 0):
                        err = "%s must be a non-negative integer" % k
            if err:
                return self.send_json(400, {"error": err, "fault": f})
        with self.sim.lock:
            self.sim.svc_faults += [dict(f) for f in faults]
            n = len(self.sim.svc_faults)
        self.send_json(200, {"queued": len(faults), "pending": n})

    def ctl_svc_faults_get(self, m):
        with self.sim.lock:
            self.send_json(200, [{k: v for k, v in f.items() if k != "_left"} for f in self.sim.svc_faults])

    def ctl_svc_faults_delete(self, m):
        with self.sim.lock:
            self.sim.svc_faults.clear()
        self.send_json(200, {"ok": True})

    def cached_credentials(self, slot, source, arn, user_id, seconds, account=None, role_arn=None):
        """The credentials IMDS / the container endpoint keeps handing out:
        the same set until it expires (or is rotated), then a new one."""
        with self.sim.lock:
            cur = getattr(self.sim, slot)
            e = self.sim.creds.get(cur) if cur else None
            if e is not None and e["expires"] > self.sim.now():
                return cur, e
            akid, e = self.sim.mint(source, arn, user_id, seconds, account=account, role_arn=role_arn)
            setattr(self.sim, slot, akid)
        self.note += " minted=%s" % akid
        return akid, e


class PlainHandler(SimHandler):
    """The plain-HTTP listener: EC2 instance metadata (IMDSv2) under /latest/,
    the ECS/EKS container credential endpoint on every other path."""
    ROUTES = []
    amz_headers = False
    log_prefix = "http "

    # ---- IMDS ---------------------------------------------------------------
    def imds_send(self, status, body, ctype="text/plain", headers=()):
        self.send_bytes(status, body, ctype, [("Server", "EC2ws")] + list(headers))

    def imds_error(self, status):
        reason = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                  405: "Method Not Allowed"}.get(status, "Error")
        self.note += " imds=%d" % status
        self.imds_send(status, imds_html(status, reason), "text/html")

    def imds_prologue(self, op):
        """Record, then apply the IMDS-wide behaviours; None if answered."""
        entry = self.svc_record("imds", op, {})
        with self.sim.lock:
            cfg = dict(self.sim.imds_cfg)
        if cfg["disabled"]:  # nothing answers there: drop the connection
            self.note += " disabled"
            self.drop(rst=True)
        if self.svc_fault("imds", op, entry, lambda f: self.imds_error(f.get("status", 500))):
            return None
        self.sleep_ms(cfg["delay_ms"])
        return cfg

    def op_imds_token(self, m):
        cfg = self.imds_prologue("token")
        if cfg is None:
            return
        if self.command != "PUT":
            return self.imds_error(405)
        if "X-Forwarded-For" in self.headers:  # IMDS refuses token requests that went through a proxy
            return self.imds_error(403)
        if cfg["token_status"]:
            return self.imds_error(cfg["token_status"])
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "").strip()
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.imds_error(400)
        token = "AQAE" + base64.urlsafe_b64encode(secrets.token_bytes(39)).decode()
        with self.sim.lock:
            now = self.sim.now()
            self.sim.imds_tokens = {t: x for t, x in self.sim.imds_tokens.items() if x > now}
            self.sim.imds_tokens[token] = now + int(ttl)
        self.imds_send(200, token.encode(), headers=[("X-aws-ec2-metadata-token-ttl-seconds", ttl)])

    def op_imds_get(self, m):
        path = m.group(0)
        md = "/latest/meta-data/"
        creds_rx = re.fullmatch(r"/latest/meta-data/iam/security-credentials(-extended)?(?:/(.*))?", path)
        op = ("credentials" if creds_rx and creds_rx.group(2) else "role" if creds_rx else "metadata")
        cfg = self.imds_prologue(op)
        if cfg is None:
            return
        if self.command not in ("GET", "HEAD"):
            return self.imds_error(405)
        token = self.headers.get("X-aws-ec2-metadata-token")
        if token is None:
            if not cfg["allow_v1"]:
                return self.imds_error(401)
        else:
            with self.sim.lock:
                exp = self.sim.imds_tokens.get(token)
            if exp is None or exp <= self.sim.now():
                return self.imds_error(401)
        self.svc_entry["auth"] = {"scheme": "imds_token" if token else "imdsv1", "ok": True}
        region, account, iid = self.sim.region, self.sim.account, cfg["instance_id"]
        role = cfg["role_name"]
        if creds_rx:
            extended, name = bool(creds_rx.group(1)), creds_rx.group(2)
            if cfg["no_role"] or (extended and not cfg["extended"]):
                return self.imds_error(404)
            if not name:
                return self.imds_send(200, role.encode())
            if name != role:
                return self.imds_error(404)
            role_arn = "arn:aws:iam::%s:role/%s" % (account, role)
            akid, e = self.cached_credentials(
                "imds_creds", "imds", "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role, iid),
                "%s:%s" % (stable_id("AROA", role_arn), iid), cfg["credential_seconds"], role_arn=role_arn)
            pairs = [("Code", "Success"), ("LastUpdated", iso_z(e["issued"])), ("Type", "AWS-HMAC"),
                     ("AccessKeyId", akid), ("SecretAccessKey", e["secret"]), ("Token", e["token"]),
                     ("Expiration", iso_z(e["expires"]))]
            if extended:
                pairs.append(("AccountId", account))
            return self.imds_send(200, imds_json(pairs))
        simple = {md + "placement/region": region, md + "placement/availability-zone": region + "a",
                  md + "instance-id": iid, md + "instance-type": "m5.large", md + "ami-id": "ami-0abcdef1234567890",
                  md + "local-ipv4": "10.0.0.12", md + "hostname": "ip-10-0-0-12.ec2.internal"}
        if path in simple:
            return self.imds_send(200, simple[path].encode())
        if path in ("/latest/meta-data", md):
            keys = ["ami-id", "hostname", "iam/", "instance-id", "instance-type", "local-ipv4", "placement/"]
            return self.imds_send(200, "\n".join(k for k in keys if k != "iam/" or not cfg["no_role"]).encode())
        if path == md + "iam/info" and not cfg["no_role"]:
            return self.imds_send(200, imds_json([
                ("Code", "Success"), ("LastUpdated", iso_z(self.sim.now())),
                ("InstanceProfileArn", "arn:aws:iam::%s:instance-profile/%s" % (account, role)),
                ("InstanceProfileId", stable_id("AIPA", role))]))
        if path == "/latest/dynamic/instance-identity/document":
            return self.imds_send(200, imds_json([
                ("accountId", account), ("architecture", "x86_64"), ("availabilityZone", region + "a"),
                ("billingProducts", None), ("devpayProductCodes", None), ("marketplaceProductCodes", None),
                ("imageId", "ami-0abcdef1234567890"), ("instanceId", iid), ("instanceType", "m5.large"),
                ("kernelId", None), ("pendingTime", iso_z(self.sim.now() - 86400)), ("privateIp", "10.0.0.12"),
                ("ramdiskId", None), ("region", region), ("version", "2017-09-30")]))
        self.imds_error(404)

    # ---- container credentials (ECS task role / EKS Pod Identity) ----------
    def container_error(self, status, code, message):
        self.note += " error=%s" % code
        self.svc_entry["error"] = {"type": code, "message": message}
        self.send_bytes(status, json.dumps({"code": code, "message": message}).encode())

    def op_container(self, m):
        entry = self.svc_record("container", "credentials", {})
        with self.sim.lock:
            cfg = dict(self.sim.container_cfg)
        if cfg["disabled"]:
            self.note += " disabled"
            self.drop(rst=True)
        if self.svc_fault("container", "credentials", entry, lambda f: self.container_error(
                f.get("status", 500), f.get("code", "InternalServerError"),
                f.get("message", "Internal server error"))):
            return
        self.sleep_ms(cfg["delay_ms"])
        if self.command != "GET":
            return self.container_error(405, "MethodNotAllowed", "Method not allowed")
        if cfg["path"] is not None and self.path != cfg["path"]:
            return self.container_error(404, "NotFound", "No credentials at %s" % self.path.partition("?")[0])
        if cfg["token"]:
            got = self.headers.get("Authorization")
            if got is None:
                return self.container_error(401, "Unauthorized", "Authorization header is missing")
            if got != cfg["token"]:
                return self.container_error(403, "AccessDenied", "Authorization token is not valid")
            entry["auth"] = {"scheme": "authorization_token", "ok": True}
        if cfg["status"]:
            return self.container_error(cfg["status"], "Error", "Simulated failure")
        account, role = self.sim.account, cfg["role_name"]
        role_arn = "arn:aws:iam::%s:role/%s" % (account, role)
        session = hashlib.sha256(role_arn.encode()).hexdigest()[:32]
        akid, e = self.cached_credentials(
            "container_creds", "container", "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role, session),
            "%s:%s" % (stable_id("AROA", role_arn), session), cfg["credential_seconds"], role_arn=role_arn)
        if cfg["format"] == "eks":
            doc = {"AccessKeyId": akid, "SecretAccessKey": e["secret"], "Token": e["token"],
                   "AccountId": account, "Expiration": iso_z(e["expires"])}
        else:
            doc = {"AccessKeyId": akid, "Expiration": iso_z(e["expires"]), "RoleArn": role_arn,
                   "SecretAccessKey": e["secret"], "Token": e["token"]}
        self.send_bytes(200, json.dumps(doc).encode())


def _route(method, pattern, fn, handler=SimHandler):
    handler.ROUTES.append((method, re.compile(pattern), fn))


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
_route("POST", r"/_sim/roles", SimHandler.ctl_roles_post)
_route("GET", r"/_sim/roles", SimHandler.ctl_roles_get)
_route("DELETE", r"/_sim/roles", SimHandler.ctl_roles_delete)
_route("POST", r"/_sim/sts", SimHandler.ctl_sts_post)
_route("GET", r"/_sim/sts", SimHandler.ctl_sts_get)
_route("POST", r"/_sim/imds", SimHandler.ctl_imds_post)
_route("GET", r"/_sim/imds", SimHandler.ctl_imds_get)
_route("POST", r"/_sim/container", SimHandler.ctl_container_post)
_route("GET", r"/_sim/container", SimHandler.ctl_container_get)
_route("POST", r"/_sim/sso", SimHandler.ctl_sso_post)
_route("GET", r"/_sim/sso", SimHandler.ctl_sso_get)
_route("DELETE", r"/_sim/sso", SimHandler.ctl_sso_delete)
_route("GET", r"/_sim/creds", SimHandler.ctl_creds_get)
_route("POST", r"/_sim/creds", SimHandler.ctl_creds_post)
_route("POST", r"/_sim/creds/expire", SimHandler.ctl_creds_expire)
_route("DELETE", r"/_sim/creds/([^/]+)", SimHandler.ctl_creds_delete)
_route("POST", r"/_sim/service_faults", SimHandler.ctl_svc_faults_post)
_route("GET", r"/_sim/service_faults", SimHandler.ctl_svc_faults_get)
_route("DELETE", r"/_sim/service_faults", SimHandler.ctl_svc_faults_delete)
# AWS services other than Bedrock Runtime, told apart by path
_route("*", r"/", SimHandler.op_root)                                # STS (Query protocol)
_route("GET", r"/foundation-models", SimHandler.op_list_foundation_models)
_route("GET", r"/inference-profiles", SimHandler.op_list_inference_profiles)
_route("GET", r"/federation/credentials", SimHandler.op_sso_role_credentials)  # SSO portal
_route("POST", r"/token", SimHandler.op_oidc_token)                  # SSO OIDC CreateToken
# plain-HTTP listener
_route("*", r"/latest/api/token", PlainHandler.op_imds_token, PlainHandler)
_route("*", r"/latest(?:/.*)?", PlainHandler.op_imds_get, PlainHandler)
_route("*", r"/.*", PlainHandler.op_container, PlainHandler)


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


class PlainServer(ThreadingHTTPServer):
    """The plain-HTTP listener (IMDS and container credentials are http:// in
    real life too)."""
    daemon_threads = True
    block_on_close = False

    def __init__(self, addr, sim):
        super().__init__(addr, PlainHandler)
        self.sim, self.dropped = sim, set()

    def finish_request(self, request, client_address):
        request.settimeout(30)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            PlainHandler(request, client_address, self)
        except OSError:
            pass
        finally:
            self.dropped.discard(id(request))


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
        if expect == "ok" and case == "get-vanilla":
            # temporary credentials: fine before their expiration, refused from it on
            for exp, want in ((ts + 1, "ok"), (ts, "ExpiredTokenException")):
                creds[c["access_key_id"]]["expires"] = exp
                try:
                    verify_sigv4(method, starget, sheaders, sbody, creds, (ctx["region"], "x"), ctx["service"], ts)
                    verdict = "ok"
                except AwsError as e:
                    verdict = e.type
                check("%s/expires-%s" % (case, want), verdict == want, verdict)
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
    # credential services: wire-format helpers
    import xml.etree.ElementTree as ET
    jwt = ".".join(base64.urlsafe_b64encode(x).decode().rstrip("=")
                   for x in (b'{"alg":"RS256"}', b'{"sub":"s","exp":1}', b"sig"))
    check("jwt/parse", parse_jwt(jwt) == {"sub": "s", "exp": 1})
    check("jwt/reject", all(parse_jwt(t) is None for t in ("a.b", "a.b.c.d", "e30.e30.", "bm8.e30.c2ln",
                                                           jwt.replace(".", "!", 1))))
    doc = ET.fromstring(sts_xml("AssumeRole", [("AssumedRoleUser", [("Arn", "a&<b")]), ("X", "1")], "rid"))
    ns = "{%s}" % STS_XMLNS
    check("sts/xml", doc.tag == ns + "AssumeRoleResponse"
          and doc.find("%sAssumeRoleResult/%sAssumedRoleUser/%sArn" % (ns, ns, ns)).text == "a&<b"
          and doc.find("%sResponseMetadata/%sRequestId" % (ns, ns)).text == "rid")
    err = ET.fromstring(sts_error_xml(StsError("AccessDenied", "x<y", 403), "rid"))
    check("sts/error-xml", [e.text for e in err.iter() if len(e) == 0] == ["Sender", "AccessDenied", "x<y", "rid"])
    check("sts/auth-mapping", sts_auth_error(AwsError("UnrecognizedClientException")).code == "InvalidClientTokenId"
          and sts_auth_error(AwsError("ExpiredTokenException")).code == "ExpiredToken")
    try:
        make_role({"arn": "arn:aws:iam::123456789012:user/x"})
        check("role/reject", False)
    except ValueError:
        check("role/reject", True)
    r = make_role("arn:aws:iam::123456789012:role/path/to/R")
    check("role/make", r["name"] == "R" and r["trust"] == ["*"] and re.fullmatch(r"AROA[A-Z2-7]{17}", r["id"]))
    check("imds/json", imds_json([("Code", "Success"), ("n", None)]) == b'{\n  "Code" : "Success",\n  "n" : null\n}')
    akid, secret, token = new_temp_credentials()
    check("creds/shape", re.fullmatch(r"ASIA[A-Z2-7]{16}", akid) is not None and len(secret) == 40)
    ids = [p["inferenceProfileId"] for p in inference_profile_summaries("us-east-1", DEFAULT_ACCOUNT)]
    check("profiles/region", len(ids) == len(set(ids)) and "us.anthropic.claude-sonnet-4-6" in ids
          and not any(i.startswith(("eu.", "apac.", "jp.", "au.", "us-gov.")) for i in ids))
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
    ap.add_argument("--http-port", type=int, default=None,
                    help="also listen on plain HTTP (IMDS, container credentials); 0 = ephemeral")
    ap.add_argument("--account-id", default=DEFAULT_ACCOUNT)
    ap.add_argument("--role", action="append", default=[], metavar="ROLE_ARN",
                    help="register an IAM role any caller may assume (repeatable)")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--access-key")
    ap.add_argument("--secret-key")
    ap.add_argument("--session-token")
    ap.add_argument("--cred", action="append", default=[], metavar="AKID:SECRET[:TOKEN]")
    ap.add_argument("--bearer-token", action="append", default=[])
    ap.add_argument("--clock-offset", type=float, default=0.0)
    ap.add_argument("--delta-delay-ms", type=int, default=0, help="pause before each text delta")
    ap.add_argument("--tls12-only", action="store_true", help="refuse TLS 1.3 (as BearSSL would see it anyway)")
    ap.add_argument("--timing-log", metavar="FILE",
                    help="append a JSON line per model request: monotonic times of the request, "
                         "the reply's end and each delta frame (tests/bench.sh)")
    ap.add_argument("--legacy-models", action="store_true",
                    help="also serve the seed tutorial's Claude 3 Sonnet and 3.5 Sonnet (June 2024)")
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
    if not re.fullmatch(r"\d{12}", a.account_id):
        ap.error("--account-id wants 12 digits")
    try:
        roles = [make_role(r) for r in a.role]
    except ValueError as e:
        ap.error("--role: %s" % e)
    d = os.path.abspath(a.dir)
    ca, crt, key = ensure_certs(d)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if a.legacy_models:
        MODELS.update(LEGACY_SEED_MODELS)
    if a.tls12_only:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(crt, key)
    ctx.set_alpn_protocols(["http/1.1"])
    sim = SimState(a.region, creds, set(a.bearer_token), a.clock_offset, a.delta_delay_ms,
                   account=a.account_id, roles=roles)
    if a.timing_log:
        sim.timing_log = os.path.abspath(a.timing_log)
    server = SimServer((a.host, a.port), sim, ctx)
    servers = [server]
    if a.http_port is not None:
        servers.append(PlainServer((a.host, a.http_port), sim))
        sim.http_port = servers[1].server_address[1]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    for srv in servers:
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    log("listening on https://%s:%d region=%s keys=%s bearer=%d roles=%d" % (
        a.host, server.server_address[1], a.region, ",".join(sorted(creds)), len(a.bearer_token), len(roles)))
    ready = "READY port=%d ca=%s" % (server.server_address[1], ca)
    if sim.http_port is not None:
        log("listening on http://%s:%d (IMDS, container credentials)" % (a.host, sim.http_port))
        ready += " http_port=%d" % sim.http_port
    sys.stdout.write(ready + "\n")
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    for srv in servers:
        srv.shutdown()
        srv.server_close()
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
