#!/usr/bin/env python3
"""End-to-end tests of the AWS credential chain, region and endpoint
resolution: the static bedrock-claude binary against the simulator.

    python3 tests/e2e_creds.py [--bin ./bedrock-claude] [-k SUBSTRING] [-v]

Starts ONE simulator (tests/sim/bedrock_sim.py --http-port 0, so that IMDS and
the container endpoint are served too), runs every test against it (resetting
it in between), stops it, and prints one summary line,
`e2e-creds: N passed, M failed`.  Exit status 0 iff nothing failed.  A failing
test prints `FAIL name: reason` on stderr; -v also prints `ok name` lines and,
for failures, what the simulator logged meanwhile.

Each test gets a fresh HOME with its own ~/.aws/config and ~/.aws/credentials
(written by the test), and every run of the binary an environment built from
scratch (PATH, HOME, the simulator's CA and endpoints, AWS_REGION and
AWS_EC2_METADATA_DISABLED=true unless the test is about them), stdin from
/dev/null and a timeout.  Which credentials signed the Bedrock call is read
from the simulator's request log (the SigV4 verdict names the access key).

Endpoints that name real AWS hosts (the default bedrock-runtime host, FIPS,
dual-stack, a VPC endpoint) are tested without any network: the run goes
through a local HTTPS proxy (started here) that answers CONNECT for those
names with a certificate from the simulator's test CA and relays the bytes to
the simulator.  A CONNECT to any other name is refused.

Python 3 standard library only (plus the `openssl` command, which the
simulator needs anyway).
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIM_PY = os.path.join(HERE, "sim", "bedrock_sim.py")
TIMEOUT = 15          # seconds for any one run of the binary
ACCOUNT = "123456789012"

# Long-term keys the simulator knows (given on its command line, so they
# survive /_sim/reset); one per place a test may put them, so the request log
# tells which source signed.
KEYS = {
    "env": ("AKIDE2EENVKEY0000001", "envSecret/KEY+e2eCREDS0000000000000001"),
    "file": ("AKIDE2EFILEKEY000001", "fileSecret/KEY+e2eCREDS000000000000001"),
    "conf": ("AKIDE2ECONFKEY000001", "confSecret/KEY+e2eCREDS000000000000001"),
    "base": ("AKIDE2EBASEKEY000001", "baseSecret/KEY+e2eCREDS000000000000001"),
    "alt": ("AKIDE2EALTKEY0000001", "altSecret/KEY+e2eCREDS0000000000000001"),
}
SESSION = ("ASIAE2ESESSION000001", "sessSecret/KEY+e2eCREDS000000000000001",
           "IQoJb3JpZ2luX2VjE2Ee2eSESSIONtoken/Zm9vYmFy+QmVkcm9jaw==")
BEARER = "ABSKQmVkcm9ja0FQSUtleS1lMmUtY3JlZHM=e2eBearerToken0001"
WRONG_BEARER = "ABSKQmVkcm9ja0FQSUtleS1XUk9ORw==e2eWrongBearer00001"
ANSWER = "Hello from the Bedrock simulator. You said: hi"
TOKEN_PREFIX = "IQoJb3JpZ2luX2Vj"   # every session token the simulator mints

# Everything secret the tests know of; more are added as tests mint them.
SECRETS = set([v[1] for v in KEYS.values()] + [SESSION[1], SESSION[2], BEARER, WRONG_BEARER])

# Real AWS host names the proxy stands in for (see the module docstring).
VPCE_HOST = "vpce-0abc123def4567890-xyz12345.bedrock-runtime.us-east-1.vpce.amazonaws.com"
MITM_HOSTS = ("bedrock-runtime.us-east-1.amazonaws.com",
              "bedrock-runtime-fips.us-east-1.amazonaws.com",
              "bedrock-runtime.us-east-1.api.aws",
              "bedrock-runtime-fips.us-east-1.api.aws",
              VPCE_HOST,
              "sts.us-east-1.amazonaws.com", "sts.amazonaws.com",
              "portal.sso.us-east-1.amazonaws.com", "oidc.us-east-1.amazonaws.com")


def role(name):
    return "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)


# ============================================================================
# Harness
# ============================================================================
class Fail(Exception):
    pass


class G:  # run-wide state
    bin = sim = tmp = home = current = proxy = only = None
    outputs = []   # (test, stdout, stderr) of every run


def check(cond, msg, r=None):
    if not cond:
        raise Fail(msg + ("" if r is None else "; %r" % r))


def redact(b):
    for s in sorted(SECRETS, key=len, reverse=True):
        b = b.replace(s.encode(), b"<SECRET>")
    return b


class Result:
    def __init__(self, rc, out, err, elapsed):
        self.rc, self.out, self.err, self.elapsed = rc, out, err, elapsed

    @property
    def stdout(self):
        return self.out.decode("utf-8", "replace")

    @property
    def stderr(self):
        return self.err.decode("utf-8", "replace")

    def verbose(self):
        """The --verbose lines: region, its source, endpoint, its source,
        credentials source, profile and the profile's source."""
        m = re.search(r"region (\S+) \(from ([^)]*)\); endpoint (\S+) \(([^)]*)\)", self.stderr)
        c = re.search(r"credentials: (.*); profile (\S+) \(([^)]*)\); trust ", self.stderr)
        check(m is not None and c is not None, "no --verbose region/credentials lines", self)
        return dict(region=m.group(1), region_from=m.group(2), endpoint=m.group(3),
                    endpoint_from=m.group(4), creds=c.group(1), profile=c.group(2),
                    profile_from=c.group(3))

    def __repr__(self):
        return "rc=%r stdout=%r stderr=%r" % (self.rc, redact(self.out[:300]), redact(self.err[:900]))


