#!/usr/bin/env python3
"""End-to-end tests: the static bedrock-claude binary against the simulator.

    python3 tests/e2e.py [--bin ./bedrock-claude] [-k SUBSTRING] [-v]

Starts one simulator (tests/sim/bedrock_sim.py) in a fresh temporary
directory, with a long-term and a session credential set, runs every test
against it (resetting it in between), stops it, and prints one summary line,
`e2e: N passed, M failed`.  A failing test prints `FAIL name: reason` on
stderr; -v also prints `ok name` lines and, for failures, what the simulator
logged meanwhile.  Exit status 0 iff nothing failed.

Every run of the binary gets a controlled environment built from scratch
(PATH plus the variables the test sets; never the caller's AWS_* or HOME),
stdin from /dev/null unless the test pipes input, and a timeout: a hang is a
failure.  Python 3 standard library only.

Exit codes under test (src/main.c): 0 ok, 1 service error, 2 usage or
configuration, 3 credentials, 4 network or TLS, 5 corrupt or incomplete
response, 130 interrupted.
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIM_PY = os.path.join(HERE, "sim", "bedrock_sim.py")

# Credentials the simulator accepts.  Everything in SECRETS must never show
# up in anything the binary prints (checked per test and in a final sweep).
AKID = "AKIDSIMULATOR"
SECRET = "simulator/secret/key+EXAMPLE"
S_AKID = "ASIASIMSESSION0001"
S_SECRET = "sessionSecret/KEY+ex4mpleSIM"
S_TOKEN = "IQoJb3JpZ2luX2VjEsimSESSIONtoken/Zm9vYmFy+QmVkcm9jaw=="
WRONG_SECRET = "wrongSecret/KEY+doesNotMatch0000"
WRONG_TOKEN = "IQoJb3JpZ2luX2VjEsimWRONGtoken/bm9wZQ=="
SECRETS = [SECRET, S_SECRET, S_TOKEN, WRONG_SECRET, WRONG_TOKEN]

# the catalogue's default: the newest Active Sonnet, in the region's profile
DEFAULT_MODEL = "us.anthropic.claude-sonnet-5-5"
HAIKU_PROFILE = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
APP_PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
FM_ARN = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6"
NO_ACCESS_MODEL = "us.anthropic.claude-opus-4-1-20250805-v1:0"
UNICODE_SAMPLE = "héllo → 日本語 🎉 — naïve café, Ελληνικά, русский, עברית, 𝄞 and 👩‍💻 done."
STREAM_EXCEPTIONS = ("throttlingException", "modelStreamErrorException", "validationException",
                     "internalServerException", "serviceUnavailableException",
                     "modelTimeoutException")
TIMEOUT = 20  # seconds for any one run of the binary


def answer_for(text):
    """The simulator's default answer to a prompt without /sim directives."""
    return "Hello from the Bedrock simulator. You said: " + text


def words(n):
    return " ".join("w%d" % i for i in range(1, n + 1))


# ============================================================================
# Harness
# ============================================================================
class Fail(Exception):
    pass


class Result:
    def __init__(self, rc, out, err, elapsed):
        self.rc, self.out, self.err, self.elapsed = rc, out, err, elapsed

    @property
    def stdout(self):
        return self.out.decode("utf-8", "replace")

    @property
    def stderr(self):
        return self.err.decode("utf-8", "replace")

    @property
    def err_lines(self):
        return self.stderr.splitlines()

    def __repr__(self):
        out, err = self.out[:300], self.err[:600]
        for sec in SECRETS:  # a failure report must not spread them either
            out = out.replace(sec.encode(), b"<SECRET>")
            err = err.replace(sec.encode(), b"<SECRET>")
        return "rc=%r stdout=%r stderr=%r" % (self.rc, out, err)


class Sim:
    """One simulator process and its control API."""

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
        m = re.match(rb"READY port=(\d+) ca=(\S+)", line)
        if not m:
            self.stop()
            raise RuntimeError("unexpected first line from the simulator: %r" % line)
        self.port, self.ca = int(m.group(1)), m.group(2).decode()
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
            raise Fail("simulator control %s %s: HTTP %d %s" % (method, path, e.code,
                                                                  e.read()[:300]))

    def reset(self):
        self.call("POST", "/_sim/reset")

    def fault(self, *faults):
        self.call("POST", "/_sim/faults", list(faults))

    def requests(self):
        return self.call("GET", "/_sim/requests")

    def clock(self, offset):
        self.call("POST", "/_sim/clock", {"offset": offset})

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


TESTS = []
OUTPUTS = []  # (test name, stdout bytes, stderr bytes) of every run
G = argparse.Namespace(bin=None, sim=None, tmp=None, current=None, home=None)


def test(fn):
    TESTS.append((fn.__name__, fn))
    return fn


def check(cond, msg, r=None):
    if not cond:
        raise Fail(msg + ("" if r is None else "; %r" % r))


