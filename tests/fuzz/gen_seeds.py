#!/usr/bin/env python3
"""Seed inputs for the fuzz targets of the program's parsers (issue 6):
fuzz_http, fuzz_ini, fuzz_xml, fuzz_credjson, fuzz_settings, fuzz_session,
fuzz_ledger and fuzz_catalog.

    python3 tests/fuzz/gen_seeds.py OUTDIR [TARGET...]   # OUTDIR/<name>/...

The input format of each target is described at the top of its .c file.
Seeds come from the conformance vectors (tests/vectors/config-file-tests,
config-fuzz-seeds-aws-c-auth, credential-provider-tests), from the
documents the simulator serves (tests/sim/bedrock_sim.py: its STS XML, IMDS
and container JSON, SSO answers and error bodies, built by its own helper
functions), from what the program itself writes (session and ledger
lines) and from hand-made edge cases.  Files get descriptive names, so
`run.sh` with FUZZ_MINIMIZE=1 keeps them ahead of libFuzzer's own.
"""

import glob
import json
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VEC = os.path.join(ROOT, "tests", "vectors")
sys.path.insert(0, os.path.join(ROOT, "tests", "sim"))
import bedrock_sim as sim  # noqa: E402  (tests/sim; only its helpers)

OUT = {}


def seed(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    OUT.setdefault(target, []).append((name, data))


def rd(path):
    with open(path, "rb") as f:
        return f.read()


# ---------------------------------------------------------------------------
# fuzz_http: flags byte, then "STATUS\r\nName: value\r\n\r\nBODY"
# ---------------------------------------------------------------------------
def reply(status, headers, body=b""):
    head = ("%d\r\n" % status).encode()
    for k, v in headers:
        head += (k + ": ").encode() + (v if isinstance(v, bytes) else v.encode()) + b"\r\n"
    if isinstance(body, str):
        body = body.encode()
    return head + b"\r\n" + body


def http_seeds():
    t = "fuzz_http"
    date = "Mon, 03 Jan 2022 19:13:54 GMT"
    for typ, status in sorted(sim.ERROR_STATUS.items()):
        err = sim.AwsError(typ)
        hdr = [("Date", date), ("Content-Type", "application/json"),
               ("x-amzn-RequestId", "b339b807-25d1-474c-a476-b070e9f350e4"),
               ("x-amzn-ErrorType", "%s:%s" % (typ, err.namespace))]
        if status == 429:
            hdr.append(("Retry-After", "3"))
        seed(t, "call-%s" % typ, b"\x00" + reply(status, hdr, err.body()))
        seed(t, "awsreq-%s" % typ, b"\x02" + reply(status, hdr, err.body()))
    seed(t, "call-type-in-body", b"\x00" + reply(403, [("Content-Type", "application/json")],
         '{"__type":"com.amazon.coral.service#UnrecognizedClientException",'
         '"message":"The security token included in the request is invalid."}'))
    seed(t, "call-code-in-body", b"\x00" + reply(400, [], '{"code":"ValidationException","Message":"m"}'))
    seed(t, "call-sigmismatch", b"\x00" + reply(403, [("x-amzn-ErrorType", "InvalidSignatureException")],
         json.dumps({"message": sim.MSG_SIG_MISMATCH + "\n\nThe Canonical String for this request "
                     "should have been\n'POST\n/model\nx-amz-security-token:SECRET'\n\n"
                     "The String-to-Sign should have been\n'AWS4-HMAC-SHA256'\n"})))
    seed(t, "call-esc-message", b"\x00" + reply(400, [("x-amzn-ErrorType", "ValidationException")],
         '{"message":"\\u001b]0;pwned\\u0007\\u001b[31mred\\n\\u0085c1"}'))
    seed(t, "call-lone-surrogate", b"\x00" + reply(400, [], '{"message":"a\\ud800b"}'))
    seed(t, "call-long-message", b"\x00" + reply(400, [], '{"message":"' + "\\n" * 700 + 'x"}'))
    seed(t, "call-xml-error", b"\x00" + reply(403, [("Content-Type", "text/xml")],
         sim.sts_error_xml(sim.StsError("AccessDenied", "User: arn:aws:iam::1:user/x is not "
                                        "authorized & <denied>", 403), "req-1")))
    seed(t, "call-html-error", b"\x00" + reply(502, [("Content-Type", "text/html")],
         "<html><body><h1>502 Bad Gateway</h1>\x1b[2J</body></html>"))
    seed(t, "call-raw-bytes-error", b"\x00" + reply(500, [], b"\xff\xfe\x00\x1b[31m\xc2\x85\xe2\x80"))
    seed(t, "call-ok-not-evs", b"\x00" + reply(200, [("Content-Type", "application/json")], "{}"))
    seed(t, "call-ok-evs-empty", b"\x00" + reply(200, [("Content-Type",
                                                         "application/vnd.amazon.eventstream")]))
    seed(t, "call-ok-evs-garbage", b"\x04" + reply(200, [("Content-Type",
         "application/vnd.amazon.eventstream")], b"\x00\x00\x00\x10\x00\x00\x00\x00\x05\xc2\x48\xeb"
         b"\x7d\x98\xc8\xff"))
    seed(t, "call-cut", b"\x20" + reply(503, [], '{"message":"x"}'))
    seed(t, "call-header-bytes", b"\x00" + reply(400, [
        ("x-amzn-RequestId", b"id\x00with\x1bnul\x7f\xc3\xa9"),
        ("X-AMZN-ERRORTYPE", b"Throttling\x00Exception:ns"),
        ("retry-after", b"Fri, 31 Dec 9999 23:59:59 GMT"),
        ("date", b"Sat, 29 Feb 2020 00:00:60 GMT"),
        ("Date", b"garbage"),
        ("x-amzn-requestid", "r" * 300),
        ("x-amzn-errortype", "E" * 300)], "{}"))
    seed(t, "call-header-odd-lines", b"\x00" + b"429 Too Many\r\n:novalue\r\nnocolon\r\n"
         b"retry-after:\t\t120  \r\nx-amzn-errortype:\r\n\r\n{\"message\":\"slow\"}")
    seed(t, "call-big-error-body", b"\x80" + reply(400, [], '{"message":"' + "a" * 200 + '"}'))
    seed(t, "awsreq-big-body", b"\x82" + reply(200, [], "x" * 1000))
    seed(t, "awsreq-pieces", b"\x06" + reply(200, [("Content-Type", "text/xml")],
         sim.sts_xml("GetCallerIdentity", [("Arn", "arn:aws:iam::123456789012:user/u"),
                                           ("UserId", "AIDA"), ("Account", "123456789012")], "r")))
    seed(t, "awsreq-unsigned-cut", b"\x62" + reply(200, [], "partial"))
    # times: one per line
    seed(t, "times", b"\x03" + "\n".join([
        date, "Sun, 06 Nov 1994 08:49:37 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT", "Fri, 31 Dec 9999 23:59:60 GMT", "Mon, 29 Feb 2021 12:00:00 GMT",
        "Mon, 31 Apr 2021 12:00:00 GMT", "Mon, 01 Jan 1969 00:00:00 GMT", "Mon, 01 jan 2021 00:00:00 GMT",
        "2021-08-05T19:58:02Z", "2021-08-05T19:58:02.123456Z", "2021-08-05T19:58:02+01:00",
        "2021-08-05 19:58:02-00:30", "1970-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59",
        "2021-02-29T00:00:00Z", "2021-08-05T19:58:02+99:99", "0", "3", "  120\t", "86400", "86401",
        "99999999999999999999999", "12a", "-1", "", " ",
    ]).encode())


# ---------------------------------------------------------------------------
# fuzz_ini: flags byte, config, then "\0CREDENTIALS\0" and credentials
# ---------------------------------------------------------------------------
SEP = b"\0CREDENTIALS\0"


def ini_pair(config, creds=None, flags=0):
    c = config.encode() if isinstance(config, str) else config
    if creds is None:
        return bytes([flags]) + c
    k = creds.encode() if isinstance(creds, str) else creds
    return bytes([flags]) + c + SEP + k


def profiles_text(profiles, creds=False):
    out = ""
    for name, keys in profiles.items():
        out += ("[%s]\n" % name) if creds or name == "default" else ("[profile %s]\n" % name)
        for k, v in keys.items():
            out += "%s = %s\n" % (k, v)
    return out


def ini_seeds():
    t = "fuzz_ini"
    d = json.load(open(os.path.join(VEC, "config-file-tests", "profile-parser-tests.json")))
    for i, case in enumerate(d["tests"]):
        inp = case["input"]
        seed(t, "parser-%02d" % i, ini_pair(inp.get("configFile", ""), inp.get("credentialsFile"), i & 15))
    for sub in ("parse_config_profile", "parse_credentials_profile"):
        for path in sorted(glob.glob(os.path.join(VEC, "config-fuzz-seeds-aws-c-auth", "corpus", sub, "*"))):
            data = rd(path)
            name = "awscauth-%s-%s" % (sub.split("_")[1], os.path.basename(path)[:24])
            seed(t, name, ini_pair(data) if sub == "parse_config_profile" else ini_pair(b"", data))
    for i, case in enumerate(json.load(open(os.path.join(VEC, "credential-provider-tests", "test-data",
                                                         "assume-role-tests.json")))):
        profs = case["input"]["profiles"]
        sel = case["input"].get("selected_profile", "default")
        # the selected profile first, so the target plans it
        order = dict([(sel, profs[sel])] if sel in profs else [])
        order.update(profs)
        seed(t, "assume-role-%02d" % i, ini_pair(profiles_text(order)))
        seed(t, "assume-role-creds-%02d" % i, ini_pair("", profiles_text(order, creds=True), 3))
    base = os.path.join(VEC, "credential-provider-tests", "test-data")
    for path in sorted(glob.glob(os.path.join(base, "*", "*", "fs", "home", ".aws", "config"))):
        case = path.split(os.sep)[-5]
        cred = os.path.join(os.path.dirname(path), "credentials")
        seed(t, "chain-%s" % case, ini_pair(rd(path), rd(cred) if os.path.exists(cred) else None))
    seed(t, "sso-session", ini_pair("[profile dev]\nsso_session = my-sso\nsso_account_id = 111122223333\n"
                                    "sso_role_name = Dev\nregion = eu-west-1\n"
                                    "[sso-session my-sso]\nsso_region = us-east-1\n"
                                    "sso_start_url = https://my-sso.awsapps.com/start\n"
                                    "sso_registration_scopes = sso:account:access\n"))
    seed(t, "services", ini_pair("[default]\nservices = local\nregion = us-west-2\n"
                                 "[services local]\nbedrock_runtime =\n  endpoint_url = http://localhost:8080\n"
                                 "\n  region = us-east-1\nsts =\n\tendpoint_url = https://sts.example.com\n"))
    seed(t, "endpoint-url", ini_pair("[profile p]\nendpoint_url = https://bedrock.example.com:8443/x\n"
                                     "use_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\n"))
    seed(t, "chain-32", ini_pair("".join("[profile p%d]\nrole_arn = arn:aws:iam::1:role/r%d\n"
                                         "source_profile = p%d\n" % (i, i, i + 1) for i in range(34)) +
                                 "[profile p34]\naws_access_key_id = A\naws_secret_access_key = S\n"))
    seed(t, "loop", ini_pair("[profile a]\nrole_arn = x\nsource_profile = b\n"
                             "[profile b]\nrole_arn = y\nsource_profile = a\n"))
    seed(t, "web-identity", ini_pair("[default]\nrole_arn = arn:aws:iam::1:role/w\n"
                                     "web_identity_token_file = /t\nrole_session_name = s\n"))
    seed(t, "named-source", ini_pair("[default]\nrole_arn = arn:aws:iam::1:role/w\n"
                                     "credential_source = Ec2InstanceMetadata\nexternal_id = e\n"
                                     "mfa_serial = arn:aws:iam::1:mfa/u\nduration_seconds = 900\n"))
    seed(t, "process", ini_pair("[default]\ncredential_process = /bin/echo '{\"Version\": 1}' # c\n"))
    seed(t, "default-hidden", ini_pair("[default]\nregion = us-east-1\n[profile default]\n"
                                       "region = eu-west-1\n", "[default]\nregion = ap-south-1\n"))
    seed(t, "huge-line", ini_pair("[default]\nregion = " + "x" * 9000 + "\n"))
    seed(t, "continuation", ini_pair("[default]\nregion = us\n  -east-1\nx=\n a = b ; c\n\n  d=e\n"))
    seed(t, "odd-bytes", ini_pair(b"\xef\xbb\xbf[default]\r\nregion\t=\tus-east-1\r\n"
                                  b"aws_access_key_id = \x00\x1b[31m\r\n[ profile  sp ace ]\n"))
    seed(t, "errors", ini_pair("region = x\n[default\n", "  cont\n"))


# ---------------------------------------------------------------------------
# fuzz_xml: flags byte, then the document
# ---------------------------------------------------------------------------
def sts_creds(akid="ASIAFUZZEXAMPLE00001", secret="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
              token="IQoJb3JpZ2luX2VjEXAMPLE+/=", exp="2099-01-01T00:00:00Z"):
    return [("AccessKeyId", akid), ("SecretAccessKey", secret), ("SessionToken", token),
            ("Expiration", exp)]


def xml_seeds():
    t = "fuzz_xml"
    ar = sim.sts_xml("AssumeRole", [
        ("Credentials", sts_creds()),
        ("AssumedRoleUser", [("AssumedRoleId", "AROAEXAMPLE:fuzz-session"),
                             ("Arn", "arn:aws:sts::123456789012:assumed-role/fuzz/fuzz-session")])], "req-ar")
    web = sim.sts_xml("AssumeRoleWithWebIdentity", [
        ("Credentials", sts_creds()), ("SubjectFromWebIdentityToken", "system:serviceaccount:ns:sa"),
        ("AssumedRoleUser", [("AssumedRoleId", "AROAEXAMPLE:s"),
                             ("Arn", "arn:aws:sts::123456789012:assumed-role/web/s")]),
        ("Provider", "oidc.eks.amazonaws.com"), ("Audience", "sts.amazonaws.com")], "req-web")
    gci = sim.sts_xml("GetCallerIdentity", [("Arn", "arn:aws:iam::123456789012:user/fuzz"),
                                            ("UserId", "AIDAEXAMPLE"), ("Account", "123456789012")], "req-gci")
    seed(t, "assume-role", b"\x02" + ar)
    seed(t, "assume-role-web", b"\x01" + web)
    seed(t, "assume-role-both-503", b"\x13" + ar)
    seed(t, "get-caller-identity", b"\x20" + gci)
    for i, (code, msg, st) in enumerate([
            ("AccessDenied", "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole", 403),
            ("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider", 400),
            ("ExpiredToken", "The security token included in the request is expired", 400),
            ("Throttling", "Rate exceeded", 400),
            ("ValidationError", "1 validation error detected: Value 'x' at 'roleArn' failed", 400),
            ("InternalFailure", "An internal error occurred & <retry>", 500),
            ("SignatureDoesNotMatch", "The request signature we calculated does not match", 403)]):
        doc = sim.sts_error_xml(sim.StsError(code, msg, st), "req-%d" % i)
        status = {400: 1, 403: 2, 500: 3, 503: 4, 429: 5, 404: 7}[st]
        seed(t, "error-%s" % code, bytes([(status << 2) | (1 + (i & 1))]) + doc)
    seed(t, "entities", b"\x03" + b"<R><AccessKeyId>A&amp;B&#65;&#x42;&#x1F600;</AccessKeyId>"
         b"<SecretAccessKey>&lt;s&gt;&quot;&apos;</SecretAccessKey><SessionToken>t&#13;&#10;X-Evil: 1"
         b"</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration><Arn>arn:aws:sts::1:x</Arn>"
         b"AssumeRoleWithWebIdentityResult AssumeRoleResult</R>")
    seed(t, "error-escapes", b"\x05" + b"<ErrorResponse><Error><Code>Bad&#27;]0;t&#7;</Code>"
         b"<Message>line1&#10;line2&#x1b;[2J&#xc2;</Message></Error></ErrorResponse>")
    seed(t, "bad-entities", b"\x20" + b"<Code>&#0;</Code><Message>&#xD800;</Message><Type>&#;&#x;&bogus;"
         b"&#1114112;&#99999999999;</Type><Account attr='1'>12</Account><Arn/>")
    seed(t, "cut", b"\x00" + b"<Code>never closed <Message>x</Mess")
    seed(t, "long-code", b"\x05" + b"<Code>" + b"C" * 200 + b"</Code><Message>" + b"m&amp;" * 150 +
         b"</Message>")
    seed(t, "exact-fit", b"\x00" + b"<Type></Type><Code>" + b"x" * 94 + b"&#65;</Code>")
    seed(t, "raw-bytes", b"\x01" + b"<AccessKeyId>\x00\xff\x1b</AccessKeyId><SecretAccessKey>s"
         b"</SecretAccessKey><SessionToken>t</SessionToken>AssumeRoleWithWebIdentityResult")


# ---------------------------------------------------------------------------
# fuzz_credjson: flags byte, then documents separated by "\n~~~\n"
# ---------------------------------------------------------------------------
def docs(*parts):
    return b"\n~~~\n".join(p.encode() if isinstance(p, str) else p for p in parts)


def credjson_seeds():
    t = "fuzz_credjson"
    akid, secret, token = "ASIAFUZZEXAMPLE00001", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", \
        "IQoJb3JpZ2luX2VjEXAMPLE+/="
    exp = "2025-11-25T18:00:00Z"
    ecs = json.dumps({"AccessKeyId": akid, "Expiration": exp, "RoleArn": "arn:aws:iam::1:role/task",
                      "SecretAccessKey": secret, "Token": token})
    eks = json.dumps({"AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
                      "AccountId": "123456789012", "Expiration": exp})
    seed(t, "container-ecs", b"\x00" + ecs.encode())
    seed(t, "container-eks-token", b"\x20" + eks.encode())
    seed(t, "container-error", b"\x1c" + json.dumps({"code": "InternalServerError",
                                                     "message": "Internal server error"}).encode())
    seed(t, "container-401", b"\x10" + b'{"code":"Unauthorized","message":"Authorization header is missing"}')
    imds = sim.imds_json([("Code", "Success"), ("LastUpdated", "2025-11-25T11:00:00Z"), ("Type", "AWS-HMAC"),
                          ("AccessKeyId", akid), ("SecretAccessKey", secret), ("Token", token),
                          ("Expiration", exp), ("AccountId", "123456789012")])
    seed(t, "imds", b"\x01" + docs("AQAEAFUZZtoken==", "sim-instance-role\n", imds))
    seed(t, "imds-404-html", b"\x19" + docs("tok", "role", sim.imds_html(404, "Not Found")))
    seed(t, "imds-pieces", b"\x41" + docs("t" * 100, "role\r\nsecond", imds))
    seed(t, "imds-role-escapes", b"\x0d" + docs("tok", "ro\x1b]0;le\x07", "{}"))
    role_creds = json.dumps({"roleCredentials": {"accessKeyId": akid, "secretAccessKey": secret,
                                                 "sessionToken": token, "expiration": 1764090000000}},
                            separators=(",", ":"))
    cache = json.dumps({"startUrl": "https://fuzz.awsapps.com/start", "region": "us-east-1",
                        "accessToken": "aoa@S@", "expiresAt": "2099-01-01T00:00:00Z"})
    seed(t, "sso-legacy", b"\x02" + docs(cache, "", role_creds))
    stale = json.dumps({"startUrl": "https://fuzz.awsapps.com/start", "region": "us-east-1",
                        "accessToken": "aoa@S@", "expiresAt": "2025-11-25T12:01:00Z",
                        "clientId": "cid", "clientSecret": "@S@", "refreshToken": "aor@S@",
                        "registrationExpiresAt": "2026-01-01T00:00:00Z", "n": [1, {"x": None}]})
    oidc = json.dumps({"accessToken": "aoaNEW", "expiresIn": 28800, "tokenType": "Bearer",
                       "refreshToken": "aorNEW"})
    seed(t, "sso-session-refresh", b"\x22" + docs(stale, oidc, role_creds))
    seed(t, "sso-refresh-huge-expires", b"\x22" + docs(stale, '{"accessToken":"a","expiresIn":'
                                                       '9223372036854775807}', role_creds))
    seed(t, "sso-refresh-error", b"\x22" + docs(stale, '{"error":"invalid_grant","error_description":'
                                                '"Invalid refresh token provided"}', role_creds))
    seed(t, "sso-unauthorized", b"\x12" + docs(cache, "", json.dumps(
        {"message": "Session token not found or invalid",
         "__type": "com.amazonaws.switchboard.portal#UnauthorizedException"})))
    proc = json.dumps({"Version": 1, "AccessKeyId": akid, "SecretAccessKey": secret, "SessionToken": token,
                       "Expiration": exp, "AccountId": "123456789012"})
    seed(t, "process", b"\x03" + proc.encode())
    seed(t, "process-v2", b"\x03" + b'{"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "s"}')
    seed(t, "process-fails", b"\x23" + b"not json")
    seed(t, "process-escapes", b"\x03" + b'{"Version":1,"AccessKeyId":"A\\u0000B","SecretAccessKey":'
         b'"s\\r\\nX: y","AccountId":"1\\n' + b"2" * 40 + b'","Expiration":"bad"}')
    seed(t, "flat-long-account", b"\x00" + b'{"AccessKeyId":"A","SecretAccessKey":"S","AccountId":"12\\n'
         + b"3" * 40 + b'","Token":"\\ud800"}')
    base = os.path.join(VEC, "credential-provider-tests", "test-data")
    for path in sorted(glob.glob(os.path.join(base, "*", "*", "http-traffic.json"))):
        case = path.split(os.sep)[-2]
        ev = json.load(open(path))["events"]
        bodies = [e["action"]["Data"]["data"].get("Utf8", "") for e in ev
                  if "Data" in e["action"] and e["action"]["Data"].get("direction") == "Response"]
        if not bodies:
            continue
        mode = 1 if "imds" in case else 2 if "sso" in case else 0
        seed(t, "vec-%s" % case, bytes([mode]) + docs(*bodies[-3:]))


# ---------------------------------------------------------------------------
# fuzz_settings: flags byte, then settings.json
# ---------------------------------------------------------------------------
def settings_seeds():
    t = "fuzz_settings"
    full = {"provider": "bedrock", "model": "sonnet", "bedrock": {
        "region": "eu-west-1", "profile": "work", "inferenceProfile": "eu.anthropic.claude-sonnet-4-6",
        "maxRetries": 3, "timeout": 600000}, "defaults": {"maxTokens": 8192, "temperature": 0.7},
        "env": {"ANTHROPIC_MODEL": "opus", "CLAUDE_CODE_MAX_OUTPUT_TOKENS": "4096", "API_TIMEOUT_MS": 30000,
                "CLAUDE_CODE_USE_BEDROCK": True, "AWS_REGION": "us-west-2", "EMPTY": ""},
        "permissions": {"allow": ["Bash(ls:*)"]}, "hooks": {}, "statusLine": {"type": "command"},
        "apiKeyHelper": "x", "awsAuthRefresh": "aws sso login"}
    seed(t, "full", b"\x00" + json.dumps(full, indent=2).encode())
    seed(t, "full-file-env", b"\x0f" + json.dumps(full).encode())
    seed(t, "secret", b"\x40" + b'{"model":"x","env":{"AWS_SESSION_TOKEN":"t"}}')
    seed(t, "empty", b"\x00{}")
    seed(t, "blank-file", b"\x01 \n\t ")
    seed(t, "bom", b"\x01\xef\xbb\xbf{\"model\":\"haiku\"}")
    seed(t, "typos", b"\x00" + b'{"modle":"x","region":"us-east-1","bedrock":{"regoin":"x","maxRetires":1},'
         b'"defaults":{"maxTokens":1,"temprature":1},"hook":{},"model":"dup","model":""}')
    seed(t, "temperatures", b"\x00" + b'{"defaults":{"temperature":0.0005e0}}')
    seed(t, "temperature-exp", b"\x00" + b'{"defaults":{"temperature":1000e-3}}')
    seed(t, "temperature-bad", b"\x00" + b'{"defaults":{"temperature":-0.0}}')
    seed(t, "ranges", b"\x00" + b'{"bedrock":{"maxRetries":101,"timeout":2147483648},'
         b'"defaults":{"maxTokens":1000001}}')
    seed(t, "types", b"\x00" + b'{"model":1,"bedrock":[],"defaults":"x","env":{"A":null,"B":{}}}')
    seed(t, "provider", b"\x00" + b'{"provider":"Anthropic\\u001b[31m"}')
    seed(t, "bad-json", b"\x00" + b'{"a": 1 "b": 2}')
    seed(t, "comment", b"\x00" + b'{"a": 1 // c\n}')
    seed(t, "trailing", b"\x00" + b'{"a": [1,2,],}')
    seed(t, "single-quotes", b"\x00" + b"{'a': 'b'}")
    seed(t, "unterminated", b"\x00" + b'{"a": "b\n"}')
    seed(t, "deep", b"\x00" + b'{"a":' + b"[" * 70 + b"]" * 70 + b"}")
    seed(t, "escapes", b"\x00" + b'{"model":"\\ud83d\\ude00\\u00e9","bedrock":{"profile":"a\\tb"},'
         b'"env":{"K\\u003dV":"x"}}')
    seed(t, "lone-surrogate", b"\x00" + b'{"model":"\\udc00"}')
    seed(t, "bad-utf8", b"\x01" + b'{"model":"\xc3\x28"}')
    seed(t, "nul", b"\x01" + b'{"model":"a\x00b"}')
    env = ",".join('"V%03d":"%s"' % (i, "x" * 50) for i in range(140))
    seed(t, "env-many", b"\x00" + ('{"env":{%s}}' % env).encode())
    # an env object that fills its 8192 bytes exactly, then one more key
    pairs, used = [], 0
    while used + 64 <= 8192 - 200:
        pairs.append(('"E%03d"' % len(pairs), "y" * 58))
        used += 4 + 1 + 58 + 1
    rest = 8192 - used - (4 + 1) - 1
    body = ",".join('%s:"%s"' % (k, v) for k, v in pairs)
    body += ',"LAST":"%s","MORE":"z"' % ("w" * rest)
    seed(t, "env-exact-full", b"\x00" + ('{"env":{%s}}' % body).encode())
    seed(t, "env-bad-values", b"\x00" + b'{"env":{"API_TIMEOUT_MS":"soon","CLAUDE_CODE_MAX_RETRIES":"-1",'
         b'"CLAUDE_CODE_SKIP_BEDROCK_AUTH":"maybe","ANTHROPIC_MODEL":"a\\u0007b"}}')
    seed(t, "many-warnings", b"\x00" + ("{%s}" % ",".join('"unknown%d\\u00e9":1' % i
                                                          for i in range(60))).encode())
    seed(t, "not-object", b"\x01[1,2]")
    seed(t, "numbers", b"\x00" + b'{"a":[0,-0,1e5,1E+5,1.5e-3,-1.0,01]}')


# ---------------------------------------------------------------------------
# fuzz_session: flags byte, then a session file (or texts, mode 3)
# ---------------------------------------------------------------------------
SID = "0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70"


def jl(*objs):
    return "".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n" for o in objs)


def session_seeds():
    t = "fuzz_session"
    hdr = {"type": "session", "id": SID, "cwd": "/home/fuzz/project", "created": "2025-11-25T12:00:00Z",
           "model": "us.anthropic.claude-sonnet-4-6", "region": "us-east-1", "version": 1}
    user = {"type": "user", "time": "2025-11-25T12:00:01Z", "text": "Hello \u00e9\U0001F600"}
    ans = {"type": "assistant", "time": "2025-11-25T12:00:05Z", "text": "Hi! How can I help?",
           "model": "us.anthropic.claude-sonnet-4-6", "stop_reason": "end_turn",
           "usage": {"input_tokens": 12, "output_tokens": 8, "cache_creation_input_tokens": 0,
                     "cache_read_input_tokens": 0}, "cost_usd": 0.000156, "request_id": "r-1"}
    plain = jl(hdr, {"type": "system", "time": "2025-11-25T12:00:00Z", "text": "Be brief."}, user, ans,
               {"type": "model", "time": "2025-11-25T12:01:00Z", "model": "eu.anthropic.claude-opus-4-6-v1"},
               dict(user, text="and more"),
               dict(ans, text="partial", interrupted=True, cost_usd=None),
               dict(user, text="again"), dict(ans, text="", error="ThrottlingException: slow"))
    seed(t, "plain", b"\x00" + plain.encode())
    seed(t, "plain-resume", b"\x02" + plain.encode())
    seed(t, "torn", b"\x00" + (plain + '{"type":"user","time":"2025-11-25T12:09:00Z","te').encode())
    seed(t, "torn-resume", b"\x02" + (plain + '{"type":"user","te').encode())
    seed(t, "no-newline-end", b"\x02" + plain.rstrip("\n").encode())
    seed(t, "unknown-type", b"\x00" + jl(hdr, {"type": "tool_use", "x": [1, 2, {"y": None}]}, user).encode())
    seed(t, "assistant-first", b"\x00" + jl(hdr, ans, user, user, ans, ans).encode())
    seed(t, "blank-lines", b"\x00" + ("\n  \r\n" + jl(hdr) + "\n\t\n" + jl(user)).encode())
    seed(t, "bad-middle", b"\x00" + (jl(hdr) + "{not json}\n" + jl(user)).encode())
    seed(t, "second-header", b"\x00" + jl(hdr, user, hdr).encode())
    seed(t, "no-header", b"\x00" + jl(user, ans).encode())
    seed(t, "newer-version", b"\x00" + jl(dict(hdr, version=2), user).encode())
    seed(t, "uppercase-id", b"\x00" + jl(dict(hdr, id=SID.upper()), user).encode())
    seed(t, "escapes", b"\x00" + (jl(dict(hdr, cwd="/tmp/\u00e9 x\"y", model="m\u0000n")) +
                                  '{"type":"user","text":"a\\u0000b\\ud83d\\ude00\\\\u0000c\\n"}\n'
                                  '{"type":"user","text":"\\udc00"}\n').encode())
    seed(t, "raw-invalid", b"\x00" + jl(hdr).encode() + b'{"type":"user","text":"\xff\xfe\xc3"}\n')
    seed(t, "costs", b"\x00" + jl(hdr, user, dict(ans, cost_usd=1.5e-3), dict(ans, cost_usd=-1),
                                  dict(ans, cost_usd=1e9), dict(ans, cost_usd=123456789012.5)).encode() +
         b'{"type":"assistant","text":"x","cost_usd":1e999999}\n')
    seed(t, "usage-types", b"\x00" + jl(hdr, user, dict(ans, usage={"input_tokens": 18446744073709551615,
                                                                       "output_tokens": 1}),
                                        dict(ans, usage={"input_tokens": 18446744073709551615})).encode())
    seed(t, "times", b"\x00" + jl(hdr, dict(user, time="1970-01-01T00:00:00+01:00"),
                                  dict(ans, time="9999-12-31T23:59:59-23:59"), dict(user, time="bad")).encode())
    seed(t, "long-cwd", b"\x00" + jl(dict(hdr, cwd="/" + "d" * 5000), user).encode())
    seed(t, "many-tokens", b"\x00" + jl(hdr, dict(user, extra=list(range(600)))).encode())
    seed(t, "texts", b"\x03" + b"hello\n~~~\nworld\x00\xff\n~~~\n\\u0000 literal\n~~~\n")
    seed(t, "texts-system", b"\x07" + b"system \xc0\xaf\n~~~\nq\n~~~\na\n~~~\nq2")
    seed(t, "short-err", b"\x08" + b"{}\n")


# ---------------------------------------------------------------------------
# fuzz_ledger: flags byte, then ledger.jsonl (or model lines, flags & 0x80)
# ---------------------------------------------------------------------------
def ledger_line(time, model, cost=0.0123, region="us-east-1", inp=100, out=20, **kw):
    d = {"time": time, "model": model, "region": region, "profile": None, "request_id": "r",
         "input_tokens": inp, "output_tokens": out, "cache_creation_input_tokens": 0,
         "cache_read_input_tokens": 0, "cost_usd": cost, "session": SID}
    d.update(kw)
    return json.dumps(d, separators=(",", ":")) + "\n"


def ledger_seeds():
    t = "fuzz_ledger"
    lines = "".join(ledger_line("2025-%02d-%02dT1%d:00:00Z" % (1 + i % 12, 1 + i % 28, i % 10),
                                ["us.anthropic.claude-sonnet-4-6", "eu.anthropic.claude-opus-4-6-v1",
                                 "global.anthropic.claude-haiku-4-5", ""][i % 4],
                                cost=None if i % 5 == 0 else 0.0001 * i) for i in range(20))
    for by in range(4):
        seed(t, "ledger-by-%d" % by, bytes([by]) + lines.encode())
        seed(t, "ledger-since-small-%d" % by, bytes([by | 12]) + lines.encode())
    seed(t, "torn", b"\x01" + (lines + '{"time":"2025-01-01T00:').encode())
    seed(t, "corrupt", b"\x03" + ("\n  \r\n{bad}\n" + lines + "[]\n" +
                                  ledger_line("not a time", "m") + ledger_line("2025-01-01T00:00:00Z", "m",
                                                                                 inp=-1)).encode())
    seed(t, "costs", b"\x03" + "".join(ledger_line("2025-01-01T00:00:00Z", "m%d" % i, cost=c)
                                       for i, c in enumerate([0, -1, 1e9, 1e9 + 1, 1.5e-10, 5e-10,
                                                              123.456789012])).encode() +
         b'{"time":"2025-01-01T00:00:00Z","cost_usd":1e999999}\n'
         b'{"time":"2025-01-01T00:00:00Z","cost_usd":"1"}\n')
    seed(t, "long-models", b"\x03" + (ledger_line("2025-01-01T00:00:00Z", "x" * 200) +
                                      ledger_line("2025-01-01T00:00:00Z", "\u00e9" * 100) +
                                      ledger_line("2025-01-01T00:00:00Z", "a\u0000b\u001b[31m")).encode())
    seed(t, "long-valid-line", b"\x03" + (ledger_line("2025-01-01T00:00:00Z", "m", request_id="r" * 9000)
                                          + ledger_line("2025-01-02T00:00:00Z", "z")).encode())
    seed(t, "long-line", b"\x03" + (ledger_line("2025-01-01T00:00:00Z", "y" * 9000) +
                                    ledger_line("2025-01-02T00:00:00Z", "z")).encode())
    seed(t, "offsets", b"\x01" + (ledger_line("2025-01-01T00:30:00+01:00", "m") +
                                  ledger_line("1970-01-01T00:00:00+05:00", "m")).encode())
    seed(t, "saturate", b"\x00" + (ledger_line("2025-01-01T00:00:00Z", "m", inp=18446744073709551615) * 2)
         .encode())
    seed(t, "many-keys", b"\x0b" + "".join(ledger_line("2025-01-01T00:00:00Z", "model-%d" % i)
                                           for i in range(10)).encode())
    seed(t, "since-date", b"\x05" + b"2025-06\n" + lines.encode())
    seed(t, "entries", b"\x80" + "\n".join(["us.anthropic.claude-sonnet-4-6", "", "\x1b[31m",
                                            "\xff\xfe bad", "e" * 200, "(unknown)", "\u00e9" * 80,
                                            "x" * 9000]).encode("utf-8", "surrogateescape"))


# ---------------------------------------------------------------------------
# fuzz_catalog: flags byte, then the override JSON
# ---------------------------------------------------------------------------
def catalog_seeds():
    t = "fuzz_catalog"
    full = {"models": [{"id": "anthropic.claude-new-5-0", "name": "Claude New 5", "family": "sonnet",
                        "version": "5.0", "released": "2025-10-01", "prefixes": ["global", "us", "eu", "apac"],
                        "on_demand": False, "max_output": 128000,
                        "price": {"input": 3, "output": 15, "cache_write_5m": 3.75, "cache_write_1h": 6,
                                  "cache_read": 0.3, "regional_premium": 10, "tier_above": 200000,
                                  "tier_multiplier": 2}, "legacy": "2026-01-01", "eol": None}]}
    seed(t, "full", b"\x00" + json.dumps(full, indent=1).encode())
    seed(t, "full-after-good", b"\x01" + json.dumps(full).encode())
    seed(t, "replace-builtin", b"\x00" + b'{"models":[{"id":"anthropic.claude-sonnet-4-6","price":{"input":2}},'
         b'{"id":"anthropic.claude-opus-4-6-v1","eol":""}]}')
    seed(t, "nulls", b"\x00" + b'{"models":[{"id":"x.y","released":null,"legacy":null,"eol":null,'
         b'"price":{"input":null,"output":null,"tier_multiplier":null}}]}')
    seed(t, "bad-shapes", b"\x01" + b'{"models":[{"id":"a b"},{"id":""},{"id":"z","prefixes":["US"]}]}')
    seed(t, "unknown-key", b"\x00" + b'{"models":[{"id":"m","nmae":"x"}],"extra":1}')
    seed(t, "dup", b"\x00" + b'{"models":[{"id":"m"},{"id":"m"}]}')
    seed(t, "dates", b"\x00" + b'{"models":[{"id":"m","released":"2024-02-29","legacy":"2023-02-29"}]}')
    seed(t, "prices", b"\x02" + b'{"models":[{"id":"m","price":{"input":999999999999999,'
         b'"output":0.000000000000001,"cache_read":1e3,"regional_premium":1001}}]}')
    seed(t, "u32", b"\x00" + b'{"models":[{"id":"m","max_output":4294967296,"price":{"tier_above":-1}}]}')
    seed(t, "many", b"\x00" + ('{"models":[%s]}' % ",".join('{"id":"anthropic.m%d","family":"haiku",'
                                                           '"version":"%d"}' % (i, i) for i in range(70))).encode())
    seed(t, "pool", b"\x00" + ('{"models":[%s]}' % ",".join('{"id":"p%d","name":"%s"}' % (i, "n" * 900)
                                                           for i in range(40))).encode())
    seed(t, "arn-ids", b"\x00" + b'{"models":[{"id":"arn:aws:bedrock:us-east-1:1:x"},{"id":"us.anthropic.q"},'
         b'{"id":"global.m","family":"opus","version":"9","prefixes":[]}]}')
    seed(t, "escapes", b"\x00" + b'{"models":[{"id":"m\\u00e9","name":"\\u001b[31m","family":"SONNET",'
         b'"version":"4.6\\u0000"}]}')
    seed(t, "not-json", b"\x00{models: []}")
    seed(t, "tokens", b"\x00" + ("[" * 5000).encode())


# ---------------------------------------------------------------------------
def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gen_seeds.py OUTDIR [TARGET...]")
    out = sys.argv[1]
    want = set(sys.argv[2:])
    for fn in (http_seeds, ini_seeds, xml_seeds, credjson_seeds, settings_seeds, session_seeds, ledger_seeds, catalog_seeds):
        fn()
    for target, seeds in sorted(OUT.items()):
        if want and target not in want:
            continue
        d = os.path.join(out, target[len("fuzz_"):])
        os.makedirs(d, exist_ok=True)
        for name, data in seeds:
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