class Sim:
    """One simulator process (HTTPS + plain HTTP) and its control API."""

    def __init__(self, workdir, extra_args=()):
        self.dir = os.path.join(workdir, "sim")
        self.log_path = os.path.join(workdir, "sim.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, SIM_PY, "--dir", self.dir, "--port", "0", "--http-port", "0"]
            + list(extra_args),
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
        m = re.match(rb"READY port=(\d+) ca=(\S+) http_port=(\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError("unexpected first line from the simulator: %r" % line)
        self.port, self.ca, self.http_port = int(m.group(1)), m.group(2).decode(), int(m.group(3))
        self.endpoint = "https://localhost:%d" % self.port
        self.http = "http://127.0.0.1:%d" % self.http_port
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

    def creds(self):
        return {c["access_key_id"]: c for c in self.call("GET", "/_sim/creds")}

    def mint(self, expires_in=3600):
        doc = self.call("POST", "/_sim/creds", {"mint": True, "expires_in": expires_in})
        SECRETS.update([doc["SecretAccessKey"], doc["SessionToken"]])
        return doc

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


# ---- a small HTTP proxy (CONNECT), in threads --------------------------------
_LEAF_CONF = """
[ ca ]
default_ca = c
[ c ]
dir = {tmp}
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
[ p ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = {san}
"""


def issue_leaf(sim_dir, out_dir, hosts):
    """A leaf for `hosts` signed by the simulator's test CA (not-before a day
    back, as the simulator does it)."""
    tmp = tempfile.mkdtemp(prefix="leaf.", dir=out_dir)
    conf = os.path.join(tmp, "ca.cnf")
    with open(conf, "w") as fh:
        fh.write(_LEAF_CONF.format(tmp=tmp, san=", ".join("DNS:" + h for h in hosts)))
    open(os.path.join(tmp, "index.txt"), "w").close()
    with open(os.path.join(tmp, "serial"), "w") as fh:
        fh.write("%032X\n" % (random.getrandbits(124) | 1 << 124))
    key, crt, csr = (os.path.join(out_dir, n) for n in ("mitm.key", "mitm.pem", "mitm.csr"))

    def ossl(*args):
        p = subprocess.run(("openssl",) + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        if p.returncode != 0:
            raise RuntimeError("openssl %s: %s" % (args[0], p.stderr.decode(errors="replace")))
    ossl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
    ossl("req", "-new", "-key", key, "-subj", "/CN=" + hosts[0], "-out", csr, "-config", conf)
    t = time.time()
    ossl("ca", "-batch", "-notext", "-config", conf, "-in", csr, "-out", crt, "-extensions", "leaf",
         "-startdate", time.strftime("%y%m%d%H%M%SZ", time.gmtime(t - 86400)),
         "-enddate", time.strftime("%y%m%d%H%M%SZ", time.gmtime(t + 7 * 86400)),
         "-cert", os.path.join(sim_dir, "ca.pem"), "-keyfile", os.path.join(sim_dir, "ca.key"))
    shutil.rmtree(tmp, ignore_errors=True)
    return crt, key


def _relay(a, b):
    """Copy bytes both ways until either side closes (one thread: an SSL
    object must not be read and written from two threads at once)."""
    socks = [a, b]
    try:
        while True:
            ready = [s for s in socks if isinstance(s, ssl.SSLSocket) and s.pending()]
            if not ready:
                ready = select.select(socks, [], [], 30)[0]
                if not ready:
                    return
            for s in ready:
                # readable may be only TLS 1.3 session tickets: a blocking
                # recv would then wait for data that is not coming
                s.setblocking(False)
                try:
                    data = s.recv(65536)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    continue
                finally:
                    s.setblocking(True)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except (OSError, ssl.SSLError):
        return


class Proxy:
    """HTTP proxy on 127.0.0.1.  It records the first line of every request.
    CONNECT localhost:SIMPORT is tunnelled as is; CONNECT to one of
    MITM_HOSTS:443 is answered with TLS (a leaf from the test CA) and relayed
    to the simulator; anything else (another CONNECT target, a plain-HTTP
    request such as IMDS through a proxy) gets 502."""

    def __init__(self, sim, leaf):
        self.sim, self.seen, self.lock, self.errors = sim, [], threading.Lock(), []
        self.srv_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.srv_ctx.load_cert_chain(*leaf)
        self.srv_ctx.set_alpn_protocols(["http/1.1"])
        self.up_ctx = ssl.create_default_context(cafile=sim.ca)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closing:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        up = None
        try:
            c.settimeout(30)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                d = c.recv(4096)
                if not d:
                    return
                head += d
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            with self.lock:
                self.seen.append(line)
            parts = line.split()
            if len(parts) < 2 or parts[0] != "CONNECT":
                c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            host, _, port = parts[1].rpartition(":")
            if host in ("localhost", "127.0.0.1") and port == str(self.sim.port):
                up = socket.create_connection(("127.0.0.1", self.sim.port), timeout=30)
                c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                _relay(c, up)
            elif host in MITM_HOSTS and port == "443":
                c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                c = self.srv_ctx.wrap_socket(c, server_side=True)
                up = self.up_ctx.wrap_socket(
                    socket.create_connection(("127.0.0.1", self.sim.port), timeout=30),
                    server_hostname="localhost")
                _relay(c, up)
            else:
                c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        except (OSError, ssl.SSLError) as e:
            self.errors.append("%s: %s" % (type(e).__name__, e))
        finally:
            for s in (c, up):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def take(self):
        with self.lock:
            out, self.seen = self.seen, []
        return out

    def close(self):
        self.closing = True
        self.sock.close()


# ---- running the binary -------------------------------------------------------
def env(**overrides):
    """A clean environment without credentials: PATH, HOME, the simulator's
    CA and endpoints, AWS_REGION, IMDS disabled.  None removes a variable."""
    e = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": G.home,
        "AWS_CA_BUNDLE": G.sim.ca,
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": G.sim.endpoint,
        "AWS_ENDPOINT_URL_STS": G.sim.endpoint,
        "AWS_ENDPOINT_URL_SSO": G.sim.endpoint,
        "AWS_ENDPOINT_URL_SSO_OIDC": G.sim.endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for k, v in overrides.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def env_keys(which="env", **overrides):
    akid, secret = KEYS[which]
    o = dict(AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret)
    o.update(overrides)
    return env(**o)


def imds_env(**overrides):
    o = dict(AWS_EC2_METADATA_DISABLED=None, AWS_EC2_METADATA_SERVICE_ENDPOINT=G.sim.http)
    o.update(overrides)
    return env(**o)


def run(args, e, timeout=TIMEOUT):
    t0 = time.monotonic()
    try:
        p = subprocess.run([G.bin] + list(args), env=e, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as x:
        G.outputs.append((G.current, x.stdout or b"", x.stderr or b""))
        raise Fail("hang: %r did not exit within %d s (stderr so far %r)"
                   % (args[:4], timeout, redact((x.stderr or b"")[:300])))
    r = Result(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
    G.outputs.append((G.current, p.stdout, p.stderr))
    return r


def ask(e, *extra, timeout=TIMEOUT):
    """--verbose -p hi [extra...] with environment e."""
    return run(["--verbose"] + list(extra) + ["-p", "hi"], e, timeout=timeout)


def write(path, text, mode=0o600):
    path = path.replace("~", G.home, 1) if path.startswith("~") else path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)
    os.chmod(path, mode)
    return path


def aws_files(config=None, credentials=None):
    if config is not None:
        write("~/.aws/config", config)
    if credentials is not None:
        write("~/.aws/credentials", credentials)


def keys_ini(which, header):
    akid, secret = KEYS[which]
    return "%s\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (header, akid, secret)


# ---- expectations --------------------------------------------------------------
def expect_ok(r):
    check(r.rc == 0, "exit %r, want 0" % r.rc, r)
    check(r.out == (ANSWER + "\n").encode(), "stdout is not the answer", r)


def expect_fail(r, rc, *needles, foreign=()):
    """Exit rc, nothing on stdout, every stderr line ours ('bedrock-claude:
    ...' or the tried-sources list) except lines containing a `foreign`
    string (a credential_process's own stderr), and every needle in it."""
    check(r.rc == rc, "exit %r, want %d" % (r.rc, rc), r)
    check(r.out == b"", "stdout should be empty", r)
    lines = [l for l in r.stderr.splitlines() if not any(f in l for f in foreign)]
    check(lines and all(l.startswith("bedrock-claude: ") or l.startswith("  - ") for l in lines),
          "stderr lines should be 'bedrock-claude: ...' (or the tried-sources list)", r)
    low = r.stderr.lower()
    for n in needles:
        check(n.lower() in low, "stderr lacks %r" % n, r)


def bedrock_calls():
    return G.sim.reqs("bedrock-runtime")


def signed_by(r, akid=None, token=None):
    """Exactly one Bedrock call, SigV4-verified, by akid (or any key if None);
    returns the access key that signed it."""
    reqs = bedrock_calls()
    check(len(reqs) == 1, "want 1 Bedrock call at the simulator, got %d" % len(reqs), r)
    a = reqs[0]["auth"] or {}
    check(a.get("ok") and a.get("scheme") == "sigv4", "the Bedrock call did not pass SigV4: %r" % (a,), r)
    if akid is not None:
        check(a["access_key"] == akid, "signed by %s, want %s" % (a["access_key"], akid), r)
    if token is not None:
        check(a["session_token"] == token, "session token sent: %r, want %r" % (a["session_token"], token), r)
    return a["access_key"]


def minted(akid, source=None, arn_part=None):
    """akid is a temporary key the simulator minted (by `source`, for a
    principal whose ARN contains arn_part)."""
    c = G.sim.creds().get(akid)
    check(c is not None, "%s is not a key the simulator knows" % akid)
    if source is not None:
        check(c["source"] == source, "%s was minted by %r, want %r" % (akid, c["source"], source))
    if arn_part is not None:
        check(arn_part in c["arn"], "%s belongs to %s, want ...%s..." % (akid, c["arn"], arn_part))
    return c


def sts_calls(action=None):
    return [q for q in G.sim.reqs("sts") if action is None or q.get("action") == action]


def nothing_at(*services):
    for s in services:
        check(G.sim.reqs(s) == [], "unexpected %s requests at the simulator" % s)


def make_jwt(iss="https://oidc.e2e.example.com/id/ABC123", sub="system:serviceaccount:ns:app"):
    def part(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    tok = "%s.%s.%s" % (part({"alg": "RS256", "typ": "JWT", "kid": "k1"}),
                        part({"iss": iss, "sub": sub, "aud": "sts.amazonaws.com",
                              "exp": int(time.time()) + 3600, "iat": int(time.time())}),
                        base64.urlsafe_b64encode(os.urandom(64)).decode().rstrip("="))
    SECRETS.add(tok)
    SECRETS.add(tok.rsplit(".", 1)[1])
    return tok


def harvest_http_creds(path, headers=None):
    """Read what IMDS / the container endpoint hands out (the same set it
    gave the binary), so the final sweep knows those secrets too."""
    if path.startswith("/latest/"):
        req = urllib.request.Request(G.sim.http + "/latest/api/token", method="PUT",
                                     headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            tok = resp.read().decode()
        headers = {"X-aws-ec2-metadata-token": tok}
    req = urllib.request.Request(G.sim.http + path, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        doc = json.loads(resp.read().decode())
    SECRETS.update([doc["SecretAccessKey"], doc["Token"]])
    return doc


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


TESTS = []


def test(fn):
    TESTS.append((fn.__name__, fn))
    return fn


# ============================================================================
# 1. Every source alone
# ============================================================================
@test
def src_env_keys():
    r = ask(env_keys())
    expect_ok(r)
    signed_by(r, KEYS["env"][0], token=False)
    v = r.verbose()
    check(v["creds"] == "environment (AWS_ACCESS_KEY_ID)", "source %r" % v["creds"], r)
    nothing_at("sts", "imds", "container")


@test
def src_env_keys_with_session_token():
    r = ask(env(AWS_ACCESS_KEY_ID=SESSION[0], AWS_SECRET_ACCESS_KEY=SESSION[1],
                AWS_SESSION_TOKEN=SESSION[2]))
    expect_ok(r)
    signed_by(r, SESSION[0], token=True)
    check("AWS_SESSION_TOKEN" in r.verbose()["creds"], "source should mention the token", r)


@test
def src_credentials_file_default():
    aws_files(credentials=keys_ini("file", "[default]"))
    r = ask(env())
    expect_ok(r)
    signed_by(r, KEYS["file"][0], token=False)
    v = r.verbose()
    check(v["profile"] == "default" and v["profile_from"] == "default", "profile %r" % v, r)
    check("static keys in ~/.aws/credentials" in v["creds"], "source %r" % v["creds"], r)


@test
def src_config_profile_by_aws_profile_and_flag():
    aws_files(config=keys_ini("conf", "[profile x]"), credentials=keys_ini("file", "[default]"))
    r = ask(env(AWS_PROFILE="x"))
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])
    v = r.verbose()
    check((v["profile"], v["profile_from"]) == ("x", "AWS_PROFILE"), "profile %r" % v, r)
    check("static keys in ~/.aws/config" in v["creds"], "source %r" % v["creds"], r)
    G.sim.call("POST", "/_sim/reset")
    r = ask(env(), "--profile", "x")
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])
    v = r.verbose()
    check((v["profile"], v["profile_from"]) == ("x", "--profile"), "profile %r" % v, r)


@test
def src_shared_files_at_other_paths():
    # decoys at the default places: must not be read
    aws_files(config=keys_ini("alt", "[profile x]"), credentials=keys_ini("alt", "[default]"))
    other = os.path.join(G.home, "elsewhere")
    write(os.path.join(other, "creds"), keys_ini("file", "[default]"))
    write(os.path.join(other, "conf"), keys_ini("conf", "[profile x]"))
    for credfile in (os.path.join(other, "creds"), "~/elsewhere/creds"):
        G.sim.call("POST", "/_sim/reset")
        r = ask(env(AWS_SHARED_CREDENTIALS_FILE=credfile))
        expect_ok(r)
        signed_by(r, KEYS["file"][0])
    for conffile in (os.path.join(other, "conf"), "~/elsewhere/conf"):
        G.sim.call("POST", "/_sim/reset")
        r = ask(env(AWS_CONFIG_FILE=conffile, AWS_SHARED_CREDENTIALS_FILE=os.path.join(other, "none"),
                    AWS_PROFILE="x"))
        expect_ok(r)
        signed_by(r, KEYS["conf"][0])


@test
def src_web_identity_env():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-web"), "trust": ["web-identity"]})
    tokfile = write("~/token.jwt", make_jwt() + "\n")
    r = ask(env(AWS_ROLE_ARN=role("e2e-web"), AWS_WEB_IDENTITY_TOKEN_FILE=tokfile,
                AWS_ROLE_SESSION_NAME="e2e-wi-session"))
    expect_ok(r)
    sts = sts_calls()
    check(len(sts) == 1 and sts[0]["action"] == "AssumeRoleWithWebIdentity", "STS calls %r"
          % [q.get("action") for q in sts])
    q = sts[0]
    check(q["status"] == 200, "STS answered %r" % q["status"])
    check(q["body"].get("RoleSessionName") == "e2e-wi-session", "RoleSessionName %r" % q["body"])
    check(q["body"].get("RoleArn") == role("e2e-web"), "RoleArn %r" % q["body"])
    check("authorization" not in q["headers"], "AssumeRoleWithWebIdentity must not be signed")
    check(q["auth"] == {"scheme": "anonymous", "ok": True}, "auth %r" % q["auth"])
    akid = signed_by(r, token=True)
    minted(akid, "sts", "assumed-role/e2e-web/e2e-wi-session")
    check("web identity token" in r.verbose()["creds"], "source %r" % r.verbose()["creds"], r)


@test
def src_web_identity_env_default_session_name():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-web"), "trust": ["web-identity"]})
    tokfile = write("~/token.jwt", make_jwt())
    r = ask(env(AWS_ROLE_ARN=role("e2e-web"), AWS_WEB_IDENTITY_TOKEN_FILE=tokfile))
    expect_ok(r)
    sn = sts_calls()[0]["body"].get("RoleSessionName", "")
    check(re.fullmatch(r"[\w+=,.@-]{2,64}", sn) is not None, "generated session name %r" % sn)


@test
def src_web_identity_profile():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-web"),
                                       "trust": ["arn:aws:iam::%s:oidc-provider/oidc.e2e.example.com/id/ABC123"
                                                 % ACCOUNT]})
    tokfile = write("~/tok/web.jwt", make_jwt())
    aws_files(config="[profile w]\nrole_arn = %s\nweb_identity_token_file = %s\n"
                     "role_session_name = e2e-prof-session\n" % (role("e2e-web"), tokfile))
    r = ask(env(AWS_PROFILE="w"))
    expect_ok(r)
    q = sts_calls()
    check([x["action"] for x in q] == ["AssumeRoleWithWebIdentity"], "STS calls %r" % q)
    check(q[0]["body"].get("RoleSessionName") == "e2e-prof-session", "session %r" % q[0]["body"])
    minted(signed_by(r, token=True), "sts", "assumed-role/e2e-web/e2e-prof-session")


@test
def src_role_source_profile():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [KEYS["base"][0]]})
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = base\nrole_session_name = e2e-r\n"
                     % role("e2e-RA"),
              credentials=keys_ini("base", "[base]"))
    r = ask(env(AWS_PROFILE="r"))
    expect_ok(r)
    q = sts_calls()
    check([x["action"] for x in q] == ["AssumeRole"], "STS calls %r" % [x["action"] for x in q])
    check(q[0]["auth"]["ok"] and q[0]["auth"]["access_key"] == KEYS["base"][0],
          "AssumeRole should be signed with the base keys: %r" % q[0]["auth"])
    check(q[0]["body"]["RoleArn"] == role("e2e-RA"), "RoleArn %r" % q[0]["body"])
    akid = signed_by(r, token=True)
    check(akid != KEYS["base"][0], "Bedrock must be signed with the role's keys", r)
    minted(akid, "sts", "assumed-role/e2e-RA/e2e-r")
    v = r.verbose()["creds"]
    check(role("e2e-RA") in v and "base" in v, "source %r" % v, r)