def base_env(**overrides):
    """A clean environment: PATH plus what a working call needs. An override
    of None removes the variable."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        # never the machine's own ~/.aws, never its metadata address
        "HOME": G.home,
        "AWS_EC2_METADATA_DISABLED": "true",
        # these tests are about how each failure is reported: one attempt
        # (retries and resumed streams are tests/e2e_faults.py's)
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": G.sim.endpoint,
        "AWS_CA_BUNDLE": G.sim.ca,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": AKID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
    }
    for k, v in overrides.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def session_env(**overrides):
    o = dict(AWS_ACCESS_KEY_ID=S_AKID, AWS_SECRET_ACCESS_KEY=S_SECRET, AWS_SESSION_TOKEN=S_TOKEN)
    o.update(overrides)
    return base_env(**o)


def run(args, env=None, stdin=None, timeout=TIMEOUT, argv=None):
    """Run the binary with args (or the command argv); stdin is None
    (/dev/null) or bytes to pipe in."""
    env = base_env() if env is None else env
    t0 = time.monotonic()
    kw = dict(stdin=subprocess.DEVNULL) if stdin is None else dict(input=stdin)
    try:
        p = subprocess.run(argv or [G.bin] + list(args), env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        OUTPUTS.append((G.current, e.stdout or b"", e.stderr or b""))
        raise Fail("hang: %r did not exit within %d s (stderr so far %r)"
                   % ((argv or args)[:4], timeout, (e.stderr or b"")[:300]))
    r = Result(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
    OUTPUTS.append((G.current, p.stdout, p.stderr))
    return r


def ask(prompt, *extra, **envkw):
    """run(["-p", prompt, *extra]) with base_env(**envkw)."""
    return run(["-p", prompt] + list(extra), env=base_env(**envkw))


def only_request():
    reqs = G.sim.requests()
    check(len(reqs) == 1, "expected exactly 1 model request at the simulator, got %d" % len(reqs))
    return reqs[0]


def user_text(body):
    msgs = body.get("messages") or []
    check(len(msgs) == 1 and msgs[0].get("role") == "user",
          "expected one user message, got %r" % (msgs,))
    c = msgs[0].get("content")
    if isinstance(c, list):
        return "".join(b.get("text", "") for b in c if b.get("type") == "text")
    return c


def system_text(body):
    s = body.get("system")
    if isinstance(s, list):
        return "\n".join(b.get("text", "") for b in s)
    return s


def expect_answer(r, text, warning=None):
    """Exit 0, stdout exactly the answer plus the final newline, quiet stderr
    (or exactly one warning line containing `warning`)."""
    want = text.encode("utf-8")
    if not want.endswith(b"\n"):
        want += b"\n"
    check(r.rc == 0, "exit %r, want 0" % r.rc, r)
    check(r.out == want, "stdout %r (%d bytes), want %r (%d bytes)"
          % (r.out[:120], len(r.out), want[:120], len(want)), r)
    if warning is None:
        check(r.err == b"", "stderr should be empty", r)
    else:
        check(len(r.err_lines) == 1 and "warning" in r.stderr and warning in r.stderr,
              "stderr should be one warning about %r" % warning, r)


def expect_fail(r, rc, *needles, lines=1, stdout_empty=True):
    """Exit rc; stderr is `lines` lines or fewer, each `bedrock-claude: ...`,
    and contains every needle (case-insensitive)."""
    check(r.rc == rc, "exit %r, want %d" % (r.rc, rc), r)
    el = r.err_lines
    check(1 <= len(el) <= lines, "stderr has %d lines, want 1..%d" % (len(el), lines), r)
    check(all(l.startswith("bedrock-claude: ") for l in el),
          "every stderr line should start with 'bedrock-claude: '", r)
    low = r.stderr.lower()
    for n in needles:
        check(n.lower() in low, "stderr lacks %r" % n, r)
    if stdout_empty:
        check(r.out == b"", "stdout should be empty", r)


def expect_partial(r, full):
    """A failed stream: never exit 0; stdout is a proper prefix of the answer
    (plus the newline the client adds); stderr says how many bytes came."""
    check(r.rc != 0, "exit 0 with an incomplete answer", r)
    got = r.stdout[:-1] if r.stdout.endswith("\n") and not full.startswith(r.stdout) else r.stdout
    check(full.startswith(got) and len(got) < len(full),
          "stdout is not a proper prefix of the answer", r)
    if got:
        m = re.search(r"incomplete: (\d+) bytes", r.stderr)
        check(m is not None, "stderr should say the answer is incomplete with a byte count", r)
        check(int(m.group(1)) == len(got.encode()),
              "stderr says %s bytes arrived, stdout has %d" % (m.group(1), len(got.encode())), r)


def never_half(r, full):
    """Whatever the exit code: exit 0 only with the whole answer."""
    if r.rc == 0:
        check(r.out == (full + "\n").encode(), "exit 0 with a partial answer", r)


def no_secrets(r):
    blob = r.out + r.err
    for s in SECRETS:
        check(s.encode() not in blob, "a secret (%s...) appears in the output" % s[:6], r)
    check(re.search(rb"Signature=[0-9a-fA-F]{8}", blob) is None, "a signature appears", r)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ============================================================================
# 1-2. Happy path and the prompt
# ============================================================================
@test
def happy_path():
    r = ask("hello there")
    expect_answer(r, answer_for("hello there"))
    q = only_request()
    check(q["auth"] and q["auth"].get("ok") is True, "auth verdict %r" % q["auth"])
    check(q["auth"]["scheme"] == "sigv4" and q["auth"]["access_key"] == AKID, "auth %r" % q["auth"])
    check({"host", "x-amz-date"} <= set(q["auth"]["signed_headers"]), "signed headers")
    check(q["op"] == "stream" and q["method"] == "POST", "op %r %r" % (q["op"], q["method"]))
    b = q["body"]
    check(b.get("anthropic_version") == "bedrock-2023-05-31", "anthropic_version %r" % b)
    check(b.get("max_tokens") == 4096, "max_tokens %r" % b.get("max_tokens"))
    check(user_text(b) == "hello there", "user text %r" % user_text(b))
    check("system" not in b and "temperature" not in b, "unexpected keys %r" % sorted(b))
    check(q["status"] == 200 and q["error"] is None, "sim status %r %r" % (q["status"], q["error"]))
    h = q["headers"]
    check(h.get("user-agent", "").startswith("bedrock-claude/"), "user-agent %r" % h.get("user-agent"))
    check(h.get("content-type") == "application/json", "content-type %r" % h.get("content-type"))


@test
def stdin_and_argument():
    r = run(["-p", "question"], stdin=b"data\n")
    expect_answer(r, answer_for("data\n\n\nquestion"))
    check(user_text(only_request()["body"]) == "data\n\n\nquestion", "user text")
    G.sim.reset()
    r = run(["-p", "q2"], stdin=b"no newline at end")
    expect_answer(r, answer_for("no newline at end\n\nq2"))
    check(user_text(only_request()["body"]) == "no newline at end\n\nq2", "user text 2")


@test
def stdin_only():
    r = run(["-p"], stdin=b"just stdin\n")
    expect_answer(r, answer_for("just stdin\n"))
    check(user_text(only_request()["body"]) == "just stdin\n", "user text")


@test
def positional_words_and_double_dash():
    r = run(["-p", "hello", "world"])
    expect_answer(r, answer_for("hello world"))
    G.sim.reset()
    r = run(["-p", "--", "--not-an-option", "-x"])
    expect_answer(r, answer_for("--not-an-option -x"))
    check(user_text(only_request()["body"]) == "--not-an-option -x", "user text")


@test
def empty_prompt():
    r = run(["-p", ""])
    expect_fail(r, 2, "no prompt")
    r = run(["-p"], stdin=b"")
    expect_fail(r, 2, "no prompt")
    check(G.sim.requests() == [], "nothing may reach the service")


# ============================================================================
# 3-4. Models
# ============================================================================
# models the catalogue knows as Legacy or past end of life: a warning line
RETIRING = {"anthropic.claude-3-haiku-20240307-v1:0": "end of life"}


def retiring(model):
    for base, w in RETIRING.items():
        if base in model:
            return w
    return None


def model_round_trip(model):
    r = run(["--model", model, "-p", "hi"])
    expect_answer(r, answer_for("hi"), warning=retiring(model))
    q = only_request()
    check(q["auth"]["ok"], "signature refused: %r" % q["auth"])
    check(q["model_id"] == model, "sim decoded model %r, sent %r" % (q["model_id"], model))
    want = "/model/%s/invoke-with-response-stream" % urllib.parse.quote(model, safe="")
    check(q["path"] == want, "path %r, want %r" % (q["path"], want))


@test
def model_profile_id_with_colon():
    model_round_trip(HAIKU_PROFILE)


@test
def model_application_profile_arn():
    model_round_trip(APP_PROFILE_ARN)


@test
def model_foundation_model_arn():
    model_round_trip(FM_ARN)


@test
def model_other_forms():
    for m in (PROFILE_ARN, "global.anthropic.claude-sonnet-4-6",
              "anthropic.claude-3-haiku-20240307-v1:0", "--model=" + HAIKU_PROFILE):
        G.sim.reset()
        if m.startswith("--model="):
            r = run([m, "-p", "hi"])
            m = m[len("--model="):]
        else:
            r = run(["--model", m, "-p", "hi"])
        expect_answer(r, answer_for("hi"), warning=retiring(m))
        check(only_request()["model_id"] == m, "model id for %s" % m)


@test
def model_odd_characters_sign_right():
    # whatever the characters, the request is signed right (the service then
    # refuses the unknown model: exit 1, not a credentials error)
    # (IDs always hold a '.', ':' or '/'; a bare word is an alias, below)
    for m in ("foo. bar", "x.+y~z=1", "a%2Fb.c", "caf\u00e9.x", "a.&b?c#d"):
        G.sim.reset()
        r = run(["--model", m, "-p", "hi"])
        expect_fail(r, 1, "ValidationException", "invalid")
        q = only_request()
        check(q["auth"]["ok"], "model %r: signature refused: %r" % (m, q["auth"]))
        check(q["model_id"] == m, "sim decoded %r, sent %r" % (q["model_id"], m))


@test
def default_model_us_east_1():
    expect_answer(ask("hi"), answer_for("hi"))
    q = only_request()
    check(q["model_id"] == DEFAULT_MODEL, "model %r" % q["model_id"])
    check(q["path"] == "/model/%s/invoke-with-response-stream" % DEFAULT_MODEL, "path %r" % q["path"])


@test
def default_model_other_regions():
    # the simulator serves us-east-1 only: the call itself fails, but the
    # verbose line shows the region's default profile
    for region, model in (("eu-west-1", "eu."), ("ap-northeast-1", "jp."),
                          ("ap-southeast-1", "global."), ("us-west-2", "us.")):
        r = run(["--verbose", "--region", region, "-p", "hi"])
        check(r.rc != 0, "region %s: the simulator should refuse the scope" % region, r)
        check(re.search(r"model %santhropic\.claude-sonnet-5-5[ ;]" % re.escape(model),
                        r.stderr) is not None,
              "region %s: default model should be %s..." % (region, model), r)


# ============================================================================
# 5-6. Request parameters
# ============================================================================
@test
def max_tokens_in_body():
    expect_answer(run(["--max-tokens", "10", "-p", "hi"]), answer_for("hi"))
    check(only_request()["body"]["max_tokens"] == 10, "max_tokens")
    G.sim.reset()
    expect_answer(run(["--max-tokens=64000", "-p", "hi"]), answer_for("hi"))
    check(only_request()["body"]["max_tokens"] == 64000, "max_tokens=64000")


@test
def max_tokens_truncation_warning():
    r = run(["--max-tokens", "5", "-p", "/sim words 500"])
    check(r.rc == 0, "exit %r" % r.rc, r)
    check(r.out == b"w1 w2 w3 w4 w5\n", "stdout", r)
    check(len(r.err_lines) == 1 and "max-tokens" in r.stderr and "warning" in r.stderr,
          "want one warning line about --max-tokens", r)


@test
def max_tokens_over_model_limit():
    r = run(["--model", "sonnet-4.6", "--max-tokens", "100000", "-p", "hi"])
    expect_fail(r, 1, "ValidationException", "max_tokens: 100000 > 64000", "fix:")


@test
def system_prompt():
    r = run(["--system", "be brief", "-p", "/sim echo-system"])
    expect_answer(r, "be brief")
    check(system_text(only_request()["body"]) == "be brief", "system in body")
    G.sim.reset()
    tricky = 'say "ok"\\ \n\ttab h\u00e9llo \u2192 \u65e5\u672c\u8a9e \U0001f389'
    r = run(["--system-prompt", tricky, "-p", "/sim echo-system"])
    expect_answer(r, tricky)
    check(system_text(only_request()["body"]) == tricky, "system text round trip")


@test
def temperature_in_body():
    for arg, want in (("0.7", 0.7), ("1", 1), ("0", 0), ("0.125", 0.125)):
        G.sim.reset()
        expect_answer(run(["--temperature", arg, "-p", "hi"]), answer_for("hi"))
        got = only_request()["body"].get("temperature")
        check(isinstance(got, (int, float)) and abs(got - want) < 1e-9,
              "--temperature %s: body has %r" % (arg, got))
    G.sim.reset()
    expect_answer(run(["--temperature=0.5", "-p", "hi"]), answer_for("hi"))
    check(abs(only_request()["body"]["temperature"] - 0.5) < 1e-9, "--temperature=0.5")


@test
def bad_option_values():
    cases = [(["--temperature", v], "--temperature") for v in ("2", "1.5", "-0.1", "abc", "", "0.")]
    cases += [(["--max-tokens", v], "--max-tokens") for v in ("0", "abc", "-1", "1000001", "", "5x")]
    for args, needle in cases:
        r = run(args + ["-p", "hi"])
        expect_fail(r, 2, needle)
    check(G.sim.requests() == [], "nothing may reach the service")


# ============================================================================
# 7-9. Text round trips
# ============================================================================
def echo_json_round_trip(args, stdin, expect_text):
    r = run(args, stdin=stdin)
    msgs = [{"role": "user", "content": expect_text}]
    expect_answer(r, json.dumps(msgs, ensure_ascii=False, separators=(",", ":")))
    check(user_text(only_request()["body"]) == expect_text, "recorded user text differs")


@test
def escaping_round_trip_argument():
    tricky = ('/sim echo-json\nquote " backslash \\ slash / newline\nCR\r tab\t ctl\x01\x1f del\x7f '
              'h\u00e9llo \u2192 \u65e5\u672c\u8a9e \U0001f389 \u2028\u2029 {"json":[1]} \\u0041')
    echo_json_round_trip(["-p", tricky], None, tricky)


@test
def escaping_round_trip_stdin():
    tricky = ('/sim echo-json\r\nNUL\x00here "q" \\\\ \x08\x0c\x1b[31m red \U0001d11e '
              '\ufeffbom \u00ff\n\n\n')
    echo_json_round_trip(["-p"], tricky.encode("utf-8"), tricky)


@test
def invalid_utf8_stdin():
    r = run(["-p"], stdin=b"\xff\xfe abc")
    want_text = "\ufffd\ufffd abc"
    check(r.rc == 0, "exit %r" % r.rc, r)
    check(r.out == (answer_for(want_text) + "\n").encode(), "stdout", r)
    check(len(r.err_lines) == 1 and "U+FFFD" in r.stderr and "warning" in r.stderr,
          "want one warning line about U+FFFD", r)
    check(user_text(only_request()["body"]) == want_text, "server text")


@test
def invalid_utf8_mixed():
    # overlong, a UTF-16 surrogate, a truncated sequence; the valid parts stay
    r = run(["-p", "tail"], stdin=b"ok \xc0\xaf mid \xed\xa0\x80 \xe6\x97\xa5 end \xe6\x97")
    check(r.rc == 0 and "U+FFFD" in r.stderr, "want exit 0 and a U+FFFD warning", r)
    t = user_text(only_request()["body"])
    parts = t.split("\ufffd")
    check(len(parts) > 1, "no U+FFFD in %r" % t)
    check(t.startswith("ok ") and " mid " in t and " \u65e5 end " in t and t.endswith("\n\ntail"),
          "valid text was damaged: %r" % t)
    check(re.fullmatch(r"ok \ufffd+ mid \ufffd+ \u65e5 end \ufffd+\n\ntail", t) is not None,
          "unexpected replacement: %r" % t)


@test
def invalid_utf8_argument():
    r = run([b"-p", b"arg \xff\xfe end"])
    check(r.rc == 0 and "U+FFFD" in r.stderr, "want exit 0 and a U+FFFD warning", r)
    check(user_text(only_request()["body"]) == "arg \ufffd\ufffd end", "server text")


@test
def unicode_output():
    expect_answer(ask("/sim unicode"), UNICODE_SAMPLE)


@test
def unicode_output_from_escapes():
    # \uXXXX escapes with surrogate pairs in the inner JSON
    expect_answer(ask("/sim unicode\n/sim ascii-json"), UNICODE_SAMPLE)
    G.sim.reset()
    expect_answer(ask("/sim ascii-json\n/sim reply caf\u00e9 \"q\" \\ \U0001f600\tend"),
                  "caf\u00e9 \"q\" \\ \U0001f600\tend")


@test
def final_newline_and_empty_answer():
    r = ask("/sim reply two lines\nhere\n")
    expect_answer(r, "two lines\nhere\n")  # not doubled
    G.sim.reset()
    r = ask("/sim reply ")
    check(r.rc == 0 and r.out == b"" and r.err == b"", "empty answer: exit 0, no output", r)


@test
def long_answer_words():
    expect_answer(ask("/sim words 3000"), words(3000))


@test
def long_answer_many_deltas():
    expect_answer(ask("/sim deltas 2000\n/sim words 3000"), words(3000))


@test
def single_huge_delta():
    # one ~400 KB text delta: one large event-stream message (base64 inside)
    r = run(["--max-tokens", "64000", "-p", "/sim deltas 1\n/sim words 60000"])
    expect_answer(r, words(60000))


@test
def answer_bytes_passed_through():
    # the answer is data: NUL, control characters and escapes reach a pipe as sent
    text = "a\x00b\x01c \x1b[0m tab\tCR\r\u2028 \U0001f389 end"
    r = run(["-p"], stdin=("/sim ascii-json\n/sim reply " + text).encode("utf-8"))
    expect_answer(r, text)


@test
def ping_event_ignored():
    expect_answer(ask("/sim ping\n/sim words 7"), words(7))


@test
def large_prompt_2mb():
    filler = ("lorem ipsum dolor sit amet, \u00e9t\u00e9 \u2192 " * 60000)
    prompt = ("/sim words 3\n" + filler).encode("utf-8")[:2 * 1024 * 1024]
    prompt = prompt.decode("utf-8", "ignore").encode("utf-8")
    r = run(["-p"], stdin=prompt, timeout=40)
    expect_answer(r, words(3))
    t = user_text(only_request()["body"])
    check(t.encode("utf-8") == prompt, "server got %d bytes, sent %d" % (len(t.encode()), len(prompt)))


@test
def stdin_over_limit():
    r = run(["-p"], stdin=b"x" * (32 * 1024 * 1024 + 1), timeout=40)
    expect_fail(r, 2, "32 MiB")
    check(G.sim.requests() == [], "nothing may reach the service")


# ============================================================================
# 10-11. Service errors
# ============================================================================
AWS_ERRORS = [  # status, type, exit code, what the hint mentions
    (400, "ValidationException", 1, "fix:"),
    (403, "AccessDeniedException", 1, "bedrock:InvokeModel"),
    (404, "ResourceNotFoundException", 1, "fix:"),
    (429, "ThrottlingException", 1, "fix:"),
    (500, "InternalServerException", 1, "retry"),
    (503, "ServiceUnavailableException", 1, "retry"),
    (424, "ModelErrorException", 1, "fix:"),
    (408, "ModelTimeoutException", 1, "retry"),
    (429, "ModelNotReadyException", 1, "fix:"),
    (400, "ServiceQuotaExceededException", 1, "quota"),
]


def make_aws_error_test(status, type_, rc, hint):
    def fn():
        msg = "simulated %s, with details #%d" % (type_, status)
        G.sim.fault({"kind": "error", "status": status, "type": type_, "message": msg})
        r = ask("hi")
        expect_fail(r, rc, type_, msg, hint, "fix:")
        q = G.sim.requests()
        check(len(q) >= 1 and q[0]["status"] == status, "sim should have answered %d" % status)
    fn.__name__ = "aws_error_" + type_
    return fn


for _e in AWS_ERRORS:
    test(make_aws_error_test(*_e))


@test
def aws_error_capital_message_key():
    G.sim.fault({"kind": "error", "status": 403, "type": "AccessDeniedException",
                 "message": "Authentication failed: Please make sure your API Key is valid.",
                 "message_key": "Message"})
    expect_fail(ask("hi"), 1, "AccessDeniedException", "API Key is valid")


@test
def aws_error_type_in_body_only():
    body = '{"__type":"com.amazon.coral.validate#ValidationException","message":"body-only type"}'
    G.sim.fault({"kind": "raw_response", "status": 400, "body": body,
                 "content_type": "application/x-amz-json-1.1"})
    expect_fail(ask("hi"), 1, "ValidationException", "body-only type")


@test
def aws_error_message_sanitized():
    # service text reaches the terminal: no escape sequences, one line
    msg = "evil \x1b]0;pwned\x07 title \x1b[2J clear\rCR\nsecond line\ttab"
    G.sim.fault({"kind": "error", "type": "ValidationException", "message": msg})
    r = ask("hi")
    expect_fail(r, 1, "ValidationException", "evil", "second line")
    for c in (b"\x1b", b"\x07", b"\r", b"\t"):
        check(c not in r.err, "stderr carries the control byte %r" % c, r)


@test
def stream_exception_message_sanitized():
    G.sim.fault({"kind": "exception", "after_events": 3, "type": "validationException",
                 "message": "bad \x1b[2J\x1b]0;x\x07 next\nline"})
    r = ask("/sim words 50")
    check(r.rc == 1 and len(r.err_lines) == 2, "exit 1, two stderr lines", r)
    for c in (b"\x1b", b"\x07"):
        check(c not in r.err, "stderr carries the control byte %r" % c, r)


@test
def model_unknown():
    r = run(["--model", "anthropic.claude-nonexistent-v9", "-p", "hi"])
    expect_fail(r, 1, "ValidationException", "invalid", "fix:", "list-inference-profiles")


@test
def model_base_id_needs_profile():
    # the catalogue warns before sending; the service's refusal has the fix
    r = run(["--model", "anthropic.claude-sonnet-4-6", "-p", "hi"])
    expect_fail(r, 1, "on-demand", "us.anthropic.claude-sonnet-4-6", lines=2)


@test
def model_wrong_geography():
    r = run(["--model", "eu.anthropic.claude-sonnet-4-6", "-p", "hi"])
    expect_fail(r, 1, "ValidationException", "invalid")


@test
def model_no_access():
    # Opus 4.1 is Legacy in the catalogue: a warning, then the refusal
    r = run(["--model", NO_ACCESS_MODEL, "-p", "hi"])
    expect_fail(r, 1, "AccessDeniedException", "bedrock:InvokeModel", NO_ACCESS_MODEL,
                "Legacy", lines=2)


# ============================================================================
# 12-13. Credentials and clock
# ============================================================================
@test
def creds_wrong_secret():
    r = ask("hi", AWS_SECRET_ACCESS_KEY=WRONG_SECRET)
    expect_fail(r, 3, "InvalidSignatureException", "AWS_SECRET_ACCESS_KEY")
    no_secrets(r)


@test
def creds_unknown_access_key():
    r = ask("hi", AWS_ACCESS_KEY_ID="AKIDUNKNOWN000000000")
    expect_fail(r, 3, "UnrecognizedClientException", "AWS_ACCESS_KEY_ID")


@test
def creds_missing():
    # one line with the cause and the fixes, then every source tried
    for over, why in (({"AWS_ACCESS_KEY_ID": None}, "AWS_ACCESS_KEY_ID is not set"),
                      ({"AWS_SECRET_ACCESS_KEY": None}, "AWS_SECRET_ACCESS_KEY is not set"),
                      ({"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""},
                       "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")):
        r = ask("hi", **over)
        check(r.rc == 3, "exit %r, want 3" % r.rc, r)
        first = r.err_lines[0] if r.err_lines else ""
        for n in ("Unable to locate credentials", "aws configure", "AWS_PROFILE",
                  "aws sso login"):
            check(n in first, "first line lacks %r" % n, r)
        for n in ("environment: " + why, "web identity:", "profile default",
                  "container endpoint:", "instance metadata: AWS_EC2_METADATA_DISABLED"):
            check(n in r.stderr, "the list of sources lacks %r" % n, r)
        check(r.out == b"", "stdout should be empty", r)
    check(G.sim.requests() == [], "nothing may reach the service")


@test
def creds_session_ok():
    r = run(["-p", "hi"], env=session_env())
    expect_answer(r, answer_for("hi"))
    q = only_request()
    check(q["auth"]["ok"] and q["auth"]["access_key"] == S_AKID, "auth %r" % q["auth"])
    check(q["auth"]["session_token"] is True, "token not sent")
    check("x-amz-security-token" in q["auth"]["signed_headers"], "token not signed: %r"
          % q["auth"]["signed_headers"])
    no_secrets(r)


@test
def creds_session_wrong_or_missing_token():
    r = run(["-p", "hi"], env=session_env(AWS_SESSION_TOKEN=WRONG_TOKEN))
    expect_fail(r, 3, "UnrecognizedClientException")
    no_secrets(r)
    r = run(["-p", "hi"], env=session_env(AWS_SESSION_TOKEN=None))
    expect_fail(r, 3, "UnrecognizedClientException", "AWS_SESSION_TOKEN")
    # a token the long-term key does not have
    r = ask("hi", AWS_SESSION_TOKEN=WRONG_TOKEN)
    expect_fail(r, 3, "UnrecognizedClientException")
    no_secrets(r)


@test
def creds_session_wrong_secret_token_not_leaked():
    # AWS's InvalidSignatureException message quotes the canonical request,
    # and with temporary credentials that contains x-amz-security-token:<TOKEN>
    r = run(["-p", "hi"], env=session_env(AWS_SECRET_ACCESS_KEY=WRONG_SECRET))
    expect_fail(r, 3, "InvalidSignatureException", "AWS_SECRET_ACCESS_KEY")
    no_secrets(r)


@test
def creds_expired_token_from_service():
    # once: the credentials are resolved again and the call retried
    G.sim.fault({"kind": "error", "status": 403, "type": "ExpiredTokenException",
                 "message": "The security token included in the request is expired"})
    r = run(["--verbose", "-p", "hi"], env=session_env())
    check(r.rc == 0 and r.out == (answer_for("hi") + "\n").encode(), "retry should answer", r)
    check("resolving credentials again" in r.stderr, "verbose should say why it retried", r)
    check(len(G.sim.requests()) == 2, "one retry, not more")
    # twice: the fresh credentials are expired too, the run fails with the fix
    G.sim.reset()
    G.sim.fault({"kind": "error", "status": 403, "type": "ExpiredTokenException",
                 "message": "The security token included in the request is expired",
                 "times": 2})
    r = run(["-p", "hi"], env=session_env())
    expect_fail(r, 3, "ExpiredTokenException", "expired", "aws sso login")
    check(len(G.sim.requests()) == 2, "one retry, not more")


@test
def clock_skew_behind():
    G.sim.clock(900)  # the service is 15 minutes ahead of us
    r = ask("hi")
    # refused as "Signature expired", signed again with the server's Date
    expect_answer(r, answer_for("hi"), warning="900 s behind")
    check(len(G.sim.requests()) == 2, "one refused request, one re-signed")


@test
def clock_skew_ahead():
    G.sim.clock(-900)
    r = ask("hi")
    expect_answer(r, answer_for("hi"), warning="900 s ahead")
    reqs = G.sim.requests()
    check(len(reqs) == 2 and "not yet current" in (reqs[0].get("error") or {}).get("message", ""),
          "the first was refused as not yet current: %r" % reqs[:1])


# ============================================================================
# 14-15. Broken streams and replies
# ============================================================================
FULL50 = words(50)


@test
def stream_cut_after_3_events():
    for rst in (False, True):
        G.sim.reset()
        G.sim.fault({"kind": "cut", "after_events": 3, "rst": rst})
        r = ask("/sim words 50")
        check(r.rc == 4, "rst=%s: exit %r, want 4" % (rst, r.rc), r)
        check(r.out.startswith(b"w1"), "partial text should be on stdout", r)
        expect_partial(r, FULL50)
        check(len(r.err_lines) == 2, "two stderr lines (error, incomplete)", r)


@test
def stream_cut_before_any_event():
    G.sim.fault({"kind": "cut", "after_events": 0})
    r = ask("/sim words 50")
    expect_fail(r, 4, "network")


@test
def stream_cut_after_message_stop():
    # every message, message_stop included, arrived; then the connection was
    # dropped without the final chunk: the answer is whole
    G.sim.fault({"kind": "cut", "after_events": 8})  # words 5: 8 messages
    r = ask("/sim words 5")
    check(r.out == (words(5) + "\n").encode(), "stdout should hold the whole answer", r)
    check("incomplete" not in r.stderr, "the answer is complete but stderr says incomplete", r)
    check(r.rc == 0, "exit %r: message_stop arrived, the answer is complete" % r.rc, r)


@test
def stream_cut_mid_frame():
    for chunk in ("full", "exact"):
        G.sim.reset()
        G.sim.fault({"kind": "cut_mid_frame", "after_events": 3, "bytes": 20, "http_chunk": chunk})
        r = ask("/sim words 50")
        check(r.rc in (4, 5), "http_chunk=%s: exit %r, want 4 or 5" % (chunk, r.rc), r)
        expect_partial(r, FULL50)
        check(1 <= len(r.err_lines) <= 2, "stderr lines", r)


@test
def stream_bad_crc_message():
    G.sim.fault({"kind": "bad_crc", "event": 4})
    r = ask("/sim words 50")
    check(r.rc == 5, "exit %r, want 5" % r.rc, r)
    check("checksum" in r.stderr, "stderr should mention the checksum", r)
    expect_partial(r, FULL50)


@test
def stream_bad_crc_prelude():
    G.sim.fault({"kind": "bad_crc", "event": 0, "which": "prelude"})
    expect_fail(ask("/sim words 50"), 5, "checksum")
    G.sim.reset()
    G.sim.fault({"kind": "bad_crc", "event": 5, "which": "prelude"})
    r = ask("/sim words 50")
    check(r.rc == 5 and "checksum" in r.stderr, "mid-stream prelude CRC: exit 5", r)
    expect_partial(r, FULL50)


def make_stream_exception_test(etype):
    def fn():
        msg = "simulated %s mid-stream" % etype
        G.sim.fault({"kind": "exception", "after_events": 3, "type": etype, "message": msg})
        r = ask("/sim words 50")
        check(r.rc == 1, "exit %r, want 1" % r.rc, r)
        check(etype in r.stderr and msg in r.stderr, "stderr should have the type and message", r)
        check(r.out.startswith(b"w1"), "partial text should be on stdout", r)
        expect_partial(r, FULL50)
        check(len(r.err_lines) == 2, "two stderr lines", r)
    fn.__name__ = "stream_exception_" + etype
    return fn


for _t in STREAM_EXCEPTIONS:
    test(make_stream_exception_test(_t))


@test
def stream_exception_before_text():
    G.sim.fault({"kind": "exception", "after_events": 0, "type": "serviceUnavailableException"})
    expect_fail(ask("/sim words 50"), 1, "serviceUnavailableException")


@test
def stream_no_message_stop():
    G.sim.fault({"kind": "no_stop"})
    r = ask("/sim words 50")
    check(r.rc == 5 and "message_stop" in r.stderr, "exit 5 and 'ended before message_stop'", r)
    check("ended before message_stop" in r.stderr, "wording", r)
    never_half(r, FULL50)
    G.sim.reset()
    G.sim.fault({"kind": "no_stop", "after_events": 4})
    r = ask("/sim words 50")
    check(r.rc == 5 and "message_stop" in r.stderr, "after 4 events: exit 5", r)
    expect_partial(r, FULL50)


@test
def stream_empty_200():
    G.sim.fault({"kind": "no_stop", "after_events": 0})
    expect_fail(ask("/sim words 50"), 5, "message_stop")


@test
def stream_garbage_eventstream():
    G.sim.fault({"kind": "garbage", "after_events": 3})
    r = ask("/sim words 50")
    check(r.rc == 5, "exit %r, want 5" % r.rc, r)
    expect_partial(r, FULL50)


@test
def stream_garbage_http_framing():
    # bytes that break the HTTP chunked framing: a corrupt response (5), not
    # a network failure (4)
    G.sim.fault({"kind": "garbage", "after_events": 3, "layer": "http", "bytes_hex": "deadbeef"})
    r = ask("/sim words 50")
    never_half(r, FULL50)
    check(r.rc == 5, "exit %r, want 5 (corrupt response)" % r.rc, r)


@test
def never_half_answer_sweep():
    # every fault at every position of a short stream (8 messages: start,
    # block start, 3 deltas, block stop, message_delta, message_stop)
    full = words(5)
    for k in range(8):
        for f in ({"kind": "cut", "after_events": k},
                  {"kind": "cut_mid_frame", "after_events": k, "bytes": 7},
                  {"kind": "bad_crc", "event": k},
                  {"kind": "bad_crc", "event": k, "which": "prelude"},
                  {"kind": "no_stop", "after_events": k},
                  {"kind": "garbage", "after_events": k, "bytes_hex": "0000001000000000"}):
            G.sim.reset()
            G.sim.fault(f)
            r = ask("/sim words 5")
            check(r.rc in (4, 5), "%r: exit %r, want 4 or 5" % (f, r.rc), r)
            if r.out not in (b"", (full + "\n").encode()):
                try:
                    expect_partial(r, full)
                except Fail as e:
                    raise Fail("%r: %s" % (f, e))
            check(len(r.err_lines) in (1, 2), "%r: stderr lines" % (f,), r)


@test
def stream_stall_then_complete():
    G.sim.fault({"kind": "stall", "after_events": 3, "ms": 1500})
    r = ask("/sim words 50")
    expect_answer(r, FULL50)
    check(r.elapsed >= 1.4, "the stall did not happen? %.2fs" % r.elapsed)


@test
def delay_first_byte():
    G.sim.fault({"kind": "delay", "first_byte_ms": 1500})
    r = ask("hi")
    expect_answer(r, answer_for("hi"))
    check(r.elapsed >= 1.4, "the delay did not happen? %.2fs" % r.elapsed)


@test
def reply_200_not_event_stream():
    G.sim.fault({"kind": "raw_response", "status": 200, "content_type": "text/html",
                 "body": "<html><body>captive portal</body></html>"})
    expect_fail(ask("hi"), 5, "not an event stream")


@test
def reply_200_json_not_event_stream():
    G.sim.fault({"kind": "raw_response", "status": 200, "content_type": "application/json",
                 "body": '{"content":[{"type":"text","text":"hi"}]}'})
    expect_fail(ask("hi"), 5, "not an event stream")


@test
def proxy_502_html():
    body = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n" + \
           "<center><h1>502 Bad Gateway</h1></center>\n" * 200 + "</body>\n</html>\n"
    G.sim.fault({"kind": "raw_response", "status": 502, "body": body, "content_type": "text/html"})
    r = ask("hi")
    expect_fail(r, 1, "502", lines=2)
    check(len(r.err) < 2048, "stderr is %d bytes: an HTML dump" % len(r.err), r)


@test
def connection_closed_without_reply():
    G.sim.fault({"kind": "close"})
    expect_fail(ask("hi"), 4)


# ============================================================================
# 16. Network and configuration
# ============================================================================
@test
def net_connection_refused():
    r = ask("hi", AWS_ENDPOINT_URL_BEDROCK_RUNTIME="https://localhost:%d" % free_port())
    expect_fail(r, 4)
    check(r.elapsed < 5, "took %.1fs" % r.elapsed)


@test
def net_unresolvable_host():
    r = ask("hi", AWS_ENDPOINT_URL_BEDROCK_RUNTIME="https://nonexistent.invalid")
    expect_fail(r, 4, "resolve")


@test
def tls_wrong_ca():
    d = os.path.join(G.tmp, "other-ca")
    os.makedirs(d, exist_ok=True)
    ca = os.path.join(d, "ca.pem")
    if not os.path.exists(ca):
        p = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", os.path.join(d, "ca.key"),
                            "-out", ca, "-subj", "/CN=some other test CA", "-days", "2"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        check(p.returncode == 0, "openssl: %r" % p.stderr[:300])
    r = ask("hi", AWS_CA_BUNDLE=ca)
    expect_fail(r, 4, "TLS")
    check(G.sim.requests() == [], "no request may be sent over an untrusted connection")


@test
def tls_system_bundle_does_not_trust_sim():
    bundle = "/etc/ssl/certs/ca-certificates.crt"
    if not os.path.exists(bundle):
        return
    expect_fail(ask("hi", AWS_CA_BUNDLE=bundle), 4, "TLS")


@test
def ca_bundle_missing_file():
    r = ask("hi", AWS_CA_BUNDLE=os.path.join(G.tmp, "no-such-ca.pem"))
    expect_fail(r, 2, "no-such-ca.pem", "AWS_CA_BUNDLE")


@test
def ca_bundle_from_ssl_cert_file():
    r = ask("hi", AWS_CA_BUNDLE=None, SSL_CERT_FILE=G.sim.ca)
    expect_answer(r, answer_for("hi"))
    check(only_request()["auth"]["ok"], "auth")


@test
def endpoint_http_plain():
    # plain http is accepted as the SDKs accept it (LocalStack); the TLS
    # simulator cannot speak it, so the call fails as a network error, and
    # only an endpoint off the machine earns the warning
    r = ask("hi", AWS_ENDPOINT_URL_BEDROCK_RUNTIME="http://localhost:%d" % G.sim.port)
    check(r.rc == 4 and "plain http" not in r.stderr, "loopback http: exit 4, no warning", r)
    check(G.sim.requests() == [], "nothing may be answered")
    r = ask("hi", AWS_ENDPOINT_URL_BEDROCK_RUNTIME="http://nonexistent.invalid")
    check(r.rc == 4 and "plain http" in r.stderr and "unencrypted" in r.stderr,
          "off-machine http: a warning, then the network error", r)
    r = ask("hi", AWS_ENDPOINT_URL_BEDROCK_RUNTIME="ftp://localhost")
    expect_fail(r, 2, "https://")


@test
def endpoint_generic_variable_and_trailing_slash():
    r = ask("hi", AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None, AWS_ENDPOINT_URL=G.sim.endpoint)
    expect_answer(r, answer_for("hi"))
    G.sim.reset()
    r = ask("hi", AWS_ENDPOINT_URL_BEDROCK_RUNTIME=G.sim.endpoint + "/")
    expect_answer(r, answer_for("hi"))
    check(only_request()["path"].startswith("/model/"), "path")


@test
def endpoint_malformed():
    for ep in ("https://", "https://user@localhost:%d" % G.sim.port,
               "https://localhost:%d?x=1" % G.sim.port, "https://local host", "localhost:443",
               "ftp://localhost"):
        r = ask("hi", AWS_ENDPOINT_URL_BEDROCK_RUNTIME=ep)
        check(r.rc == 2, "endpoint %r: exit %r, want 2" % (ep, r.rc), r)
        expect_fail(r, 2, "endpoint")
    check(G.sim.requests() == [], "nothing may be sent")


@test
def region_missing():
    r = ask("hi", AWS_REGION=None)
    expect_fail(r, 2, "AWS_REGION")


@test
def region_sources():
    expect_answer(ask("hi", AWS_REGION=None, AWS_DEFAULT_REGION="us-east-1"), answer_for("hi"))
    G.sim.reset()
    r = run(["--region", "us-east-1", "-p", "hi"], env=base_env(AWS_REGION="eu-west-1"))
    expect_answer(r, answer_for("hi"))
    check(only_request()["model_id"] == DEFAULT_MODEL, "the --region default model")


@test
def region_invalid():
    expect_fail(ask("hi", AWS_REGION="us east"), 2, "us east")
    expect_fail(run(["--region", "US_EAST_1", "-p", "hi"]), 2, "region")
    check(G.sim.requests() == [], "nothing may be sent")


@test
def https_proxy_used_and_no_proxy():
    dead = "http://127.0.0.1:%d" % free_port()
    r = ask("hi", HTTPS_PROXY=dead)
    expect_fail(r, 4)
    check(r.elapsed < 5, "took %.1fs" % r.elapsed)
    check(G.sim.requests() == [], "the request must go through the (dead) proxy")
    expect_answer(ask("hi", HTTPS_PROXY=dead, NO_PROXY="localhost"), answer_for("hi"))


# ============================================================================
# 17. Options
# ============================================================================
@test
def opt_help():
    for flag in ("--help", "-h"):
        r = run([flag])
        check(r.rc == 0 and r.stdout.startswith("usage: bedrock-claude") and r.err == b"",
              "%s: exit 0 and usage on stdout" % flag, r)
        for s in ("--model", "--max-tokens", "--temperature", "--system", "exit codes"):
            check(s in r.stdout, "%s lacks %s" % (flag, s))


@test
def opt_version():
    for flag in ("--version", "-v"):
        r = run([flag])
        check(r.rc == 0 and r.stdout.startswith("bedrock-claude 0.1.0") and r.err == b"",
              "%s: exit 0 and the version" % flag, r)
        check(len(r.stdout.splitlines()) == 1, "one line", r)


@test
def opt_unknown():
    expect_fail(run(["--frobnicate", "-p", "hi"]), 2, "unknown option", "--frobnicate")
    expect_fail(run(["--frobnicate=3", "-p", "hi"]), 2, "unknown option")
    expect_fail(run(["-x", "-p", "hi"]), 2, "unknown option")
    check(G.sim.requests() == [], "nothing may be sent")


@test
def opt_provider():
    expect_answer(run(["--provider", "bedrock", "-p", "hi"]), answer_for("hi"))
    expect_fail(run(["--provider", "openai", "-p", "hi"]), 2, "openai")
    expect_fail(run(["--provider=anthropic", "-p", "hi"]), 2, "anthropic")


@test
def opt_model_needs_value():
    expect_fail(run(["-p", "hi", "--model"]), 2, "--model")
    expect_fail(run(["--model=", "-p", "hi"]), 2, "--model")
    expect_fail(run(["--model", "x" * 600, "-p", "hi"]), 2, "--model")
    check(G.sim.requests() == [], "nothing may be sent")


# ============================================================================
# 18-19. Output plumbing, signals, verbose and debug
# ============================================================================
@test
def closed_stdout():
    errf = tempfile.TemporaryFile(dir=G.tmp)
    t0 = time.monotonic()
    p = subprocess.Popen([G.bin, "-p", "/sim words 20000"], env=base_env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
    got = b""
    try:
        while len(got) < 10:
            if not select.select([p.stdout], [], [], TIMEOUT)[0]:
                break
            b = os.read(p.stdout.fileno(), 10 - len(got))
            if not b:
                break
            got += b
        p.stdout.close()  # like `| head -c 10`
        rc = p.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise Fail("hang after stdout was closed")
    finally:
        errf.seek(0)
        err = errf.read()
        errf.close()
        OUTPUTS.append((G.current, got, err))
    r = Result(rc, got, err, time.monotonic() - t0)
    check(got == b"w1 w2 w3 w", "first bytes", r)
    check(rc == 0, "exit %r, want 0 when the reader leaves" % rc, r)
    check(err == b"", "no error message when the reader leaves", r)
    check(r.elapsed < 5, "took %.1fs" % r.elapsed)


@test
def stdout_closed_at_start():
    # `bedrock-claude -p ... >&-`: fd 1 is closed when the program starts.
    # The answer cannot be delivered: that must be an error, and the answer
    # must not go into whatever file the program (or curl) opens next as fd 1.
    r = run(None, argv=["sh", "-c", 'exec "$0" "$@" >&-', G.bin, "-p", "/sim words 50"])
    check(r.rc != 0, "exit 0 although the answer was delivered nowhere", r)
    check(re.search(r"standard output|stdout|write", r.stderr, re.I) is not None,
          "stderr should say that stdout cannot be written", r)


@test
def stdout_write_error():
    # stdout is /dev/full: a write error is not an interruption (130)
    if not os.path.exists("/dev/full"):
        return
    with open("/dev/full", "wb") as full:
        p = subprocess.run([G.bin, "-p", "/sim words 50"], env=base_env(), stdin=subprocess.DEVNULL,
                           stdout=full, stderr=subprocess.PIPE, timeout=TIMEOUT)
    OUTPUTS.append((G.current, b"", p.stderr))
    r = Result(p.returncode, b"", p.stderr, 0)
    check(r.rc not in (0, 130), "exit %r: want a failure other than 'interrupted'" % r.rc, r)
    check("interrupted" not in r.stderr, "a full disk is not an interruption", r)
    check(re.search(r"standard output|stdout|write", r.stderr, re.I) is not None,
          "stderr should say that stdout cannot be written", r)


@test
def tty_stdin():
    import pty
    master, slave = pty.openpty()
    try:
        def tty_run(args):
            p = subprocess.run([G.bin] + args, env=base_env(), stdin=slave,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
            OUTPUTS.append((G.current, p.stdout, p.stderr))
            return Result(p.returncode, p.stdout, p.stderr, 0)
        # a terminal on stdin is not read: the argument is the prompt
        expect_answer(tty_run(["-p", "from a terminal"]), answer_for("from a terminal"))
        G.sim.reset()
        r = tty_run(["-p"])
        expect_fail(r, 2, "no prompt")
        check(G.sim.requests() == [], "nothing may be sent")
    finally:
        os.close(master)
        os.close(slave)


@test
def sigint_stops_quickly():
    # a shell without job control starts background jobs with SIGINT ignored,
    # and that is inherited: give the binary the default disposition
    p = subprocess.Popen([G.bin, "-p", "/sim slow 100\n/sim words 100"], env=base_env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        ready = select.select([p.stdout], [], [], TIMEOUT)[0]
        first = os.read(p.stdout.fileno(), 2) if ready else b""
        p.send_signal(signal.SIGINT)
        t0 = time.monotonic()
        out, err = p.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Fail("hang after SIGINT")
    OUTPUTS.append((G.current, first + out, err))
    r = Result(p.returncode, first + out, err, time.monotonic() - t0)
    check(first == b"w1", "first text", r)
    # 130 from the program, or death by SIGINT (the shell shows 130 too)
    check(p.returncode in (130, -signal.SIGINT), "exit %r, want 130" % p.returncode, r)
    check(r.elapsed < 2, "took %.1fs to stop" % r.elapsed)
    check(not r.out.endswith(words(100).encode() + b"\n"), "the whole answer arrived anyway")


@test
def verbose_output():
    r = run(["--verbose", "-p", "hello there"])
    check(r.rc == 0 and r.out == (answer_for("hello there") + "\n").encode(),
          "stdout is just the answer", r)
    q = only_request()
    s = r.stderr
    for needle in ("model %s" % DEFAULT_MODEL, "region us-east-1", "endpoint %s" % G.sim.endpoint,
                   "request id %s" % q["request_id"], "usage: 11 input, 9 output tokens",
                   "stop: end_turn", "timings:", "first byte", "total"):
        check(needle in s, "verbose output lacks %r" % needle, r)
    check(all(l.startswith("bedrock-claude: ") for l in r.err_lines), "line prefix", r)
    no_secrets(r)


@test
def debug_redacts_secrets():
    r = run(["--debug", "-p", "hello"], env=session_env())
    check(r.rc == 0 and r.out == (answer_for("hello") + "\n").encode(),
          "stdout is just the answer", r)
    s = r.stderr
    for needle in ("> POST %s/model/" % G.sim.endpoint, "Authorization: [redacted]",
                   "X-Amz-Security-Token: [redacted]", "X-Amz-Date:", "< HTTP 200",
                   "x-amzn-RequestId:", "usage:"):
        check(needle in s, "debug output lacks %r" % needle, r)
    for bad in ("AWS4-HMAC-SHA256", "Signature=", "Credential="):
        check(bad not in s, "debug output shows %r" % bad, r)
    no_secrets(r)


# ============================================================================
# 20. Secrets never appear (keep last)
# ============================================================================
def written_files(root):
    """Every file the binary keeps (sessions, ledger, chat history: anything
    under a bedrock-claude state directory) below root."""
    for d, _, files in os.walk(root):
        if "bedrock-claude" in d.split(os.sep):
            for f in files:
                yield os.path.join(d, f)


def sweep_written(root, secrets=None):
    """Secrets (and signatures) found in what the binary wrote to disk."""
    leaks, n = [], 0
    for path in written_files(root):
        n += 1
        with open(path, "rb") as fh:
            blob = fh.read()
        for sec in secrets or SECRETS:
            if sec.encode() in blob:
                leaks.append("%s holds %s..." % (os.path.relpath(path, root), sec[:6]))
        if re.search(rb"Signature=[0-9a-fA-F]{8}", blob):
            leaks.append("%s holds a Signature= value" % os.path.relpath(path, root))
    return leaks, n


@test
def secrets_never_appear():
    leaks = []
    sig = re.compile(rb"Signature=[0-9a-fA-F]{8}")
    for name, out, err in OUTPUTS:
        blob = out + err
        for s in SECRETS:
            if s.encode() in blob:
                leaks.append("%s shows %s..." % (name, s[:8]))
        if sig.search(blob):
            leaks.append("%s shows a Signature= value" % name)
    check(len(OUTPUTS) > 1 or G.only, "no outputs collected")
    wl, n = sweep_written(G.tmp)
    check(n > 0 or G.only, "no session or ledger file was written to sweep")
    check(not leaks + wl, "secrets leaked: " + "; ".join(sorted(set(leaks + wl))))


def run_suite(tag, tests, sim_args, setup=None):
    """The runner of the suites that reuse this harness (e2e_product.py,
    e2e_faults.py...): parse --bin/-k/-v, start one simulator with sim_args,
    run each (name, fn) after setup(name) and a reset, check each test's
    output for secrets, then sweep everything printed and every file the
    binary wrote; print `TAG: N passed, M failed`."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "bedrock-claude"))
    ap.add_argument("-k", dest="only", default=None)
    ap.add_argument("-v", dest="verbose", action="store_true")
    a = ap.parse_args()
    G.bin, G.only = os.path.abspath(a.bin), a.only
    selected = [(n, f) for n, f in tests if a.only is None or a.only in n]
    passed = failed = 0
    G.tmp = tempfile.mkdtemp(prefix="bedrock-%s-" % tag)
    G.home = os.path.join(G.tmp, "home")
    os.makedirs(G.home)
    try:
        try:
            G.sim = Sim(G.tmp, sim_args)
        except (RuntimeError, OSError) as e:
            sys.stderr.write("FAIL setup: %s\n" % e)
            print("%s: 0 passed, 1 failed" % tag, flush=True)
            return 1
        for name, fn in selected:
            G.current = name
            t0 = time.monotonic()
            try:
                if setup is not None:
                    setup(name)
                G.sim.reset()
                G.sim.clock(0)
                fn()
                no_secrets(Result(0, b"".join(o[1] + o[2] for o in OUTPUTS if o[0] == name),
                                  b"", 0))
            except Fail as e:
                failed += 1
                sys.stderr.write("FAIL %s: %s\n" % (name, e))
            except Exception as e:
                failed += 1
                sys.stderr.write("FAIL %s: test error: %s: %s\n" % (name, type(e).__name__, e))
                if a.verbose:
                    sys.stderr.write("  " + traceback.format_exc().strip().replace("\n", "\n  ")
                                     + "\n")
            else:
                passed += 1
                if a.verbose:
                    print("ok %s (%.2fs)" % (name, time.monotonic() - t0), flush=True)
            sys.stderr.flush()
        # what every test printed and every file the binary wrote
        leaks, n = sweep_written(G.tmp)
        for name, out, err in OUTPUTS:
            for sec in SECRETS:
                if sec.encode() in out + err:
                    leaks.append("%s printed %s..." % (name, sec[:6]))
        if leaks or (n == 0 and a.only is None):
            failed += 1
            sys.stderr.write("FAIL secret sweep: %s\n" % ("; ".join(sorted(set(leaks)))
                                                        or "no files to sweep"))
        else:
            passed += 1
    finally:
        if G.sim is not None:
            G.sim.stop()
        shutil.rmtree(G.tmp, ignore_errors=True)
    print("%s: %d passed, %d failed" % (tag, passed, failed), flush=True)
    return 0 if failed == 0 else 1


