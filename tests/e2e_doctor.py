#!/usr/bin/env python3
"""End-to-end tests of `bedrock-claude doctor`, `models` and `profiles`:
the static binary against the simulator.

    python3 tests/e2e_doctor.py [--bin ./bedrock-claude] [-k SUBSTRING] [-v]

Starts ONE simulator (tests/sim/bedrock_sim.py), runs every test against
it (resetting it in between), stops it, and prints one summary line,
`e2e-doctor: N passed, M failed`.  Exit status 0 iff nothing failed.  A
failing test prints `FAIL name: reason` on stderr; -v also prints `ok name`
lines and, for failures, what the simulator logged meanwhile.

Every run of the binary gets an environment built from scratch (PATH, a
fresh HOME, the simulator's CA and its endpoints for bedrock-runtime,
bedrock and STS, AWS_REGION, IMDS disabled), stdin from /dev/null and a
timeout.  The doctor's report is parsed line by line: `✓ name: ...`,
`✗ name: ...; fix: ...` or `- name: skipped: ...`, then
`doctor: N checks passed, M failed`.  The last test checks that no secret
the tests handed out (keys, session tokens, API keys, a proxy password)
appears in any output of any run.

`profiles --page-size N` is used to make the simulator page; the other
tests use the defaults.  Python 3 standard library only (plus the
`openssl` command, which the simulator needs).
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIM_PY = os.path.join(HERE, "sim", "bedrock_sim.py")
TIMEOUT = 30
ACCOUNT = "123456789012"

KEY = ("AKIDE2EDOCTORKEY0001", "doctorSecret/KEY+e2eDOCTOR000000000001")
SESSION = ("ASIAE2EDOCTORSESS001", "doctorSessSecret/KEY+e2eDOCTOR00000001",
           "IQoJb3JpZ2luX2VjE2Ee2eDOCTORsessionTOKEN/Zm9vYmFy+QmVkcm9jaw==")
BEARER = "ABSKQmVkcm9ja0FQSUtleS1lMmUtZG9jdG9y=e2eDoctorBearer001"
WRONG_BEARER = "ABSKQmVkcm9ja0FQSUtleS1XUk9ORw==e2eDoctorWrong00001"
PROXY_PASSWORD = "pr0xyPassw0rd!"
WRONG_SECRET = "wrongSecret/KEY+e2eDOCTOR0000000000000001"

SECRETS = {KEY[1], SESSION[1], SESSION[2], BEARER, WRONG_BEARER, PROXY_PASSWORD,
           WRONG_SECRET}

CHECKS = ["config", "region", "credentials", "identity", "endpoints", "proxy",
          "trust", "clock", "models", "profiles", "invocation"]
DEFAULT_MODEL = "us.anthropic.claude-sonnet-5-5"   # the catalogue's current Sonnet


# ============================================================================
# Harness
# ============================================================================
class Fail(Exception):
    pass


class G:
    bin = sim = tmp = home = current = None
    outputs = []   # (test, stdout, stderr) of every run


def check(cond, msg, r=None):
    if not cond:
        raise Fail(msg + ("" if r is None else "; %r" % r))


def redact(b):
    for s in sorted(SECRETS, key=len, reverse=True):
        b = b.replace(s.encode(), b"<SECRET>")
    return b


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    @property
    def stdout(self):
        return self.out.decode("utf-8", "replace")

    @property
    def stderr(self):
        return self.err.decode("utf-8", "replace")

    def report(self):
        """The doctor's report: {name: (state, text)} with state "ok",
        "fail" or "skip", plus the order of the names and the summary."""
        checks, order, summary = {}, [], None
        for line in self.stdout.splitlines():
            m = re.match(r"^(✓|✗|-) ([a-z]+): (.*)$", line)
            if m:
                state = {"✓": "ok", "✗": "fail", "-": "skip"}[m.group(1)]
                checks[m.group(2)] = (state, m.group(3))
                order.append(m.group(2))
                continue
            m = re.match(r"^doctor: (\d+) checks passed, (\d+) failed$", line)
            if m:
                summary = (int(m.group(1)), int(m.group(2)))
        check(summary is not None, "no 'doctor: N checks passed, M failed' line", self)
        return checks, order, summary

    def __repr__(self):
        return "rc=%r stdout=%r stderr=%r" % (self.rc, redact(self.out[:2500]),
                                              redact(self.err[:900]))


class Sim:
    def __init__(self, workdir, extra_args=()):
        self.dir = os.path.join(workdir, "sim")
        self.log_path = os.path.join(workdir, "sim.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, SIM_PY, "--dir", self.dir, "--port", "0"] + list(extra_args),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log)
        line = b""
        deadline = time.monotonic() + 60
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                self.stop()
                raise RuntimeError("simulator did not print READY within 60 s")
            b = os.read(self.proc.stdout.fileno(), 1)
            if not b:
                self.stop()
                raise RuntimeError("simulator exited before READY (see %s)" % self.log_path)
            line += b
        fields = dict(kv.split("=", 1) for kv in line.decode().split()[1:] if "=" in kv)
        if not line.startswith(b"READY ") or "port" not in fields or "ca" not in fields:
            self.stop()
            raise RuntimeError("unexpected first line from the simulator: %r" % line)
        self.port, self.ca = int(fields["port"]), fields["ca"]
        self.endpoint = "https://localhost:%d" % self.port
        self.ctx = ssl.create_default_context(cafile=self.ca)

    def call(self, method, path, doc=None):
        data = None if doc is None else json.dumps(doc).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
                return json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            raise Fail("simulator control %s %s: HTTP %d %s" % (method, path, e.code, e.read()[:300]))

    def reqs(self, service):
        return self.call("GET", "/_sim/requests?service=" + service)

    def log_size(self):
        self.log.flush()
        return os.path.getsize(self.log_path)

    def log_since(self, pos):
        with open(self.log_path, "rb") as fh:
            fh.seek(pos)
            return fh.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc.stdout:
            self.proc.stdout.close()
        self.log.close()


def env(**overrides):
    """A clean environment with the test's long-term keys; None removes a
    variable."""
    e = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": G.home,
        "AWS_CA_BUNDLE": G.sim.ca,
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": G.sim.endpoint,
        "AWS_ENDPOINT_URL_BEDROCK": G.sim.endpoint,
        "AWS_ENDPOINT_URL_STS": G.sim.endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": KEY[0],
        "AWS_SECRET_ACCESS_KEY": KEY[1],
    }
    for k, v in overrides.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def run(args, e=None, timeout=TIMEOUT):
    e = env() if e is None else e
    try:
        p = subprocess.run([G.bin] + list(args), env=e, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as x:
        G.outputs.append((G.current, x.stdout or b"", x.stderr or b""))
        raise Fail("%s timed out after %d s" % (" ".join(args), timeout))
    G.outputs.append((G.current, p.stdout, p.stderr))
    return Result(p.returncode, p.stdout, p.stderr)


def doctor(*args, **envo):
    return run(["doctor"] + list(args), env(**envo))


def write_home(name, text):
    d = os.path.join(G.home, ".aws")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as fh:
        fh.write(text)


def expect(r, rc, states):
    """rc and the state of each named check ("ok", "fail", "skip")."""
    checks, order, (npass, nfail) = r.report()
    check(order == CHECKS, "checks out of order or missing: %s" % order, r)
    for name, st in states.items():
        check(checks[name][0] == st, "%s is %s, expected %s" % (name, checks[name][0], st), r)
    check(npass == sum(1 for s, _ in checks.values() if s == "ok"), "passed count", r)
    check(nfail == sum(1 for s, _ in checks.values() if s == "fail"), "failed count", r)
    check(r.rc == rc, "exit code %d, expected %d" % (r.rc, rc), r)
    for name, (st, text) in checks.items():
        if st == "fail":
            check("; fix: " in text, "%s failed without a fix" % name, r)
    return checks


# ============================================================================
# doctor
# ============================================================================
def t_all_green():
    r = doctor()
    c = expect(r, 0, {n: "ok" for n in CHECKS})
    check(r.report()[2] == (11, 0), "summary", r)
    check("doctor: 11 checks passed, 0 failed" in r.stdout.splitlines()[-1], "last line", r)
    check("account %s, arn:aws:iam::%s:user/sim-user" % (ACCOUNT, ACCOUNT) in c["identity"][1],
          "identity: account and ARN", r)
    check("us-east-1 (from AWS_REGION)" == c["region"][1], "region and its source", r)
    check(c["credentials"][1].startswith("environment (AWS_ACCESS_KEY_ID)"), "credential source", r)
    check("****0001" in c["credentials"][1] and KEY[0] not in r.stdout, "access key masked", r)
    check("long-term" in c["credentials"][1], "long-term keys", r)
    check("bedrock-runtime %s (AWS_ENDPOINT_URL_BEDROCK_RUNTIME)" % G.sim.endpoint in c["endpoints"][1]
          and "bedrock %s (AWS_ENDPOINT_URL_BEDROCK)" % G.sim.endpoint in c["endpoints"][1]
          and "VPC endpoint: no" in c["endpoints"][1], "endpoints and sources", r)
    check(c["proxy"][1].startswith("none"), "no proxy", r)
    check("%s (from AWS_CA_BUNDLE; 1 certificate)" % G.sim.ca in c["trust"][1], "trust", r)
    check(re.match(r"within [0-3] s of the server", c["clock"][1]), "clock", r)
    check("%s is listed (ACTIVE" % DEFAULT_MODEL.split(".", 1)[1] in c["models"][1], "models", r)
    check(("%s is listed (ACTIVE, routes to us-east-1, us-east-2, us-west-2)" % DEFAULT_MODEL)
          in c["profiles"][1], "profiles", r)
    check(re.search(r'^%s answered "Hello from the Bedrock simulator[^"]*" in [0-9.]+ ms \(\d+ input, '
                    r'\d+ output tokens' % re.escape(DEFAULT_MODEL), c["invocation"][1]),
          "invocation: latency and tokens", r)
    sts = [q for q in G.sim.reqs("sts") if q.get("op") == "GetCallerIdentity"]
    check(len(sts) == 1 and sts[0]["auth"]["ok"], "one signed GetCallerIdentity", sts)
    inv = G.sim.reqs("bedrock-runtime")
    check(len(inv) == 1 and inv[0]["body"]["max_tokens"] == 10, "one tiny invocation", inv)
    check(inv[0]["body"]["messages"][0]["content"] in ("Reply with OK",
          [{"type": "text", "text": "Reply with OK"}]), "the test prompt", inv)


def t_no_credentials():
    r = doctor(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    c = expect(r, 3, {"config": "ok", "region": "ok", "credentials": "fail", "identity": "skip",
                      "models": "skip", "profiles": "skip", "invocation": "skip",
                      "endpoints": "ok", "trust": "ok"})
    check(c["credentials"][1].startswith("Unable to locate credentials; fix: run aws configure"),
          "the seed's fix", r)
    check("aws sso login" in c["credentials"][1], "sso in the fix", r)
    check("    sources tried, in order:" in r.stdout, "sources tried", r)
    check("- environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set" in r.stdout,
          "environment tried", r)
    check("instance metadata" in r.stdout, "IMDS tried", r)
    check(c["identity"][1] == "skipped: no usable credentials", "skip reason", r)
    # the clock is still checked: any AWS reply carries a Date
    check(c["clock"][0] == "ok", "clock from an unsigned reply", r)
    check(r.report()[2] == (6, 1), "summary", r)


def t_wrong_secret():
    r = doctor(AWS_SECRET_ACCESS_KEY=WRONG_SECRET)
    c = expect(r, 3, {"credentials": "ok", "identity": "fail", "models": "skip",
                      "profiles": "skip", "invocation": "skip"})
    check("SignatureDoesNotMatch" in c["identity"][1], "STS code", r)
    check("fix: check AWS_SECRET_ACCESS_KEY" in c["identity"][1], "fix names the secret", r)
    check("came from environment" in c["identity"][1], "names the source", r)
    check(c["models"][1] == "skipped: STS refused the credentials (see identity)", "skip reason", r)


def t_unknown_key():
    r = doctor(AWS_ACCESS_KEY_ID="AKIDE2EUNKNOWN000001")
    c = expect(r, 3, {"identity": "fail"})
    check("InvalidClientTokenId" in c["identity"][1] and "AWS_ACCESS_KEY_ID" in c["identity"][1],
          "unknown key", r)


def t_access_denied_on_model():
    G.sim.call("POST", "/_sim/faults", {
        "kind": "error", "status": 403, "type": "AccessDeniedException",
        "message": "User: arn:aws:iam::%s:user/sim-user is not authorized to perform: "
                   "bedrock:InvokeModelWithResponseStream on resource: arn:aws:bedrock:us-east-1:%s:"
                   "inference-profile/%s" % (ACCOUNT, ACCOUNT, DEFAULT_MODEL)})
    r = doctor()
    c = expect(r, 1, {n: "ok" for n in CHECKS[:-1]})
    check(c["invocation"][0] == "fail", "invocation fails", r)
    t = c["invocation"][1]
    check("AccessDeniedException" in t and "(HTTP 403)" in t, "the service's error", r)
    check("fix: allow bedrock:InvokeModel and bedrock:InvokeModelWithResponseStream" in t,
          "IAM actions in the fix", r)
    check("Model access" in t and "simulate-principal-policy" in t, "model access, simulate", r)


def t_throttled_invocation():
    G.sim.call("POST", "/_sim/faults", {"kind": "error", "status": 429,
                                        "type": "ThrottlingException",
                                        "message": "Too many tokens, please wait before trying again."})
    r = doctor()
    c = expect(r, 1, {"invocation": "fail"})
    check("ThrottlingException" in c["invocation"][1] and "Service Quotas" in c["invocation"][1]
          and "service-quotas" in c["invocation"][1], "quota fix", r)


def t_clock_skew():
    G.sim.call("POST", "/_sim/clock", {"offset": 900})
    r = doctor()
    c = expect(r, 3, {"identity": "fail", "clock": "fail", "models": "skip", "profiles": "skip",
                      "invocation": "skip"})
    check("is 15 min behind the server's" in c["clock"][1], "15 minutes behind", r)
    check("timedatectl" in c["clock"][1], "clock fix", r)
    check("Signature expired" in c["identity"][1] and "see clock" in c["identity"][1],
          "identity points at the clock", r)
    check("clock is more than 5 min off" in c["invocation"][1], "skip reason", r)
    r = doctor(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    c = expect(r, 3, {"credentials": "fail", "clock": "fail"})


def t_clock_warning():
    G.sim.call("POST", "/_sim/clock", {"offset": -90})
    r = doctor()
    c = expect(r, 0, {n: "ok" for n in CHECKS})
    check("ahead of the server" in c["clock"][1] and "warning" in c["clock"][1], "warning", r)


def t_models_access_denied():
    msg = ("User: arn:aws:iam::%s:user/sim-user is not authorized to perform: "
           "bedrock:ListFoundationModels" % ACCOUNT)
    G.sim.call("POST", "/_sim/service_faults", {"service": "bedrock", "op": "ListFoundationModels",
                                                "kind": "error", "status": 403,
                                                "code": "AccessDeniedException", "message": msg})
    r = doctor()
    c = expect(r, 1, {"models": "fail", "profiles": "ok", "invocation": "ok"})
    check("fix: allow bedrock:ListFoundationModels" in c["models"][1], "IAM action", r)
    G.sim.call("POST", "/_sim/service_faults", {"service": "bedrock", "op": "ListFoundationModels",
                                                "kind": "error", "status": 403,
                                                "code": "AccessDeniedException", "message": msg})
    r = run(["models"])
    check(r.rc == 1 and r.out == b"", "models: exit 1, nothing on stdout", r)
    lines = r.stderr.splitlines()
    check(len(lines) == 1 and lines[0].startswith("bedrock-claude: ListFoundationModels: "
                                                  "AccessDeniedException"), "one error line", r)
    check("; fix: allow bedrock:ListFoundationModels" in lines[0], "fix names the action", r)


def t_profiles_access_denied():
    G.sim.call("POST", "/_sim/service_faults", {"service": "bedrock", "op": "ListInferenceProfiles",
                                                "kind": "error", "status": 403,
                                                "code": "AccessDeniedException",
                                                "message": "not authorized"})
    r = run(["profiles"])
    check(r.rc == 1 and "fix: allow bedrock:ListInferenceProfiles" in r.stderr, "profiles denied", r)


def t_wrong_model():
    r = doctor("--model", "us.anthropic.claude-nonexistent-v9:0")
    c = expect(r, 1, {"models": "fail", "profiles": "fail", "invocation": "fail"})
    check("anthropic.claude-nonexistent-v9:0 is not among" in c["models"][1], "models", r)
    check("us.anthropic.claude-nonexistent-v9:0 is not one of them" in c["profiles"][1], "profiles", r)


def t_base_id_needs_profile():
    r = doctor("--model", "anthropic.claude-sonnet-4-6")
    c = expect(r, 1, {"models": "fail", "invocation": "fail"})
    check("cannot be called by its base ID" in c["models"][1]
          and "--model us.anthropic.claude-sonnet-4-6" in c["models"][1], "models names the profile", r)
    check("profiles of anthropic.claude-sonnet-4-6: us.anthropic.claude-sonnet-4-6" in c["profiles"][1],
          "profiles of the model", r)


def t_legacy_model():
    r = doctor("--model", "anthropic.claude-3-haiku-20240307-v1:0")
    c = expect(r, 0, {n: "ok" for n in CHECKS})
    check("LEGACY" in c["models"][1] and "warning" in c["models"][1], "legacy warning", r)


def t_temporary_credentials():
    doc = G.sim.call("POST", "/_sim/creds", {"mint": True, "expires_in": 3200})
    SECRETS.update([doc["SecretAccessKey"], doc["SessionToken"]])
    r = doctor(AWS_ACCESS_KEY_ID=doc["AccessKeyId"], AWS_SECRET_ACCESS_KEY=doc["SecretAccessKey"],
               AWS_SESSION_TOKEN=doc["SessionToken"], AWS_CREDENTIAL_EXPIRATION=doc["Expiration"])
    c = expect(r, 0, {n: "ok" for n in CHECKS})
    check(re.search(r"temporary, expires in 5[0-3] min", c["credentials"][1]), "expiry", r)
    check("assumed-role" in c["identity"][1] or "arn:aws:" in c["identity"][1], "role ARN", r)


def t_bearer_key():
    r = doctor(AWS_BEARER_TOKEN_BEDROCK=BEARER)
    c = expect(r, 0, {"credentials": "ok", "identity": "skip", "models": "ok", "profiles": "ok",
                      "invocation": "ok"})
    check(c["credentials"][1].startswith("Bedrock API key (AWS_BEARER_TOKEN_BEDROCK"), "source", r)
    r = doctor(AWS_BEARER_TOKEN_BEDROCK=WRONG_BEARER)
    c = expect(r, 3, {"invocation": "fail"})
    check("AWS_BEARER_TOKEN_BEDROCK was refused" in c["invocation"][1], "the key's fix", r)


def t_config_parse_error():
    write_home("config", "[default]\nregion = us-east-1\n[profile broken\nregion = x\n")
    r = doctor()
    c = expect(r, 2, {"config": "fail", "region": "skip", "credentials": "skip",
                      "identity": "skip", "endpoints": "skip", "trust": "skip",
                      "invocation": "skip", "proxy": "ok"})
    check(re.search(re.escape(os.path.join(G.home, ".aws", "config")) + r":3: ", c["config"][1]),
          "file:line", r)


def t_profile_missing():
    write_home("config", "[default]\nregion = us-east-1\n")
    r = doctor(AWS_PROFILE="nope")
    c = expect(r, 2, {"config": "fail"})
    check("profile nope (from AWS_PROFILE) is in neither" in c["config"][1]
          and "aws configure --profile nope" in c["config"][1], "missing profile", r)


def t_region_from_profile():
    write_home("config", "[profile dev]\nregion = us-east-1\n")
    r = doctor("--profile", "dev", AWS_REGION=None)
    c = expect(r, 3, {"config": "ok", "region": "ok", "credentials": "fail"})
    check(c["config"][1].startswith("profile dev (from --profile)"), "profile source", r)
    check(c["region"][1] == "us-east-1 (from the profile)", "region source", r)


def t_no_region():
    r = doctor(AWS_REGION=None)
    c = expect(r, 2, {"region": "fail", "endpoints": "skip", "models": "skip",
                      "invocation": "skip"})
    check("export AWS_REGION=us-east-1" in c["region"][1], "region fix", r)


def t_bad_ca_bundle():
    r = doctor(AWS_CA_BUNDLE=os.path.join(G.home, "missing.pem"))
    c = expect(r, 2, {"trust": "fail", "credentials": "skip", "identity": "skip",
                      "invocation": "skip"})
    check("cannot be read" in c["trust"][1], "trust", r)


def t_untrusted_server():
    # the simulator's test CA is not in the system bundle: TLS fails
    r = doctor(AWS_CA_BUNDLE=None)
    c = expect(r, 4, {"trust": "ok", "identity": "fail", "models": "fail",
                      "invocation": "fail"})
    check("TLS" in c["identity"][1] and "(in use: " in c["identity"][1], "TLS and the bundle", r)


def t_sts_unreachable():
    r = doctor(AWS_ENDPOINT_URL_STS="https://localhost:1")
    c = expect(r, 4, {"identity": "fail", "models": "ok", "invocation": "ok"})
    check("network" in c["identity"][1] or "connect" in c["identity"][1], "network error", r)
    check("HTTPS_PROXY" in c["identity"][1], "network fix", r)


def t_proxy_redacted():
    proxy = "http://alice:%s@127.0.0.1:9" % PROXY_PASSWORD
    r = doctor(HTTPS_PROXY=proxy, NO_PROXY="localhost,.internal")
    c = expect(r, 0, {n: "ok" for n in CHECKS})
    check("HTTPS_PROXY=http://***@127.0.0.1:9" in c["proxy"][1], "userinfo hidden", r)
    check("NO_PROXY=localhost,.internal" in c["proxy"][1], "NO_PROXY shown", r)
    check("bedrock-runtime direct (NO_PROXY)" in c["proxy"][1], "bypass", r)
    r = doctor(https_proxy=proxy)
    c = expect(r, 4, {"proxy": "ok", "identity": "fail"})
    check("via the proxy" in c["proxy"][1], "via the proxy", r)


# ============================================================================
# models, profiles
# ============================================================================
def columns(r, head):
    lines = r.stdout.splitlines()
    check(lines and lines[0].split() == head, "header %s" % head, r)
    starts = [lines[0].index(h) for h in head]
    for ln in lines[1:]:
        for k, s in enumerate(starts):
            check(len(ln) > s and ln[s] != " " and (s == 0 or ln[s - 2:s] == "  "),
                  "column %s not aligned in %r" % (head[k], ln), r)
        check(ln == ln.rstrip(), "trailing blanks", r)
    return [[ln[s:(starts[k + 1] if k + 1 < len(starts) else None)].strip()
             for k, s in enumerate(starts)] for ln in lines[1:]]


def t_models_table():
    r = run(["models"])
    check(r.rc == 0 and r.err == b"", "models ok", r)
    rows = columns(r, ["ID", "NAME", "LIFECYCLE", "STREAMING", "INFERENCE"])
    byid = {row[0]: row for row in rows}
    check(byid["anthropic.claude-sonnet-4-6"][1:] ==
          ["Claude Sonnet 4.6", "ACTIVE", "yes", "INFERENCE_PROFILE"], "sonnet row", rows)
    check(byid["anthropic.claude-3-haiku-20240307-v1:0"][2:] == ["LEGACY", "yes", "ON_DEMAND"],
          "legacy haiku", rows)
    check(all(i.startswith("anthropic.") for i in byid), "Claude only", rows)
    reqs = G.sim.reqs("bedrock")
    check(len(reqs) == 1 and reqs[0]["body"].get("byProvider") == "Anthropic"
          and reqs[0]["auth"]["ok"], "one signed request byProvider=Anthropic", reqs)


def t_models_json():
    r = run(["models", "--output", "json"])
    check(r.rc == 0, "rc", r)
    doc = json.loads(r.stdout)
    check(isinstance(doc, list) and len(doc) >= 8, "a JSON array", r)
    m = {d["id"]: d for d in doc}["anthropic.claude-sonnet-4-6"]
    check(m == {"id": "anthropic.claude-sonnet-4-6", "name": "Claude Sonnet 4.6",
                "lifecycle": "ACTIVE", "streaming": True, "inference": ["INFERENCE_PROFILE"]},
          "sonnet object", m)
    tr = run(["models"])
    check(len(tr.stdout.splitlines()) - 1 == len(doc), "same rows as the table", tr)


def t_profiles_table():
    r = run(["profiles"])
    check(r.rc == 0 and r.err == b"", "profiles ok", r)
    rows = columns(r, ["ID", "STATUS", "TYPE", "REGIONS"])
    byid = {row[0]: row for row in rows}
    check(byid[DEFAULT_MODEL][1:] == ["ACTIVE", "SYSTEM_DEFINED",
                                      "us-east-1,us-east-2,us-west-2"], "us profile", rows)
    g = byid["global.anthropic.claude-sonnet-4-6"]
    check("any commercial region" in g[3], "global profile", rows)
    reqs = [q for q in G.sim.reqs("bedrock") if q["op"] == "ListInferenceProfiles"]
    types = [q["body"].get("type") for q in reqs]
    check(types == ["SYSTEM_DEFINED", "APPLICATION"], "both types listed", types)


def t_profiles_json_and_paging():
    r = run(["profiles", "--output", "json"])
    check(r.rc == 0, "rc", r)
    whole = json.loads(r.stdout)
    p = {d["id"]: d for d in whole}[DEFAULT_MODEL]
    check(p["regions"] == ["us-east-1", "us-east-2", "us-west-2"] and p["status"] == "ACTIVE"
          and p["model"] == DEFAULT_MODEL.split(".", 1)[1] and p["global"] is False
          and p["type"] == "SYSTEM_DEFINED", "profile object", p)
    G.sim.call("DELETE", "/_sim/requests")
    r = run(["profiles", "--output", "json", "--page-size", "4"])
    check(r.rc == 0, "rc", r)
    paged = json.loads(r.stdout)
    check(paged == whole, "paged listing equals the whole one", r)
    reqs = [q for q in G.sim.reqs("bedrock") if q["op"] == "ListInferenceProfiles"]
    sysreq = [q for q in reqs if q["body"].get("type") == "SYSTEM_DEFINED"]
    pages = (len(whole) + 3) // 4
    check(len(sysreq) == pages and all(q["body"].get("maxResults") == "4" for q in sysreq),
          "%d pages of 4" % pages, reqs)
    check(sum(1 for q in sysreq if "nextToken" in q["body"]) == pages - 1, "nextToken followed",
          reqs)
    check(all(q["status"] == 200 for q in reqs), "every page accepted", reqs)


def t_models_no_credentials():
    r = run(["models"], env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None))
    check(r.rc == 3 and r.out == b"", "exit 3", r)


def t_models_unreachable():
    r = run(["models"], env(AWS_ENDPOINT_URL_BEDROCK="https://localhost:1"))
    check(r.rc == 4 and "fix:" in r.stderr, "exit 4 with a fix", r)


def t_models_bearer():
    r = run(["models", "--output", "json"], env(AWS_BEARER_TOKEN_BEDROCK=BEARER))
    check(r.rc == 0 and len(json.loads(r.stdout)) >= 8, "API key accepted", r)
    reqs = G.sim.reqs("bedrock")
    check(reqs and reqs[-1]["auth"].get("scheme") == "bearer", "sent as Bearer", reqs)


def t_debug_trace_redacted():
    r = doctor("--debug", AWS_ACCESS_KEY_ID=SESSION[0], AWS_SECRET_ACCESS_KEY=SESSION[1],
               AWS_SESSION_TOKEN=SESSION[2])
    expect(r, 0, {n: "ok" for n in CHECKS})
    check("temporary (session token)" in r.report()[0]["credentials"][1], "session creds", r)
    check(re.search(r"(?i)authorization: \[redacted\]", r.stderr), "trace shows the heads", r)
    check(SESSION[2] not in r.stderr and SESSION[1] not in r.stderr, "no secret in the trace", r)


def t_no_secret_in_any_output():
    leaks = []
    for test, out, err in G.outputs:
        for s in SECRETS:
            if s.encode() in out or s.encode() in err:
                leaks.append("%s: %s..." % (test, s[:6]))
    check(G.outputs, "no outputs recorded")
    check(not leaks, "secrets printed: %s" % leaks)


TESTS = [(n[2:], f) for n, f in list(globals().items()) if n.startswith("t_") and callable(f)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "bedrock-claude"))
    ap.add_argument("-k", dest="only", default=None, help="run tests whose name contains this")
    ap.add_argument("-v", dest="verbose", action="store_true")
    a = ap.parse_args()
    G.bin = os.path.abspath(a.bin)
    selected = [(n, f) for n, f in TESTS if a.only is None or a.only in n
                or n == "no_secret_in_any_output"]
    passed = failed = 0
    if not os.access(G.bin, os.X_OK):
        sys.stderr.write("FAIL setup: %s is not an executable (run make)\n" % G.bin)
        print("e2e-doctor: 0 passed, 1 failed", flush=True)
        return 1
    G.tmp = tempfile.mkdtemp(prefix="bedrock-e2e-doctor.")
    try:
        try:
            G.sim = Sim(G.tmp, ["--cred", "%s:%s" % KEY, "--cred", "%s:%s:%s" % SESSION,
                                "--bearer-token", BEARER])
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            sys.stderr.write("FAIL setup: %s\n" % e)
            print("e2e-doctor: 0 passed, 1 failed", flush=True)
            return 1
        for i, (name, fn) in enumerate(selected):
            G.current = name
            G.home = os.path.join(G.tmp, "home.%02d" % i)
            os.makedirs(G.home)
            pos = G.sim.log_size()
            t0 = time.monotonic()
            try:
                G.sim.call("POST", "/_sim/reset")
                fn()
            except Fail as e:
                failed += 1
                sys.stderr.write("FAIL %s: %s\n" % (name, e))
                if a.verbose:
                    sys.stderr.write("  simulator log:\n" + "".join(
                        "    " + l + "\n" for l in G.sim.log_since(pos).splitlines()[-15:]))
            except Exception as e:  # a bug in the test
                failed += 1
                sys.stderr.write("FAIL %s: test error: %s: %s\n" % (name, type(e).__name__, e))
                if a.verbose:
                    sys.stderr.write("  " + traceback.format_exc().strip().replace("\n", "\n  ") + "\n")
            else:
                passed += 1
                if a.verbose:
                    print("ok %s (%.2fs)" % (name, time.monotonic() - t0), flush=True)
            sys.stderr.flush()
    finally:
        if G.sim is not None:
            G.sim.stop()
        shutil.rmtree(G.tmp, ignore_errors=True)
    print("e2e-doctor: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