@test
def src_role_credential_source_environment():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [KEYS["env"][0]]})
    aws_files(config="[profile r]\nrole_arn = %s\ncredential_source = Environment\n" % role("e2e-RA"))
    # --profile: the environment step is skipped, the role's source reads it
    r = ask(env_keys(), "--profile", "r")
    expect_ok(r)
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["auth"]["access_key"] == KEYS["env"][0], "AssumeRole auth %r"
          % [x["auth"] for x in q])
    minted(signed_by(r, token=True), "sts", "assumed-role/e2e-RA/")


@test
def src_role_credential_source_ecs_container():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [role("sim-task-role")]})
    aws_files(config="[profile r]\nrole_arn = %s\ncredential_source = EcsContainer\n" % role("e2e-RA"))
    r = ask(env(AWS_PROFILE="r", AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/creds"))
    expect_ok(r)
    check(len(G.sim.reqs("container")) == 1, "one container request")
    doc = harvest_http_creds("/creds")
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["auth"]["access_key"] == doc["AccessKeyId"],
          "AssumeRole should be signed with the container's keys")
    minted(signed_by(r, token=True), "sts", "assumed-role/e2e-RA/")


@test
def src_role_credential_source_ec2_instance_metadata():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [role("sim-instance-role")]})
    aws_files(config="[profile r]\nrole_arn = %s\ncredential_source = Ec2InstanceMetadata\n"
                     % role("e2e-RA"))
    r = ask(imds_env(AWS_PROFILE="r"))
    expect_ok(r)
    doc = harvest_http_creds("/latest/meta-data/iam/security-credentials/sim-instance-role")
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["auth"]["access_key"] == doc["AccessKeyId"],
          "AssumeRole should be signed with the instance's keys")
    minted(signed_by(r, token=True), "sts", "assumed-role/e2e-RA/")


@test
def src_container_full_uri():
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/v2/credentials/e2e"))
    expect_ok(r)
    c = G.sim.reqs("container")
    check(len(c) == 1 and c[0]["path"] == "/v2/credentials/e2e" and c[0]["status"] == 200,
          "container requests %r" % c)
    check("authorization" not in c[0]["headers"], "no token configured: no Authorization header")
    doc = harvest_http_creds("/v2/credentials/e2e")
    signed_by(r, doc["AccessKeyId"], token=True)
    check(r.verbose()["creds"].startswith("container endpoint http://127.0.0.1:"),
          "source %r" % r.verbose()["creds"], r)
    nothing_at("imds", "sts")


@test
def src_container_authorization_token():
    tok = "e2e-container-token-Zm9vYmFyYmF6"
    SECRETS.add(tok)
    G.sim.call("POST", "/_sim/container", {"token": tok, "format": "eks"})
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/v1/credentials",
                AWS_CONTAINER_AUTHORIZATION_TOKEN=tok))
    expect_ok(r)
    c = G.sim.reqs("container")
    check(len(c) == 1 and (c[0]["auth"] or {}).get("ok"), "container auth %r" % c)
    doc = harvest_http_creds("/v1/credentials", {"Authorization": tok})
    signed_by(r, doc["AccessKeyId"], token=True)


@test
def src_container_authorization_token_file():
    tok = "e2e-container-token-file-YmF6cXV4"
    SECRETS.update([tok, "e2e-wrong-container-token"])
    G.sim.call("POST", "/_sim/container", {"token": tok})
    tf = write("~/eks/token", tok + "\n")
    # the file wins over the variable (EKS Pod Identity rotates the file)
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/v1/credentials",
                AWS_CONTAINER_AUTHORIZATION_TOKEN="e2e-wrong-container-token",
                AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=tf))
    expect_ok(r)
    check(G.sim.reqs("container")[0]["auth"]["ok"], "container auth")
    harvest_http_creds("/v1/credentials", {"Authorization": tok})
    signed_by(r, token=True)


@test
def src_container_wrong_token():
    tok = "e2e-container-token-right-cXV4"
    SECRETS.update([tok, "e2e-container-token-WRONG"])
    G.sim.call("POST", "/_sim/container", {"token": tok})
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/v1/credentials",
                AWS_CONTAINER_AUTHORIZATION_TOKEN="e2e-container-token-WRONG"))
    expect_fail(r, 3, "container endpoint", "403")
    check(bedrock_calls() == [], "no Bedrock call without credentials")


@test
def src_imds_alone():
    r = ask(imds_env())
    expect_ok(r)
    q = G.sim.reqs("imds")
    ops = [(x["method"], x["op"]) for x in q]
    # IMDSv2: a token first; it may be fetched once and reused, or per read
    check(ops[0] == ("PUT", "token") and [o for o in ops if o[1] != "token"]
          == [("GET", "role"), ("GET", "credentials")] and 1 <= ops.count(("PUT", "token")) <= 2,
          "IMDS sequence %r" % ops)
    check(all(x["status"] == 200 for x in q), "IMDS statuses %r" % [x["status"] for x in q])
    check(all(x["auth"]["scheme"] == "imds_token" for x in q if x["method"] == "GET"),
          "every IMDS GET must carry the IMDSv2 token")
    check(q[0]["headers"].get("x-aws-ec2-metadata-token-ttl-seconds"), "token TTL header")
    doc = harvest_http_creds("/latest/meta-data/iam/security-credentials/sim-instance-role")
    signed_by(r, doc["AccessKeyId"], token=True)
    check(r.verbose()["creds"] == "instance metadata, role sim-instance-role",
          "source %r" % r.verbose()["creds"], r)


# ---- SSO -----------------------------------------------------------------------
START_URL = "https://e2e-corp.awsapps.com/start"


def sso_setup(name, cache_key, expired=False, register_refresh=True, legacy=False):
    """Register an SSO session at the simulator and write the token cache the
    AWS CLI would have written.  Returns (cache path, tokens)."""
    t = dict(access="aoa-e2e-%s-%s" % (name, os.urandom(6).hex()),
             refresh="aor-e2e-%s-%s" % (name, os.urandom(6).hex()),
             client_id="e2e-client-%s" % name, client_secret="e2e-client-secret-%s" % os.urandom(6).hex())
    SECRETS.update([t["access"], t["refresh"], t["client_secret"]])
    reg = {"access_token": t["access"], "expires_in": 0 if expired else 3600,
           "client_id": t["client_id"], "client_secret": t["client_secret"],
           "account_id": "111122223333", "role_name": "Dev"}
    if register_refresh:
        reg["refresh_token"] = t["refresh"]
    G.sim.call("POST", "/_sim/sso", reg)
    cache = {"startUrl": START_URL, "region": "us-east-1", "accessToken": t["access"],
             "expiresAt": iso(time.time() + (-600 if expired else 3600)),
             "clientId": t["client_id"], "clientSecret": t["client_secret"],
             "registrationExpiresAt": iso(time.time() + 86400 * 30), "refreshToken": t["refresh"]}
    if legacy:
        for k in ("clientId", "clientSecret", "refreshToken", "registrationExpiresAt"):
            cache.pop(k)
    path = write("~/.aws/sso/cache/%s.json" % hashlib.sha1(cache_key.encode()).hexdigest(),
                 json.dumps(cache))
    return path, t


SSO_SESSION_CONFIG = """[profile s]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Dev
region = us-east-1

[sso-session corp]
sso_start_url = %s
sso_region = us-east-1
sso_registration_scopes = sso:account:access
""" % START_URL


@test
def src_sso_session():
    aws_files(config=SSO_SESSION_CONFIG)
    sso_setup("sess", "corp")
    r = ask(env(AWS_PROFILE="s"))
    expect_ok(r)
    q = G.sim.reqs("sso")
    check(len(q) == 1 and q[0]["status"] == 200 and q[0]["body"] == {"role_name": "Dev",
                                                                      "account_id": "111122223333"},
          "SSO portal calls %r" % q)
    nothing_at("sso-oidc", "sts")
    minted(signed_by(r, token=True), "sso", "AWSReservedSSO_Dev_")
    check(r.verbose()["creds"] == "SSO session corp, role Dev", "source %r" % r.verbose()["creds"], r)


@test
def src_sso_legacy():
    aws_files(config="[profile legacy]\nsso_start_url = %s\nsso_region = us-east-1\n"
                     "sso_account_id = 111122223333\nsso_role_name = Dev\n" % START_URL)
    sso_setup("legacy", START_URL, legacy=True)
    r = ask(env(AWS_PROFILE="legacy"))
    expect_ok(r)
    check(len(G.sim.reqs("sso")) == 1, "one SSO portal call")
    minted(signed_by(r, token=True), "sso", "AWSReservedSSO_Dev_")