# ============================================================================
# Main
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
        print("e2e: 0 passed, 1 failed", flush=True)
        return 1
    G.tmp = tempfile.mkdtemp(prefix="bedrock-e2e-")
    G.home = os.path.join(G.tmp, "home")
    os.makedirs(G.home)
    try:
        try:
            G.sim = Sim(G.tmp, ["--cred", "%s:%s" % (AKID, SECRET),
                                "--cred", "%s:%s:%s" % (S_AKID, S_SECRET, S_TOKEN)])
        except (RuntimeError, OSError) as e:
            sys.stderr.write("FAIL setup: %s\n" % e)
            print("e2e: 0 passed, 1 failed", flush=True)
            return 1
        t_all = time.monotonic()
        for name, fn in selected:
            G.current = name
            pos = G.sim.log_size()
            t0 = time.monotonic()
            try:
                G.sim.reset()
                fn()
            except Fail as e:
                failed += 1
                sys.stderr.write("FAIL %s: %s\n" % (name, e))
                if a.verbose:
                    sys.stderr.write("  simulator log:\n" + "".join(
                        "    " + l + "\n" for l in G.sim.log_since(pos).splitlines()[-15:]))
            except Exception as e:  # a bug in the test, or a hang in a raw subprocess call
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
        if G.sim is not None:
            G.sim.stop()
        shutil.rmtree(G.tmp, ignore_errors=True)
    print("e2e: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