@test
def src_sso_expired_token_refreshed():
    aws_files(config=SSO_SESSION_CONFIG)
    path, t = sso_setup("refresh", "corp", expired=True)
    ino = os.stat(path).st_ino
    r = ask(env(AWS_PROFILE="s"))
    expect_ok(r)
    oidc, portal = G.sim.reqs("sso-oidc"), G.sim.reqs("sso")
    check(len(oidc) == 1 and oidc[0]["status"] == 200, "one successful CreateToken: %r" % oidc)
    check(oidc[0]["body"].get("grantType") == "refresh_token"
          and oidc[0]["body"].get("clientId") == t["client_id"], "CreateToken body %r" % oidc[0]["body"])
    check(len(portal) == 1 and portal[0]["status"] == 200, "one successful portal call: %r" % portal)
    check(oidc[0]["time"] <= portal[0]["time"], "refresh first, then the portal")
    minted(signed_by(r, token=True), "sso")
    # the cache was rewritten atomically with the new token
    st = os.stat(path)
    check(stat.S_IMODE(st.st_mode) == 0o600, "cache mode %o, want 600" % stat.S_IMODE(st.st_mode))
    check(st.st_ino != ino, "the cache should be replaced by rename (same inode: rewritten in place)")
    with open(path) as fh:
        doc = json.load(fh)
    SECRETS.update([doc.get("accessToken", ""), doc.get("refreshToken", "")])
    check(doc["accessToken"] != t["access"] and doc["accessToken"].startswith("aoa"),
          "the cache should hold the new access token")
    check(doc.get("refreshToken", "").startswith("aor") and doc["refreshToken"] != t["refresh"],
          "the cache should hold the rotated refresh token")
    check(doc.get("clientId") == t["client_id"] and doc.get("clientSecret") == t["client_secret"]
          and doc.get("startUrl") == START_URL and doc.get("region") == "us-east-1",
          "the cache lost fields: %r" % sorted(doc))
    exp = time.mktime(time.strptime(doc["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    check(exp > time.time() + 600, "new expiresAt %r should be about an hour ahead" % doc["expiresAt"])
    leftovers = [f for f in os.listdir(os.path.dirname(path)) if f != os.path.basename(path)]
    check(leftovers == [], "temporary files left in the cache directory: %r" % leftovers)


@test
def src_sso_expired_refresh_refused():
    aws_files(config=SSO_SESSION_CONFIG)
    path, _ = sso_setup("refused", "corp", expired=True, register_refresh=False)
    before = open(path).read()
    r = ask(env(AWS_PROFILE="s"))
    expect_fail(r, 3, "aws sso login")
    check(G.sim.reqs("sso") == [], "no portal call with a dead token")
    check(bedrock_calls() == [], "no Bedrock call")
    check(open(path).read() == before, "a failed refresh must not touch the cache")


@test
def src_sso_no_cache():
    aws_files(config=SSO_SESSION_CONFIG)
    r = ask(env(AWS_PROFILE="s"))
    expect_fail(r, 3, "aws sso login --profile s")
    nothing_at("sso", "sso-oidc", "bedrock-runtime")


# ---- credential_process ----------------------------------------------------------
def process_profile(script_body, name="p"):
    sp = write("~/bin/creds-%s.sh" % name, "#!/bin/sh\n" + script_body, mode=0o700)
    aws_files(config="[profile %s]\ncredential_process = %s --flag \"a b\"\n" % (name, sp))
    return sp


@test
def src_credential_process():
    doc = G.sim.mint(3600)
    check("Expiration" in doc, "the minted set has an Expiration")
    cf = write("~/minted.json", json.dumps(doc))
    process_profile('[ "$1" = --flag ] && [ "$2" = "a b" ] || exit 9\ncat %s\n' % cf)
    r = ask(env(AWS_PROFILE="p"))
    expect_ok(r)
    signed_by(r, doc["AccessKeyId"], token=True)
    check(r.verbose()["creds"] == "credential_process of profile p", "source %r" % r.verbose()["creds"], r)


@test
def src_credential_process_static_keys():
    akid, secret = KEYS["alt"]
    process_profile("echo '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}'\n"
                    % (akid, secret))
    r = ask(env(AWS_PROFILE="p"))
    expect_ok(r)
    signed_by(r, akid, token=False)


@test
def src_credential_process_fails():
    process_profile("echo 'helper: something went wrong' >&2\nexit 1\n")
    r = ask(env(AWS_PROFILE="p"))
    # the helper's stderr is passed through (helpers prompt there)
    expect_fail(r, 3, "credential_process", "failed", "helper: something went wrong",
                foreign=("helper: something went wrong",))
    check(bedrock_calls() == [], "no Bedrock call")


@test
def src_credential_process_garbage():
    process_profile("echo 'this is not json {'\n")
    r = ask(env(AWS_PROFILE="p"))
    expect_fail(r, 3, "credential_process", "not JSON")
    check(bedrock_calls() == [], "no Bedrock call")


@test
def src_credential_process_wrong_version_and_missing_key():
    akid, secret = KEYS["alt"]
    process_profile("echo '{\"Version\": 2, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}'\n"
                    % (akid, secret))
    expect_fail(ask(env(AWS_PROFILE="p")), 3, "credential_process", "Version")
    process_profile("echo '{\"Version\": 1, \"AccessKeyId\": \"%s\"}'\n" % akid)
    expect_fail(ask(env(AWS_PROFILE="p")), 3, "credential_process", "SecretAccessKey")
    process_profile("exit 0\n")
    expect_fail(ask(env(AWS_PROFILE="p")), 3, "credential_process")
    check(bedrock_calls() == [], "no Bedrock call")


@test
def src_credential_process_not_found():
    aws_files(config="[profile p]\ncredential_process = /nonexistent/e2e-creds-helper\n")
    expect_fail(ask(env(AWS_PROFILE="p")), 3, "credential_process", "not found",
                foreign=("/nonexistent/e2e-creds-helper",))


@test
def src_credential_process_slow_but_finishing():
    # a helper that takes a second (an SSO/vault helper doing network I/O):
    # waited for, not cut short, and no hang after it exits
    doc = G.sim.mint(3600)
    cf = write("~/minted.json", json.dumps(doc))
    process_profile("sleep 1\ncat %s\n" % cf)
    r = ask(env(AWS_PROFILE="p"))
    expect_ok(r)
    signed_by(r, doc["AccessKeyId"])
    check(1.0 <= r.elapsed < 6, "took %.1f s" % r.elapsed, r)


# ============================================================================
# 2. Precedence
# ============================================================================
@test
def prec_env_beats_profile():
    aws_files(config=keys_ini("conf", "[default]"), credentials=keys_ini("file", "[default]"))
    r = ask(env_keys())
    expect_ok(r)
    signed_by(r, KEYS["env"][0])


@test
def prec_flag_profile_beats_env_keys_and_web_identity():
    aws_files(config=keys_ini("conf", "[profile x]"))
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-web"), "trust": ["*"]})
    tokfile = write("~/token.jwt", make_jwt())
    r = ask(env_keys(AWS_ROLE_ARN=role("e2e-web"), AWS_WEB_IDENTITY_TOKEN_FILE=tokfile),
            "--profile", "x")
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])
    nothing_at("sts")


@test
def prec_flag_profile_without_credentials_falls_through_to_container():
    """botocore (create_credential_resolver): an explicit profile removes only
    the environment provider; the container and IMDS providers stay, so
    `aws --profile prod` works on ECS/EC2 when prod only sets region/output."""
    aws_files(config="[profile prod]\nregion = us-east-1\n")
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/creds"), "--profile", "prod")
    check(r.rc == 0, "exit %r: --profile with a credential-less profile should fall through to the "
          "container endpoint (as the AWS CLI does)" % r.rc, r)
    doc = harvest_http_creds("/creds")
    signed_by(r, doc["AccessKeyId"])


@test
def prec_aws_profile_selects():
    aws_files(config=keys_ini("conf", "[profile b]"), credentials=keys_ini("file", "[default]"))
    r = ask(env(AWS_PROFILE="b"))
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])


@test
def prec_flag_beats_aws_profile():
    aws_files(config=keys_ini("conf", "[profile b]") + keys_ini("alt", "[profile c]"))
    r = ask(env(AWS_PROFILE="b"), "--profile", "c")
    expect_ok(r)
    signed_by(r, KEYS["alt"][0])


@test
def prec_web_identity_env_beats_profile():
    aws_files(credentials=keys_ini("file", "[default]"))
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-web"), "trust": ["web-identity"]})
    tokfile = write("~/token.jwt", make_jwt())
    r = ask(env(AWS_ROLE_ARN=role("e2e-web"), AWS_WEB_IDENTITY_TOKEN_FILE=tokfile,
                AWS_ROLE_SESSION_NAME="e2e-wins"))
    expect_ok(r)
    minted(signed_by(r), "sts", "e2e-web/e2e-wins")


@test
def prec_profile_beats_container():
    aws_files(credentials=keys_ini("file", "[default]"))
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/creds"))
    expect_ok(r)
    signed_by(r, KEYS["file"][0])
    nothing_at("container")


@test
def prec_container_beats_imds():
    r = ask(imds_env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/creds"))
    expect_ok(r)
    doc = harvest_http_creds("/creds")
    signed_by(r, doc["AccessKeyId"])
    nothing_at("imds")


@test
def prec_credentials_file_beats_config_file():
    aws_files(config=keys_ini("conf", "[default]"), credentials=keys_ini("file", "[default]"))
    r = ask(env())
    expect_ok(r)
    signed_by(r, KEYS["file"][0])
    check("~/.aws/credentials" in r.verbose()["creds"], "source %r" % r.verbose()["creds"], r)


@test
def prec_profile_default_beats_default_in_config():
    aws_files(config=keys_ini("alt", "[default]") + "\n" + keys_ini("conf", "[profile default]"))
    r = ask(env())
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])
    # and the other order in the file
    G.sim.call("POST", "/_sim/reset")
    aws_files(config=keys_ini("conf", "[profile default]") + "\n" + keys_ini("alt", "[default]"))
    r = ask(env())
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])


# ============================================================================
# 3. A three-link role chain
# ============================================================================
@test
def chain_three_links():
    G.sim.call("POST", "/_sim/roles", [{"arn": role("e2e-RB"), "trust": [KEYS["base"][0]]},
                                       {"arn": role("e2e-RA"), "trust": [role("e2e-RB")]}])
    aws_files(config="[profile A]\nrole_arn = %s\nsource_profile = B\nrole_session_name = sess-a\n\n"
                     "[profile B]\nrole_arn = %s\nsource_profile = C\nrole_session_name = sess-b\n\n"
                     "[profile C]\nregion = us-east-1\n" % (role("e2e-RA"), role("e2e-RB")),
              credentials=keys_ini("base", "[C]"))
    r = ask(env(AWS_PROFILE="A"))
    expect_ok(r)
    q = sts_calls()
    check([(x["action"], x["body"].get("RoleArn")) for x in q]
          == [("AssumeRole", role("e2e-RB")), ("AssumeRole", role("e2e-RA"))],
          "STS calls %r" % [(x["action"], x["body"].get("RoleArn")) for x in q])
    check(all(x["status"] == 200 for x in q), "STS statuses %r" % [x["status"] for x in q])
    check(q[0]["auth"]["access_key"] == KEYS["base"][0], "RB is assumed with C's keys")
    minted(q[1]["auth"]["access_key"], "sts", "assumed-role/e2e-RB/sess-b")
    minted(signed_by(r, token=True), "sts", "assumed-role/e2e-RA/sess-a")
    v = r.verbose()["creds"]
    check(role("e2e-RA") in v and role("e2e-RB") in v and "C" in v, "source %r" % v, r)
    check(v.index(role("e2e-RA")) < v.index(role("e2e-RB")), "outermost role first: %r" % v, r)


@test
def chain_role_denied():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [KEYS["alt"][0]]})
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = base\n" % role("e2e-RA"),
              credentials=keys_ini("base", "[base]"))
    r = ask(env(AWS_PROFILE="r"))
    expect_fail(r, 3, "AccessDenied", role("e2e-RA"))
    check(bedrock_calls() == [], "no Bedrock call")


# ============================================================================
# 4. Cycles and configuration errors
# ============================================================================
@test
def err_role_loop():
    aws_files(config="[profile A]\nrole_arn = %s\nsource_profile = B\n\n"
                     "[profile B]\nrole_arn = %s\nsource_profile = A\n" % (role("e2e-RA"), role("e2e-RB")))
    r = ask(env(AWS_PROFILE="A"))
    check(r.rc in (2, 3), "exit %r, want 3 (or 2)" % r.rc, r)
    expect_fail(r, r.rc, "loop")
    nothing_at("sts", "bedrock-runtime")


@test
def err_missing_source_profile():
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = ghost\n" % role("e2e-RA"))
    expect_fail(ask(env(AWS_PROFILE="r")), 3, "ghost")
    nothing_at("sts", "bedrock-runtime")


@test
def err_role_without_source():
    aws_files(config="[profile r]\nrole_arn = %s\n" % role("e2e-RA"))
    expect_fail(ask(env(AWS_PROFILE="r")), 3, "source_profile", "credential_source")
    nothing_at("sts", "bedrock-runtime")


@test
def err_both_sources():
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = base\ncredential_source = Environment\n"
                     % role("e2e-RA"), credentials=keys_ini("base", "[base]"))
    expect_fail(ask(env(AWS_PROFILE="r")), 3, "source_profile", "credential_source")


@test
def err_partial_keys_in_profile():
    aws_files(credentials="[default]\naws_access_key_id = %s\n" % KEYS["file"][0])
    expect_fail(ask(env()), 3, "aws_secret_access_key")
    aws_files(credentials="[default]\naws_secret_access_key = %s\n" % KEYS["file"][1])
    expect_fail(ask(env()), 3, "aws_access_key_id")
    nothing_at("bedrock-runtime")


@test
def err_partial_keys_in_env():
    r = ask(env(AWS_ACCESS_KEY_ID=KEYS["env"][0]))
    expect_fail(r, 3, "Unable to locate credentials", "AWS_SECRET_ACCESS_KEY is not set")


@test
def err_malformed_config():
    aws_files(config="[default]\nregion = us-east-1\n[profile x\naws_access_key_id = A\n")
    r = ask(env_keys())
    expect_fail(r, 2)
    path = os.path.join(G.home, ".aws", "config")
    check(re.search(re.escape(path) + r":3: ", r.stderr) is not None,
          "stderr should point at %s:3:" % path, r)
    nothing_at("bedrock-runtime")


@test
def err_malformed_credentials():
    aws_files(credentials="[default]\naws_access_key_id\n")
    r = ask(env_keys())
    expect_fail(r, 2)
    check(re.search(re.escape(os.path.join(G.home, ".aws", "credentials")) + r":2: ", r.stderr),
          "stderr should point at credentials:2:", r)


@test
def err_undefined_profile():
    aws_files(credentials=keys_ini("file", "[default]"))
    expect_fail(ask(env(), "--profile", "nope"), 3, "'nope'", "not defined")
    expect_fail(ask(env(AWS_PROFILE="nope")), 3, "'nope'", "not defined")
    nothing_at("bedrock-runtime")


@test
def err_unknown_credential_source():
    aws_files(config="[profile r]\nrole_arn = %s\ncredential_source = Bogus\n" % role("e2e-RA"))
    expect_fail(ask(env(AWS_PROFILE="r")), 3, "credential_source", "Bogus")


@test
def err_no_credentials_lists_sources():
    r = ask(env())
    expect_fail(r, 3, "Unable to locate credentials", "environment", "web identity", "profile default",
                "container endpoint", "instance metadata")


# ============================================================================
# 5. Expiry and refresh
# ============================================================================
@test
def expiry_expired_mid_run_resolved_again():
    first, second = G.sim.mint(3600), G.sim.mint(3600)
    # the simulator expires the first set, though its Expiration says an hour
    G.sim.call("POST", "/_sim/creds/expire", {"access_key_id": first["AccessKeyId"]})
    f1, f2 = write("~/c1.json", json.dumps(first)), write("~/c2.json", json.dumps(second))
    runs = os.path.join(G.home, "runs")
    process_profile('echo run >> %s\nif [ "$(wc -l < %s)" -le 1 ]; then cat %s; else cat %s; fi\n'
                    % (runs, runs, f1, f2))
    r = ask(env(AWS_PROFILE="p"))
    expect_ok(r)
    q = bedrock_calls()
    check(len(q) == 2, "want 2 Bedrock calls, got %d" % len(q), r)
    check(q[0]["auth"] == {"ok": False, "error": "ExpiredTokenException",
                           "message": "The security token included in the request is expired"},
          "first call: %r" % q[0]["auth"])
    check(q[1]["auth"]["ok"] and q[1]["auth"]["access_key"] == second["AccessKeyId"],
          "second call signed with the fresh set: %r" % q[1]["auth"])
    with open(runs) as fh:
        check(len(fh.read().splitlines()) == 2, "credential_process should run exactly twice")
    check("resolving credentials again" in r.stderr, "verbose should say it resolves again", r)


@test
def expiry_still_expired_after_refresh():
    first = G.sim.mint(3600)
    G.sim.call("POST", "/_sim/creds/expire", {"access_key_id": first["AccessKeyId"]})
    process_profile("cat %s\n" % write("~/c1.json", json.dumps(first)))
    r = ask(env(AWS_PROFILE="p"))
    expect_fail(r, 3, "ExpiredToken")
    check(len(bedrock_calls()) == 2, "one retry, not more")


# ============================================================================
# 6. Region
# ============================================================================
def region_case(e, *args, want_from):
    r = ask(e, *args)
    expect_ok(r)
    v = r.verbose()
    check((v["region"], v["region_from"]) == ("us-east-1", want_from), "region %r" % v, r)
    signed_by(r, KEYS["env"][0])
    return r


@test
def region_flag_beats_everything():
    aws_files(config="[default]\nregion = eu-west-3\n")
    region_case(env_keys(AWS_REGION="eu-west-1", AWS_DEFAULT_REGION="eu-west-2"),
                "--region", "us-east-1", want_from="--region")


@test
def region_aws_region_beats_default_region():
    aws_files(config="[default]\nregion = eu-west-3\n")
    region_case(env_keys(AWS_REGION="us-east-1", AWS_DEFAULT_REGION="eu-west-2"), want_from="AWS_REGION")


@test
def region_default_region_beats_profile():
    aws_files(config="[default]\nregion = eu-west-3\n")
    region_case(env_keys(AWS_REGION=None, AWS_DEFAULT_REGION="us-east-1"), want_from="AWS_DEFAULT_REGION")


@test
def region_profile_beats_imds():
    aws_files(config="[profile x]\nregion = us-east-1\n")
    region_case(imds_env(AWS_REGION=None, AWS_PROFILE="x", AWS_ACCESS_KEY_ID=KEYS["env"][0],
                         AWS_SECRET_ACCESS_KEY=KEYS["env"][1]), want_from="the profile")
    nothing_at("imds")


@test
def region_from_imds():
    region_case(imds_env(AWS_REGION=None, AWS_ACCESS_KEY_ID=KEYS["env"][0],
                         AWS_SECRET_ACCESS_KEY=KEYS["env"][1]), want_from="instance metadata")
    q = G.sim.reqs("imds")
    check([(x["method"], x["op"], x["path"]) for x in q]
          == [("PUT", "token", "/latest/api/token"),
              ("GET", "metadata", "/latest/meta-data/placement/region")], "IMDS calls %r" % q)


@test
def region_none():
    r = ask(env_keys(AWS_REGION=None))
    expect_fail(r, 2, "no AWS region", "AWS_REGION", "--region")
    nothing_at("bedrock-runtime", "imds")


# ============================================================================
# 7. Endpoints
# ============================================================================
def dead_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "https://localhost:%d" % port


@test
def endpoint_precedence():
    dead = dead_url()
    cfg = ("[default]\nservices = s\nendpoint_url = %s\n\n[services s]\nbedrock_runtime =\n"
           "  endpoint_url = %s\n")
    steps = [  # (env overrides, services url, profile url, want from)
        (dict(AWS_ENDPOINT_URL=dead), dead, dead, "AWS_ENDPOINT_URL_<service>"),
        (dict(AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None, AWS_ENDPOINT_URL=G.sim.endpoint), dead, dead,
         "AWS_ENDPOINT_URL"),
        (dict(AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None), G.sim.endpoint, dead,
         "the profile's services section"),
    ]
    for over, svc, prof, want in steps:
        G.sim.call("POST", "/_sim/reset")
        aws_files(config=cfg % (prof, svc))
        r = ask(env_keys(**over))
        expect_ok(r)
        v = r.verbose()
        check(v["endpoint"] == G.sim.endpoint and v["endpoint_from"] == want, "endpoint %r" % v, r)
    G.sim.call("POST", "/_sim/reset")
    aws_files(config="[default]\nendpoint_url = %s\n" % G.sim.endpoint)
    r = ask(env_keys(AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None))
    expect_ok(r)
    check(r.verbose()["endpoint_from"] == "the profile's endpoint_url", "endpoint %r" % r.verbose(), r)


@test
def endpoint_services_section_of_selected_profile():
    aws_files(config="[profile x]\nservices = s\n\n[services s]\nbedrock_runtime =\n"
                     "  endpoint_url = %s\nsts =\n  endpoint_url = %s\n" % (G.sim.endpoint, dead_url()))
    r = ask(env_keys(AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None, AWS_PROFILE="x"))
    expect_ok(r)
    check(r.verbose()["endpoint_from"] == "the profile's services section", "endpoint %r" % r.verbose(), r)


def via_proxy(host, **over):
    """Run with HTTPS_PROXY at the test proxy; the proxy must have seen one
    CONNECT to host:443, and the simulator got the call with that Host."""
    e = env_keys(HTTPS_PROXY=G.proxy.url, **over)
    try:
        r = ask(e, "--model", "us.anthropic.claude-sonnet-4-6")
    except Fail as x:
        raise Fail("%s; the proxy saw %r, its errors %r" % (x, G.proxy.take(), G.proxy.errors[-5:]))
    G.proxy_seen = G.proxy.take()
    expect_ok(r)
    check(("CONNECT %s:443 HTTP/1.1" % host) in G.proxy_seen, "the proxy saw %r" % G.proxy_seen, r)
    q = bedrock_calls()
    check(len(q) == 1 and q[0]["headers"].get("host") == host, "Host header %r"
          % [x["headers"].get("host") for x in q], r)
    signed_by(r, KEYS["env"][0])
    return r


@test
def endpoint_ignore_configured_urls():
    aws_files(config="[default]\nendpoint_url = %s\n" % dead_url())
    r = via_proxy("bedrock-runtime.us-east-1.amazonaws.com", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="true",
                  AWS_ENDPOINT_URL=dead_url())
    v = r.verbose()
    check(v["endpoint"] == "https://bedrock-runtime.us-east-1.amazonaws.com" and v["endpoint_from"] == "default",
          "endpoint %r" % v, r)
    # the same switch in the profile
    G.sim.call("POST", "/_sim/reset")
    aws_files(config="[default]\nendpoint_url = %s\nignore_configured_endpoint_urls = true\n" % dead_url())
    r = via_proxy("bedrock-runtime.us-east-1.amazonaws.com", AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None)
    check(r.verbose()["endpoint_from"] == "default", "endpoint %r" % r.verbose(), r)


@test
def endpoint_fips_and_dualstack():
    r = via_proxy("bedrock-runtime-fips.us-east-1.amazonaws.com", AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None,
                  AWS_USE_FIPS_ENDPOINT="true")
    check(r.verbose()["endpoint"] == "https://bedrock-runtime-fips.us-east-1.amazonaws.com",
          "endpoint %r" % r.verbose(), r)
    G.sim.call("POST", "/_sim/reset")
    r = via_proxy("bedrock-runtime.us-east-1.api.aws", AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None,
                  AWS_USE_DUALSTACK_ENDPOINT="true")
    G.sim.call("POST", "/_sim/reset")
    via_proxy("bedrock-runtime-fips.us-east-1.api.aws", AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None,
              AWS_USE_DUALSTACK_ENDPOINT="true", AWS_USE_FIPS_ENDPOINT="true")
    # the same from the profile
    G.sim.call("POST", "/_sim/reset")
    aws_files(config="[default]\nuse_fips_endpoint = true\n")
    via_proxy("bedrock-runtime-fips.us-east-1.amazonaws.com", AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None)
    # a configured URL wins over FIPS
    G.sim.call("POST", "/_sim/reset")
    r = ask(env_keys(AWS_USE_FIPS_ENDPOINT="true"))
    expect_ok(r)
    check(r.verbose()["endpoint"] == G.sim.endpoint, "endpoint %r" % r.verbose(), r)


@test
def endpoint_vpc_signs_for_its_region():
    # AWS_REGION says eu-west-1; the VPC endpoint is in us-east-1, and the
    # simulator only accepts a us-east-1 scope: the call must sign for it
    r = via_proxy(VPCE_HOST, AWS_ENDPOINT_URL_BEDROCK_RUNTIME="https://" + VPCE_HOST, AWS_REGION="eu-west-1")
    v = r.verbose()
    check("a VPC endpoint" in r.stderr and v["region"] == "eu-west-1", "verbose %r" % v, r)


@test
def endpoint_sts_override_used_for_roles():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [KEYS["base"][0]]})
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = base\n" % role("e2e-RA"),
              credentials=keys_ini("base", "[base]"))
    # STS at a dead port: the role cannot be assumed, exit 3 naming STS
    r = ask(env(AWS_PROFILE="r", AWS_ENDPOINT_URL_STS=dead_url()))
    expect_fail(r, 3, "STS")
    check(r.elapsed < 10, "took %.1f s" % r.elapsed, r)
    nothing_at("sts", "bedrock-runtime")
    # the global override reaches STS too
    r = ask(env(AWS_PROFILE="r", AWS_ENDPOINT_URL_STS=None, AWS_ENDPOINT_URL=G.sim.endpoint))
    expect_ok(r)
    check(len(sts_calls("AssumeRole")) == 1, "AssumeRole through AWS_ENDPOINT_URL")


# ============================================================================
# 8. Bedrock API key
# ============================================================================
def bearer_call(r):
    q = bedrock_calls()
    check(len(q) == 1, "want 1 Bedrock call, got %d" % len(q), r)
    check(q[0]["headers"].get("authorization") == "Bearer <redacted>",
          "Authorization %r" % q[0]["headers"].get("authorization"), r)
    check("x-amz-security-token" not in q[0]["headers"], "no session token with an API key", r)
    return q[0]


@test
def bearer_api_key():
    r = ask(env(AWS_BEARER_TOKEN_BEDROCK=BEARER))
    expect_ok(r)
    check(bearer_call(r)["auth"] == {"scheme": "bearer", "ok": True}, "auth", r)
    check(r.verbose()["creds"] == "Bedrock API key (AWS_BEARER_TOKEN_BEDROCK)", "source", r)


@test
def bearer_wins_over_env_keys_and_profile():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": ["*"]})
    aws_files(config="[default]\nrole_arn = %s\nsource_profile = base\n" % role("e2e-RA"),
              credentials=keys_ini("base", "[base]"))
    r = ask(env_keys(AWS_BEARER_TOKEN_BEDROCK=BEARER))
    expect_ok(r)
    check(bearer_call(r)["auth"]["scheme"] == "bearer", "auth", r)
    nothing_at("sts")


@test
def bearer_wrong_key():
    r = ask(env(AWS_BEARER_TOKEN_BEDROCK=WRONG_BEARER))
    check(r.rc in (1, 3), "exit %r, want 1 or 3" % r.rc, r)
    expect_fail(r, r.rc, "AccessDeniedException", "API Key")
    q = bearer_call(r)
    check(q["auth"]["ok"] is False, "auth", r)
    check(len(bedrock_calls()) == 1, "no retry with a bad API key", r)


@test
def bearer_wrong_key_fix_names_the_key():
    """The refusal of an API key must point at the key, not at IAM policies
    and model access (which an API key's refusal has nothing to do with)."""
    r = ask(env(AWS_BEARER_TOKEN_BEDROCK=WRONG_BEARER))
    check(r.rc in (1, 3), "exit %r" % r.rc, r)
    check("AWS_BEARER_TOKEN_BEDROCK" in r.stderr, "the fix should name AWS_BEARER_TOKEN_BEDROCK", r)
    check("allow bedrock:InvokeModel" not in r.stderr,
          "the fix sends the user to IAM policies and model access for a refused API key", r)


# ============================================================================
# 9. Proxy
# ============================================================================
@test
def proxy_connect_used():
    r = ask(env_keys(HTTPS_PROXY=G.proxy.url))
    seen = G.proxy.take()
    expect_ok(r)
    check(seen == ["CONNECT localhost:%d HTTP/1.1" % G.sim.port], "the proxy saw %r" % seen, r)
    signed_by(r, KEYS["env"][0])


@test
def proxy_lowercase_and_no_proxy():
    r = ask(env_keys(https_proxy=G.proxy.url))
    seen = G.proxy.take()
    expect_ok(r)
    check(len(seen) == 1, "https_proxy: the proxy saw %r" % seen, r)
    for np in ("localhost", "LOCALHOST", ".localhost,example.com", "*"):
        G.sim.call("POST", "/_sim/reset")
        r = ask(env_keys(HTTPS_PROXY=G.proxy.url, NO_PROXY=np))
        seen = G.proxy.take()
        expect_ok(r)
        check(seen == [], "NO_PROXY=%s: the proxy saw %r" % (np, seen), r)
    G.sim.call("POST", "/_sim/reset")
    r = ask(env_keys(HTTPS_PROXY=G.proxy.url, no_proxy="localhost"))
    check(G.proxy.take() == [], "no_proxy (lower case) is honoured", r)
    expect_ok(r)


@test
def proxy_never_for_imds_or_container():
    proxies = dict(HTTPS_PROXY=G.proxy.url, HTTP_PROXY=G.proxy.url, http_proxy=G.proxy.url,
                   https_proxy=G.proxy.url, ALL_PROXY=G.proxy.url, all_proxy=G.proxy.url)
    r = ask(imds_env(AWS_REGION=None, **proxies))
    seen = G.proxy.take()
    expect_ok(r)
    check(r.verbose()["region_from"] == "instance metadata", "region %r" % r.verbose(), r)
    check(not any(str(G.sim.http_port) in s for s in seen), "IMDS went through the proxy: %r" % seen, r)
    check(seen == ["CONNECT localhost:%d HTTP/1.1" % G.sim.port], "the proxy saw %r" % seen, r)
    check(all(x["status"] == 200 for x in G.sim.reqs("imds")), "IMDS statuses")
    harvest_http_creds("/latest/meta-data/iam/security-credentials/sim-instance-role")
    G.sim.call("POST", "/_sim/reset")
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/creds", **proxies))
    seen = G.proxy.take()
    expect_ok(r)
    check(not any(str(G.sim.http_port) in s for s in seen), "the container call went through the proxy: %r"
          % seen, r)
    harvest_http_creds("/creds")


# ============================================================================
# 11. More of each source: retries, edge cases, default service hosts
# ============================================================================
@test
def prec_aws_profile_with_credentials_beats_web_identity_env():
    aws_files(config=keys_ini("conf", "[profile x]") + "\n[profile empty]\nregion = us-east-1\n")
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-web"), "trust": ["*"]})
    tokfile = write("~/token.jwt", make_jwt())
    wi = dict(AWS_ROLE_ARN=role("e2e-web"), AWS_WEB_IDENTITY_TOKEN_FILE=tokfile)
    r = ask(env(AWS_PROFILE="x", **wi))
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])
    nothing_at("sts")
    # a selected profile without credentials does not stop web identity
    G.sim.call("POST", "/_sim/reset")
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-web"), "trust": ["*"]})
    r = ask(env(AWS_PROFILE="empty", **wi))
    expect_ok(r)
    check([q["action"] for q in sts_calls()] == ["AssumeRoleWithWebIdentity"], "web identity used", r)


@test
def web_identity_token_file_without_role_arn():
    tokfile = write("~/token.jwt", make_jwt())
    aws_files(credentials=keys_ini("file", "[default]"))
    r = ask(env(AWS_WEB_IDENTITY_TOKEN_FILE=tokfile))
    expect_ok(r)
    signed_by(r, KEYS["file"][0])
    nothing_at("sts")


@test
def web_identity_errors():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-web"), "trust": ["web-identity"]})
    r = ask(env(AWS_ROLE_ARN=role("e2e-web"),
                AWS_WEB_IDENTITY_TOKEN_FILE=os.path.join(G.home, "no-such-token")))
    expect_fail(r, 3, "no-such-token")
    nothing_at("sts")
    # an expired JWT: STS refuses it
    def part(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    old = "%s.%s.c2lnbmF0dXJlLWUyZS1leHBpcmVk" % (part({"alg": "RS256"}),
                                                 part({"iss": "https://x.example", "exp": 1000}))
    SECRETS.add(old)
    r = ask(env(AWS_ROLE_ARN=role("e2e-web"), AWS_WEB_IDENTITY_TOKEN_FILE=write("~/old.jwt", old)))
    expect_fail(r, 3, "ExpiredToken")
    # not a JWT at all
    r = ask(env(AWS_ROLE_ARN=role("e2e-web"), AWS_WEB_IDENTITY_TOKEN_FILE=write("~/bad.jwt", "not-a-jwt")))
    expect_fail(r, 3, "InvalidIdentityToken")
    check(bedrock_calls() == [], "no Bedrock call")


@test
def role_external_id_duration_and_source_default():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [KEYS["file"][0]],
                                       "external_id": "ext-e2e-42"})
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = default\nexternal_id = ext-e2e-42\n"
                     "duration_seconds = 900\n" % role("e2e-RA"),
              credentials=keys_ini("file", "[default]"))
    r = ask(env(AWS_PROFILE="r"))
    expect_ok(r)
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["body"].get("ExternalId") == "ext-e2e-42"
          and q[0]["body"].get("DurationSeconds") == "900", "AssumeRole body %r" % (q[0]["body"],))
    check(q[0]["auth"]["access_key"] == KEYS["file"][0], "signed with [default]'s keys")
    minted(signed_by(r), "sts", "e2e-RA")
    # a wrong external id is refused
    G.sim.call("POST", "/_sim/reset")
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": ["*"], "external_id": "other"})
    expect_fail(ask(env(AWS_PROFILE="r")), 3, "AccessDenied")


@test
def role_mfa_without_terminal():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": ["*"],
                                       "mfa_serial": "arn:aws:iam::%s:mfa/e2e" % ACCOUNT, "mfa_code": "123456"})
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = base\nmfa_serial = arn:aws:iam::%s:mfa/e2e\n"
                     % (role("e2e-RA"), ACCOUNT), credentials=keys_ini("base", "[base]"))
    r = ask(env(AWS_PROFILE="r"), timeout=10)
    expect_fail(r, 3, "MFA")
    check(r.elapsed < 5, "took %.1f s" % r.elapsed, r)
    nothing_at("sts", "bedrock-runtime")


@test
def chain_source_with_static_keys_ends_chain():
    # B has keys AND a role: as source of A, its keys are used, RB is not assumed
    G.sim.call("POST", "/_sim/roles", [{"arn": role("e2e-RA"), "trust": [KEYS["alt"][0]]},
                                       {"arn": role("e2e-RB"), "trust": ["*"]}])
    aws_files(config="[profile A]\nrole_arn = %s\nsource_profile = B\n\n"
                     "[profile B]\nrole_arn = %s\nsource_profile = C\n" % (role("e2e-RA"), role("e2e-RB")),
              credentials=keys_ini("alt", "[B]") + keys_ini("base", "[C]"))
    r = ask(env(AWS_PROFILE="A"))
    expect_ok(r)
    q = sts_calls()
    check([x["body"].get("RoleArn") for x in q] == [role("e2e-RA")], "STS calls %r"
          % [x["body"].get("RoleArn") for x in q])
    check(q[0]["auth"]["access_key"] == KEYS["alt"][0], "signed with B's keys")


@test
def chain_self_referencing_source_profile():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [KEYS["alt"][0]]})
    aws_files(config="[profile A]\nrole_arn = %s\nsource_profile = A\n" % role("e2e-RA"),
              credentials=keys_ini("alt", "[A]"))
    r = ask(env(AWS_PROFILE="A"))
    expect_ok(r)
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["auth"]["access_key"] == KEYS["alt"][0], "one AssumeRole with A's keys")
    minted(signed_by(r), "sts", "e2e-RA")


@test
def sts_retried_on_throttling_and_5xx():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": ["*"]})
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = base\n" % role("e2e-RA"),
              credentials=keys_ini("base", "[base]"))
    G.sim.call("POST", "/_sim/service_faults", [{"service": "sts", "op": "AssumeRole", "times": 1},
                                                {"service": "sts", "op": "AssumeRole", "status": 503,
                                                 "code": "ServiceUnavailable", "message": "busy", "times": 1}])
    r = ask(env(AWS_PROFILE="r"))
    expect_ok(r)
    check([x["status"] for x in sts_calls()] == [400, 503, 200], "STS statuses %r"
          % [x["status"] for x in sts_calls()])
    G.sim.call("POST", "/_sim/reset")
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": ["*"]})
    G.sim.call("POST", "/_sim/service_faults", {"service": "sts", "status": 500, "code": "InternalFailure",
                                                "message": "down", "times": 10})
    r = ask(env(AWS_PROFILE="r"))
    expect_fail(r, 3, "STS", "500")
    check(len(sts_calls()) == 3, "three attempts, got %d" % len(sts_calls()))
    # a refusal is not retried
    G.sim.call("POST", "/_sim/reset")
    expect_fail(ask(env(AWS_PROFILE="r")), 3, "AccessDenied")
    check(len(sts_calls()) == 1, "AccessDenied is final")


@test
def container_retried_on_5xx_and_refused_hosts():
    G.sim.call("POST", "/_sim/service_faults", {"service": "container", "status": 500, "times": 2})
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/creds"))
    expect_ok(r)
    check([x["status"] for x in G.sim.reqs("container")] == [500, 500, 200], "container statuses %r"
          % [x["status"] for x in G.sim.reqs("container")])
    harvest_http_creds("/creds")
    # plain http to a host that is not loopback/container: refused, nothing sent
    G.sim.call("POST", "/_sim/reset")
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI="http://credentials.e2e.example.com/creds"))
    expect_fail(r, 3, "AWS_CONTAINER_CREDENTIALS_FULL_URI")
    check(r.elapsed < 5, "took %.1f s" % r.elapsed, r)
    # a localhost name is fine
    G.sim.call("POST", "/_sim/reset")
    r = ask(env(AWS_CONTAINER_CREDENTIALS_FULL_URI="http://localhost:%d/creds" % G.sim.http_port))
    expect_ok(r)
    harvest_http_creds("/creds")


@test
def imds_unavailable_falls_through():
    for cfg, why in (({"token_status": 403}, "instance metadata"), ({"no_role": True}, "no IAM role"),
                     ({"disabled": True}, "instance metadata")):
        G.sim.call("POST", "/_sim/reset")
        G.sim.call("POST", "/_sim/imds", cfg)
        r = ask(imds_env(), timeout=10)
        expect_fail(r, 3, "Unable to locate credentials", why)
        check(r.elapsed < 5, "%r: took %.1f s" % (cfg, r.elapsed), r)
        check(bedrock_calls() == [], "no Bedrock call")


@test
def imds_endpoint_from_profile():
    aws_files(config="[default]\nec2_metadata_service_endpoint = %s/\n" % G.sim.http)
    r = ask(env(AWS_EC2_METADATA_DISABLED=None))
    expect_ok(r)
    check(len(G.sim.reqs("imds")) >= 3, "IMDS at the profile's endpoint")
    doc = harvest_http_creds("/latest/meta-data/iam/security-credentials/sim-instance-role")
    signed_by(r, doc["AccessKeyId"])


@test
def sso_refresh_edges():
    # an access token that expires in two minutes is refreshed first
    aws_files(config=SSO_SESSION_CONFIG)
    path, t = sso_setup("soon", "corp")
    doc = json.load(open(path))
    doc["expiresAt"] = iso(time.time() + 120)
    write(path, json.dumps(doc))
    r = ask(env(AWS_PROFILE="s"))
    expect_ok(r)
    check(len(G.sim.reqs("sso-oidc")) == 1, "refreshed within the 5-minute margin")
    SECRETS.update([json.load(open(path))["accessToken"], json.load(open(path))["refreshToken"]])
    # expiresAt with milliseconds (as the JavaScript SDK and the IDE toolkits write it)
    G.sim.call("POST", "/_sim/reset")
    path, t = sso_setup("ms", "corp", expired=True)
    doc = json.load(open(path))
    doc["expiresAt"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 600))
    write(path, json.dumps(doc))
    r = ask(env(AWS_PROFILE="s"))
    expect_ok(r)
    check(len(G.sim.reqs("sso-oidc")) == 1, "the millisecond form is understood as expired")
    SECRETS.update([json.load(open(path))["accessToken"], json.load(open(path))["refreshToken"]])
    # a legacy cache (no refresh token) that expired: log in again
    G.sim.call("POST", "/_sim/reset")
    aws_files(config="[profile legacy]\nsso_start_url = %s\nsso_region = us-east-1\n"
                     "sso_account_id = 111122223333\nsso_role_name = Dev\n" % START_URL)
    sso_setup("legexp", START_URL, expired=True, legacy=True)
    r = ask(env(AWS_PROFILE="legacy"))
    expect_fail(r, 3, "aws sso login")
    nothing_at("sso-oidc", "sso", "bedrock-runtime")


@test
def sso_refresh_concurrent_runs():
    """Four runs refreshing the same expired token at once: all succeed, the
    cache ends as one valid JSON document, no temporary file is left."""
    aws_files(config=SSO_SESSION_CONFIG)
    path, t = sso_setup("conc", "corp", expired=True)
    e = env(AWS_PROFILE="s")
    procs = [subprocess.Popen([G.bin, "-p", "hi"], env=e, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(4)]
    for p in procs:
        try:
            out, err = p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        G.outputs.append((G.current, out, err))
        check(p.returncode == 0 and out == (ANSWER + "\n").encode(), "a run failed: rc=%r %r"
              % (p.returncode, redact(err[:300])))
    doc = json.load(open(path))
    SECRETS.update([doc["accessToken"], doc["refreshToken"]])
    check(doc["accessToken"] != t["access"], "refreshed")
    leftovers = [f for f in os.listdir(os.path.dirname(path)) if f != os.path.basename(path)]
    check(leftovers == [], "temporary files left: %r" % leftovers)


@test
def sso_session_without_account_and_role():
    aws_files(config="[profile s]\nsso_session = corp\n\n[sso-session corp]\nsso_start_url = %s\n"
                     "sso_region = us-east-1\n" % START_URL)
    sso_setup("noacct", "corp")
    r = ask(env(AWS_PROFILE="s"))
    expect_fail(r, 3, "sso_account_id", "sso_role_name")
    nothing_at("sso", "sso-oidc", "bedrock-runtime")


@test
def credential_process_expiration_formats():
    for fmt in ("%Y-%m-%dT%H:%M:%S+00:00", "%Y-%m-%dT%H:%M:%S.123456Z", "%Y-%m-%dT%H:%M:%S.123+00:00"):
        G.sim.call("POST", "/_sim/reset")
        doc = G.sim.mint(3600)
        doc["Expiration"] = time.strftime(fmt, time.gmtime(time.time() + 3600))
        process_profile("cat %s\n" % write("~/minted.json", json.dumps(doc)))
        r = ask(env(AWS_PROFILE="p"))
        expect_ok(r)
        signed_by(r, doc["AccessKeyId"])


@test
def expired_env_session_and_unknown_key():
    G.sim.call("POST", "/_sim/creds/expire", {"access_key_id": SESSION[0]})
    r = ask(env(AWS_ACCESS_KEY_ID=SESSION[0], AWS_SECRET_ACCESS_KEY=SESSION[1], AWS_SESSION_TOKEN=SESSION[2]))
    expect_fail(r, 3, "ExpiredToken")
    check(len(bedrock_calls()) == 2, "resolved again once, then gave up")
    G.sim.call("POST", "/_sim/reset")
    r = ask(env(AWS_ACCESS_KEY_ID="AKIDE2EUNKNOWN000001", AWS_SECRET_ACCESS_KEY=KEYS["env"][1]))
    expect_fail(r, 3, "UnrecognizedClient")
    check(len(bedrock_calls()) == 1, "long-term keys that are unknown: no second try")


@test
def config_paths_missing_or_directories():
    # like botocore (ConfigNotFound is swallowed): not a file = an empty file
    os.makedirs(os.path.join(G.home, "adir"))
    for over in (dict(AWS_CONFIG_FILE=os.path.join(G.home, "adir")),
                 dict(AWS_SHARED_CREDENTIALS_FILE=os.path.join(G.home, "adir")),
                 dict(AWS_CONFIG_FILE=os.path.join(G.home, "missing", "config"))):
        G.sim.call("POST", "/_sim/reset")
        r = ask(env_keys(**over))
        expect_ok(r)
        signed_by(r, KEYS["env"][0])


@test
def default_sts_sso_oidc_hosts_through_proxy():
    """With no override the chain calls the real service hosts; through the
    test proxy they reach the simulator, so the whole flow is checked
    offline: the host names, SigV4 for them, the answers."""
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": [KEYS["base"][0]]})
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = base\n\n" % role("e2e-RA")
              + SSO_SESSION_CONFIG, credentials=keys_ini("base", "[base]"))
    noovr = dict(AWS_ENDPOINT_URL_STS=None, AWS_ENDPOINT_URL_SSO=None, AWS_ENDPOINT_URL_SSO_OIDC=None,
                 HTTPS_PROXY=G.proxy.url)
    r = ask(env(AWS_PROFILE="r", **noovr))
    seen = G.proxy.take()
    expect_ok(r)
    sts_conn = [x for x in seen if x.startswith("CONNECT sts.")]
    # README: "STS is called at its regional endpoint"
    check(sts_conn == ["CONNECT sts.us-east-1.amazonaws.com:443 HTTP/1.1"], "the proxy saw %r" % seen, r)
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["status"] == 200 and q[0]["headers"]["host"] == sts_conn[0].split()[1][:-4],
          "AssumeRole at %r" % [(x["headers"].get("host"), x["status"]) for x in q], r)
    minted(signed_by(r), "sts", "e2e-RA")
    G.sim.call("POST", "/_sim/reset")
    path, _ = sso_setup("dflt", "corp", expired=True)
    r = ask(env(AWS_PROFILE="s", **noovr))
    seen = G.proxy.take()
    expect_ok(r)
    check("CONNECT oidc.us-east-1.amazonaws.com:443 HTTP/1.1" in seen
          and "CONNECT portal.sso.us-east-1.amazonaws.com:443 HTTP/1.1" in seen, "the proxy saw %r" % seen, r)
    check(G.sim.reqs("sso")[0]["headers"]["host"] == "portal.sso.us-east-1.amazonaws.com", "portal host")
    check(G.sim.reqs("sso-oidc")[0]["headers"]["host"] == "oidc.us-east-1.amazonaws.com", "oidc host")
    doc = json.load(open(path))
    SECRETS.update([doc["accessToken"], doc["refreshToken"]])


@test
def sso_refresh_keeps_the_cache_usable_by_the_aws_cli():
    """The AWS CLI (botocore SSOTokenProvider._refresh_access_token) refuses
    to refresh a cached token without registrationExpiresAt ("Unable to
    refresh SSO token: missing keys"), and writes the field back itself
    (_attempt_create_token); a rewrite must keep every field the AWS CLI
    wrote."""
    aws_files(config=SSO_SESSION_CONFIG)
    path, t = sso_setup("keep", "corp", expired=True)
    before = json.load(open(path))
    expect_ok(ask(env(AWS_PROFILE="s")))
    after = json.load(open(path))
    SECRETS.update([after.get("accessToken", ""), after.get("refreshToken", "")])
    check(after["accessToken"] != before["accessToken"], "refreshed")
    lost = sorted(k for k in before if k not in after)
    check(not lost, "the rewritten cache lost %r (had %r, now %r)" % (lost, sorted(before), sorted(after)))
    check(after.get("registrationExpiresAt") == before["registrationExpiresAt"],
          "registrationExpiresAt changed: %r" % after.get("registrationExpiresAt"))


@test
def config_files_with_crlf_line_ends():
    aws_files(config=(keys_ini("conf", "[profile x]") + "region = us-east-1\n").replace("\n", "\r\n"),
              credentials=keys_ini("file", "[default]").replace("\n", "\r\n"))
    r = ask(env(AWS_REGION=None, AWS_PROFILE="x"))
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])
    check(r.verbose()["region_from"] == "the profile", "region %r" % r.verbose(), r)
    G.sim.call("POST", "/_sim/reset")
    r = ask(env())
    expect_ok(r)
    signed_by(r, KEYS["file"][0])


@test
def chain_role_from_sso_profile():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": ["arn:aws:iam::111122223333:root"]})
    aws_files(config=SSO_SESSION_CONFIG + "\n[profile r]\nrole_arn = %s\nsource_profile = s\n" % role("e2e-RA"))
    sso_setup("chain", "corp")
    r = ask(env(AWS_PROFILE="r"))
    expect_ok(r)
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["status"] == 200, "AssumeRole %r" % [(x["status"], x["error"]) for x in q])
    minted(q[0]["auth"]["access_key"], "sso", "AWSReservedSSO_Dev_")
    minted(signed_by(r), "sts", "e2e-RA")


@test
def chain_role_from_process_and_from_web_identity_profile():
    G.sim.call("POST", "/_sim/roles", [{"arn": role("e2e-RA"), "trust": ["*"]},
                                       {"arn": role("e2e-web"), "trust": ["web-identity"]}])
    doc = G.sim.mint(3600)
    tokfile = write("~/token.jwt", make_jwt())
    cf = write("~/minted.json", json.dumps(doc))
    sp = write("~/bin/helper.sh", "#!/bin/sh\ncat %s\n" % cf, mode=0o700)
    aws_files(config="[profile r]\nrole_arn = %s\nsource_profile = p\n\n[profile p]\ncredential_process = %s\n\n"
                     "[profile r2]\nrole_arn = %s\nsource_profile = w\n\n[profile w]\nrole_arn = %s\n"
                     "web_identity_token_file = %s\n" % (role("e2e-RA"), sp, role("e2e-RA"), role("e2e-web"), tokfile))
    r = ask(env(AWS_PROFILE="r"))
    expect_ok(r)
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["auth"]["access_key"] == doc["AccessKeyId"], "AssumeRole with the helper's keys")
    G.sim.call("POST", "/_sim/reset")
    G.sim.call("POST", "/_sim/roles", [{"arn": role("e2e-RA"), "trust": [role("e2e-web")]},
                                       {"arn": role("e2e-web"), "trust": ["web-identity"]}])
    r = ask(env(AWS_PROFILE="r2"))
    expect_ok(r)
    check([x["action"] for x in sts_calls()] == ["AssumeRoleWithWebIdentity", "AssumeRole"],
          "STS calls %r" % [x["action"] for x in sts_calls()])
    minted(signed_by(r), "sts", "e2e-RA")


@test
def profile_names_with_punctuation():
    aws_files(config=keys_ini("conf", "[profile dev.team@corp-1_x]"))
    r = ask(env(AWS_PROFILE="dev.team@corp-1_x"))
    expect_ok(r)
    signed_by(r, KEYS["conf"][0])


@test
def section_names_follow_the_file_rules():
    # credentials file: [x]; config file: [profile x]; a bare [x] in config is not a profile
    aws_files(credentials=keys_ini("file", "[x]"))
    r = ask(env(), "--profile", "x")
    expect_ok(r)
    signed_by(r, KEYS["file"][0])
    G.sim.call("POST", "/_sim/reset")
    aws_files(config=keys_ini("conf", "[y]"), credentials="")
    expect_fail(ask(env(AWS_PROFILE="y")), 3, "'y'", "not defined")


@test
def credential_source_environment_with_session_token():
    G.sim.call("POST", "/_sim/roles", {"arn": role("e2e-RA"), "trust": ["*"]})
    aws_files(config="[profile r]\nrole_arn = %s\ncredential_source = Environment\n" % role("e2e-RA"))
    r = ask(env(AWS_ACCESS_KEY_ID=SESSION[0], AWS_SECRET_ACCESS_KEY=SESSION[1], AWS_SESSION_TOKEN=SESSION[2]),
            "--profile", "r")
    expect_ok(r)
    q = sts_calls("AssumeRole")
    check(len(q) == 1 and q[0]["auth"]["access_key"] == SESSION[0] and q[0]["auth"]["session_token"],
          "AssumeRole signed with the env session: %r" % [x["auth"] for x in q])
    # no keys in the environment: a clear error
    G.sim.call("POST", "/_sim/reset")
    expect_fail(ask(env(), "--profile", "r"), 3, "credential_source", "Environment")


@test
def malformed_credentials_line_does_not_echo_the_secret():
    aws_files(credentials="[default]\naws_access_key_id = %s\naws_secret_access_key %s\n" % KEYS["file"])
    r = ask(env_keys())
    expect_fail(r, 2, "credentials:3:")
    check(KEYS["file"][1].encode() not in r.err, "the secret is echoed", r)


@test
def home_unset():
    r = ask(env_keys(HOME=None))
    expect_ok(r)
    signed_by(r, KEYS["env"][0])


# ============================================================================
# 10. --debug traces of every chain call, then the sweep over all output
# ============================================================================
@test
def debug_traces_redact_chain_secrets():
    """--debug prints the HTTP heads of STS, SSO, OIDC, IMDS and container
    calls too: none of their tokens may show."""
    G.sim.call("POST", "/_sim/roles", [{"arn": role("e2e-RB"), "trust": [KEYS["base"][0]]},
                                       {"arn": role("e2e-RA"), "trust": [role("e2e-RB")]},
                                       {"arn": role("e2e-web"), "trust": ["*"]}])
    tokfile = write("~/token.jwt", make_jwt())
    ctok = "e2e-debug-container-token-cXV4cXV4"
    SECRETS.add(ctok)
    G.sim.call("POST", "/_sim/container", {"token": ctok})
    aws_files(config=SSO_SESSION_CONFIG + "\n[profile A]\nrole_arn = %s\nsource_profile = B\n\n"
                     "[profile B]\nrole_arn = %s\nsource_profile = C\n" % (role("e2e-RA"), role("e2e-RB")),
              credentials=keys_ini("base", "[C]"))
    sso_setup("debug", "corp", expired=True)
    runs = [env(AWS_PROFILE="A"), env(AWS_PROFILE="s"),
            env(AWS_ROLE_ARN=role("e2e-web"), AWS_WEB_IDENTITY_TOKEN_FILE=tokfile),
            imds_env(AWS_REGION=None),
            env(AWS_CONTAINER_CREDENTIALS_FULL_URI=G.sim.http + "/creds", AWS_CONTAINER_AUTHORIZATION_TOKEN=ctok),
            env_keys(AWS_SESSION_TOKEN=SESSION[2], AWS_ACCESS_KEY_ID=SESSION[0], AWS_SECRET_ACCESS_KEY=SESSION[1]),
            env(AWS_BEARER_TOKEN_BEDROCK=BEARER)]
    for e in runs:
        r = run(["--debug", "-p", "hi"], e)
        expect_ok(r)
        check("> POST " in r.stderr or "> GET " in r.stderr, "--debug should trace requests", r)
    harvest_http_creds("/latest/meta-data/iam/security-credentials/sim-instance-role")
    harvest_http_creds("/creds", {"Authorization": ctok})
    with open(os.path.join(G.home, ".aws", "sso", "cache", hashlib.sha1(b"corp").hexdigest() + ".json")) as fh:
        doc = json.load(fh)
    SECRETS.update([doc["accessToken"], doc["refreshToken"]])


SECRET_LIKE = re.compile(rb"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])")


@test
def zz_secrets_never_appear():
    """Over everything every run printed: no known secret (static and env
    keys, minted secrets and session tokens, SSO access/refresh tokens and
    client secrets, web identity JWTs, container tokens, API keys), no
    session token of the simulator's shape, no 40-character secret-shaped
    word, no signature."""
    if G.only is None:
        check(len(G.outputs) > 50, "only %d runs were recorded" % len(G.outputs))
    bad = []
    known = sorted(s for s in SECRETS if s)
    for name, out, err in G.outputs:
        blob = out + err
        for s in known:
            if s.encode() in blob:
                bad.append("%s: a secret %s..." % (name, s[:6]))
        if TOKEN_PREFIX.encode() in blob:
            bad.append("%s: a session token (%s...)" % (name, TOKEN_PREFIX))
        for m in SECRET_LIKE.finditer(blob):
            w = m.group(0)
            if not re.fullmatch(rb"[0-9a-f]{40}", w):  # a SHA-1 (SSO cache name) is fine
                bad.append("%s: a secret-shaped word %r..." % (name, w[:6]))
        if re.search(rb"Signature=[0-9a-fA-F]{8}", blob):
            bad.append("%s: a signature" % name)
    check(not bad, "secrets in the output: %s" % "; ".join(sorted(set(bad))))


# ============================================================================
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "bedrock-claude"))
    ap.add_argument("-k", dest="only", default=None, help="run tests whose name contains this")
    ap.add_argument("-v", dest="verbose", action="store_true")
    a = ap.parse_args()
    G.bin, G.only = os.path.abspath(a.bin), a.only
    selected = [(n, f) for n, f in TESTS if a.only is None or a.only in n]
    passed = failed = 0
    if not os.access(G.bin, os.X_OK):
        sys.stderr.write("FAIL setup: %s is not an executable (run make)\n" % G.bin)
        print("e2e-creds: 0 passed, 1 failed", flush=True)
        return 1
    G.tmp = tempfile.mkdtemp(prefix="bedrock-e2e-creds.")
    t_all = time.monotonic()
    try:
        try:
            args = ["--bearer-token", BEARER]
            for akid, secret in KEYS.values():
                args += ["--cred", "%s:%s" % (akid, secret)]
            args += ["--cred", "%s:%s:%s" % SESSION]
            G.sim = Sim(G.tmp, args)
            G.proxy = Proxy(G.sim, issue_leaf(G.sim.dir, G.tmp, list(MITM_HOSTS)))
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            sys.stderr.write("FAIL setup: %s\n" % e)
            print("e2e-creds: 0 passed, 1 failed", flush=True)
            return 1
        for i, (name, fn) in enumerate(selected):
            G.current = name
            G.home = os.path.join(G.tmp, "home.%02d" % i)
            os.makedirs(G.home)
            pos = G.sim.log_size()
            t0 = time.monotonic()
            try:
                G.sim.call("POST", "/_sim/reset")
                G.proxy.take()
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
        if a.verbose:
            sys.stderr.write("(tests took %.1f s)\n" % (time.monotonic() - t_all))
    finally:
        if G.proxy is not None:
            G.proxy.close()
        if G.sim is not None:
            G.sim.stop()
        shutil.rmtree(G.tmp, ignore_errors=True)
    print("e2e-creds: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
