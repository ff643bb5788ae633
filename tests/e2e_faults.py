#!/usr/bin/env python3
"""Fault recovery end to end: retries, resumed streams, clock skew, signals.

    python3 tests/e2e_faults.py [--bin ./bedrock-claude] [-k SUBSTRING] [-v]

Each test queues faults at the simulator and runs the binary with its
default retry settings.  The rule checked everywhere: stdout carries the
complete answer exactly once (no text twice, none lost), or the run fails
with its documented exit code and a clear message.  The json result and the
session always hold exactly one complete answer.  Reuses tests/e2e.py's
harness; prints `e2e-faults: N passed, M failed`.
"""

import json
import os
import select
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import e2e as E  # noqa: E402

check, Fail = E.check, E.Fail
FULL = E.words(60)
EXCEPTIONS = ("throttlingException", "modelStreamErrorException", "internalServerException",
              "serviceUnavailableException", "modelTimeoutException")
TESTS = []


def test(fn):
    TESTS.append((fn.__name__, fn))
    return fn


class T:
    dir = state = None


def env(**kw):
    """The harness's environment with the default retry behaviour."""
    base = dict(XDG_STATE_HOME=T.state, AWS_MAX_ATTEMPTS=None)
    base.update(kw)
    return E.base_env(**base)


def run(args, stdin=None, timeout=60, **kw):
    return E.run(args, env=env(**kw), stdin=stdin, timeout=timeout)


def ask(prompt, *extra, **kw):
    return run(["-p", prompt] + list(extra), **kw)


def once(r, text=FULL):
    """The complete answer exactly once on stdout, exit 0."""
    want = (text + "\n").encode()
    check(r.rc == 0, "exit %r, want 0" % r.rc, r)
    check(r.out == want, "stdout must be the answer exactly once: %r" % r.out[-200:], r)


def nreq():
    return len(E.G.sim.requests())


def session_answers():
    d = os.path.join(T.state, "bedrock-claude", "sessions")
    files = os.listdir(d)
    check(len(files) == 1, "one session: %r" % files)
    with open(os.path.join(d, files[0])) as fh:
        return [json.loads(l) for l in fh if '"assistant"' in l]


# ---- retried before any text ------------------------------------------------
@test
def throttled_429_twice():
    E.G.sim.fault({"kind": "error", "status": 429, "type": "ThrottlingException",
                   "message": "Too many tokens, please wait before trying again.", "times": 2})
    r = ask("/sim words 60")
    once(r)
    check(nreq() == 3, "three requests, got %d" % nreq())


@test
def throttled_retry_after_honoured():
    E.G.sim.fault({"kind": "error", "status": 429, "type": "ThrottlingException",
                   "message": "slow down", "retry_after": 2})
    r = ask("/sim words 60")
    once(r)
    check(r.elapsed >= 1.9, "waited %.2fs, Retry-After said 2" % r.elapsed)
    check("throttled" in r.stderr and "retrying in 2.0 s, attempt 2 of 8" in r.stderr,
          "says it waits", r)


@test
def server_error_500():
    E.G.sim.fault({"kind": "error", "status": 500, "type": "InternalServerException",
                   "message": "internal"})
    once(ask("/sim words 60"))
    check(nreq() == 2, "two requests")


@test
def unavailable_503_three_times():
    E.G.sim.fault({"kind": "error", "status": 503, "type": "ServiceUnavailableException",
                   "message": "down", "times": 3})
    once(ask("/sim words 60"))
    check(nreq() == 4, "four requests")


@test
def proxy_502_html_retried():
    E.G.sim.fault({"kind": "raw_response", "status": 502})
    once(ask("/sim words 60"))


@test
def gives_up_after_max_attempts():
    E.G.sim.fault({"kind": "error", "status": 503, "type": "ServiceUnavailableException",
                   "message": "down", "times": 10})
    r = ask("/sim words 60", AWS_MAX_ATTEMPTS="3")
    check(r.rc == 1 and r.out == b"", "exit 1, nothing on stdout", r)
    check(nreq() == 3, "AWS_MAX_ATTEMPTS=3: %d requests" % nreq())
    check("ServiceUnavailableException" in r.err_lines[-1], "last line names the error", r)


@test
def attempts_from_each_source():
    fault = {"kind": "error", "status": 503, "type": "ServiceUnavailableException",
             "message": "down", "times": 10}
    for args, kw, want in (
            (["--max-retries", "1"], {}, 2),
            ([], {"CLAUDE_CODE_MAX_RETRIES": "2"}, 3),
            ([], {"AWS_MAX_ATTEMPTS": "1"}, 1)):
        E.G.sim.reset()
        E.G.sim.fault(fault)
        r = ask("x", *args, **kw)
        check(r.rc == 1 and nreq() == want, "%r %r: %d requests, want %d" % (args, kw, nreq(), want), r)
    # the profile's max_attempts
    cfg = os.path.join(T.dir, "config")
    with open(cfg, "w") as fh:
        fh.write("[default]\nmax_attempts = 2\n")
    E.G.sim.reset()
    E.G.sim.fault(fault)
    r = ask("x", AWS_CONFIG_FILE=cfg)
    check(r.rc == 1 and nreq() == 2, "profile max_attempts = 2: %d requests" % nreq(), r)


@test
def non_retryable_stops_at_once():
    E.G.sim.fault({"kind": "error", "status": 403, "type": "AccessDeniedException",
                   "message": "not allowed"})
    r = ask("x")
    E.expect_fail(r, 1, "AccessDeniedException", "fix:")
    check(nreq() == 1, "one request")


@test
def adaptive_mode_recovers():
    E.G.sim.fault({"kind": "error", "status": 429, "type": "ThrottlingException",
                   "message": "slow down", "times": 2})
    r = ask("/sim words 60", "--verbose", AWS_RETRY_MODE="adaptive")
    check(r.rc == 0 and r.out == (FULL + "\n").encode(), "answers", r)
    check("attempt 3 of 8" in r.stderr, "verbose shows every attempt", r)


@test
def expired_token_on_temporary_credentials():
    E.G.sim.fault({"kind": "error", "status": 403, "type": "ExpiredTokenException",
                   "message": "The security token included in the request is expired"})
    r = E.run(["-p", "/sim words 60"], env=E.session_env(XDG_STATE_HOME=T.state,
                                                           AWS_MAX_ATTEMPTS=None))
    once(r)
    check(nreq() == 2, "resolved again and retried once")


@test
def clock_skew_15_minutes():
    for off in (900, -900):
        E.G.sim.reset()
        E.G.sim.clock(off)
        r = ask("/sim words 60")
        check(r.rc == 0 and r.out == (FULL + "\n").encode(), "answers despite %+d s" % off, r)
        check("clock" in r.stderr and "NTP" in r.stderr, "tells to fix the clock", r)
    E.G.sim.clock(0)


@test
def slow_first_byte_3s():
    E.G.sim.fault({"kind": "delay", "first_byte_ms": 3000})
    r = ask("/sim words 60")
    once(r)
    check(r.elapsed >= 2.9 and nreq() == 1, "waited, one request")


# ---- broken after text: the answer continues ----------------------------------
def continued(r, prompt_text="/sim words 60"):
    once(r)
    reqs = E.G.sim.requests()
    check(len(reqs) == 2, "two requests, got %d" % len(reqs))
    msgs = reqs[1]["body"]["messages"]
    check(msgs[-1]["role"] == "assistant", "the retry continues the answer: %r" % msgs[-1:])
    pre = msgs[-1]["content"] if isinstance(msgs[-1]["content"], str) else \
        "".join(b["text"] for b in msgs[-1]["content"])
    check(FULL.startswith(pre) and pre == pre.rstrip() and len(pre) > 0,
          "prefill is what was shown, trailing space trimmed: %r" % pre[-30:])
    check("go on from where it stopped" in r.stderr, "says it continues", r)


@test
def cut_stream_continues():
    E.G.sim.fault({"kind": "cut", "after_events": 12})
    continued(ask("/sim words 60"))


@test
def cut_mid_frame_continues():
    E.G.sim.fault({"kind": "cut_mid_frame", "event": 15})
    continued(ask("/sim words 60"))


@test
def corrupted_crc_continues():
    for which in ("message", "prelude"):
        E.G.sim.reset()
        E.G.sim.fault({"kind": "bad_crc", "event": 10, "which": which})
        continued(ask("/sim words 60"))


@test
def each_stream_exception_continues():
    for et in EXCEPTIONS:
        E.G.sim.reset()
        E.G.sim.fault({"kind": "exception", "after_events": 9, "type": et})
        r = ask("/sim words 60")
        try:
            continued(r)
        except Fail as e:
            raise Fail("%s: %s" % (et, e))


@test
def stream_exception_before_text_retried():
    E.G.sim.fault({"kind": "exception", "after_events": 1, "type": "modelStreamErrorException"})
    once(ask("/sim words 60"))
    check(nreq() == 2, "retried")


@test
def validation_exception_in_stream_not_retried():
    E.G.sim.fault({"kind": "exception", "after_events": 9, "type": "validationException"})
    r = ask("/sim words 60")
    check(r.rc == 1 and nreq() == 1, "no retry for a validation error", r)
    check(FULL.startswith(r.out.decode().rstrip("\n")), "a prefix was shown", r)
    check("incomplete" in r.stderr, "says the answer is incomplete", r)


@test
def idle_stream_continues():
    # no byte for API_TIMEOUT_MS: the stream is abandoned and continued
    E.G.sim.fault({"kind": "stall", "after_events": 10, "ms": 4000})
    r = ask("/sim words 60", API_TIMEOUT_MS="1500")
    continued(r)


@test
def stream_without_message_stop_continues():
    E.G.sim.fault({"kind": "no_stop"})
    r = ask("/sim words 60")
    once(r)
    check(nreq() == 2, "retried")


@test
def continuation_refused_restarts_in_full():
    E.G.sim.fault({"kind": "cut", "after_events": 12})
    prompt = "/sim no-prefill\n/sim words 60"
    r = ask(prompt)
    check(r.rc == 0, "exit 0", r)
    out = r.out.decode()
    check(out.endswith("\n" + FULL + "\n") and FULL.startswith(out[:-len(FULL) - 2]),
          "a cut prefix, then the whole answer on its own line: %r" % out[:80])
    check("restarts from the beginning" in r.stderr, "says the answer restarts", r)
    check(nreq() == 3, "cut, refused prefill, full retry: %d" % nreq())
    a = session_answers()
    check(len(a) == 1 and a[0]["text"] == FULL, "the session holds one answer: %r" % a)
    # json: one complete answer
    E.G.sim.reset()
    E.G.sim.fault({"kind": "cut", "after_events": 12})
    r = ask(prompt, "--output-format", "json")
    d = json.loads(r.out)
    check(r.rc == 0 and d["result"] == FULL, "json result is the one answer: %r" % d["result"][:80])


@test
def json_and_session_hold_one_answer_after_continuation():
    E.G.sim.fault({"kind": "cut", "after_events": 12})
    r = ask("/sim words 60", "--output-format", "stream-json", "--verbose")
    lines = [json.loads(l) for l in r.out.decode().splitlines()]
    check(r.rc == 0 and lines[-1]["result"] == FULL, "result %r" % lines[-1])
    check(lines[-2]["type"] == "assistant" and
          lines[-2]["message"]["content"][0]["text"] == FULL, "assistant message")
    a = session_answers()
    check(len(a) == 1 and a[0]["text"] == FULL and "interrupted" not in a[0], "session %r" % a)
    check(a[0]["usage"]["input_tokens"] > 0, "usage of both attempts counted")


# ---- signals and pipes ----------------------------------------------------------
@test
def sigint_keeps_partial_exit_130():
    p = subprocess.Popen([E.G.bin, "-p", "/sim slow 100\n/sim words 200"], env=env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    first = b""
    while b"w3 " not in first:
        if not select.select([p.stdout], [], [], 20)[0]:
            p.kill()
            raise Fail("no text")
        first += os.read(p.stdout.fileno(), 100)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    E.OUTPUTS.append((E.G.current, first + out, err))
    check(p.returncode == 130, "exit %r; %r" % (p.returncode, err))
    a = session_answers()
    check(a[0].get("interrupted") is True, "kept, marked interrupted")
    check(nreq() == 1, "an interrupt is not retried")


@test
def sigterm_during_backoff_stops():
    E.G.sim.fault({"kind": "error", "status": 503, "type": "ServiceUnavailableException",
                   "message": "down", "retry_after": 30})
    p = subprocess.Popen([E.G.bin, "-p", "x"], env=env(), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while nreq() < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)
    t0 = time.monotonic()
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=10)
    E.OUTPUTS.append((E.G.current, out, err))
    check(time.monotonic() - t0 < 2, "the 30 s wait was cut short")
    check(p.returncode == 143, "exit %r, want 143; %r" % (p.returncode, err))


@test
def closed_pipe_ends_quietly():
    p = subprocess.run("'%s' -p '/sim words 5000' | head -c 20 >/dev/null; echo ${PIPESTATUS[0]}"
                       % E.G.bin, shell=True, executable="/bin/bash", env=env(),
                       capture_output=True, timeout=30)
    E.OUTPUTS.append((E.G.current, p.stdout, p.stderr))
    check(p.stdout.strip() == b"0", "exit status %r" % p.stdout, None)
    check(p.stderr == b"", "nothing on stderr: %r" % p.stderr)


# ---- oversized inputs -------------------------------------------------------------
@test
def reply_of_100_mb_is_cut_at_16_mib():
    r = ask("/sim bytes 100000000", timeout=120)
    check(r.rc == 5, "exit %r, want 5" % r.rc, r)
    check(len(r.out) in (16 * 1024 * 1024, 16 * 1024 * 1024 + 1), "16 MiB shown: %d" % len(r.out))
    check("passed 16 MiB" in r.stderr and "incomplete" in r.stderr, "says why", r)
    check(nreq() == 1, "not retried")


@test
def header_line_of_1_mb():
    E.G.sim.fault({"kind": "raw_response", "status": 200,
                   "content_type": "application/vnd.amazon.eventstream",
                   "headers": {"X-Big": "a" * (1024 * 1024)}})
    r = ask("hi", AWS_MAX_ATTEMPTS="1")
    E.expect_fail(r, 5, "too large", "100 KiB")


@test
def config_file_of_10_mb():
    cfg = os.path.join(T.dir, "config")
    with open(cfg, "w") as fh:
        fh.write("[default]\nregion = us-east-1\n")
        fh.write("[profile p]\nregion = us-west-2\n" * 350000)
    check(os.path.getsize(cfg) > 10 * 1000 * 1000, "the file is 10 MB")
    r = ask("hi", AWS_CONFIG_FILE=cfg)
    E.expect_fail(r, 2, cfg, "1 MiB")
    check(nreq() == 0, "nothing sent")


@test
def session_of_10001_messages():
    sid = "0b9a3c7e-1f2d-4e5f-9a8b-7c6d5e4f3a2b"
    d = os.path.join(T.state, "bedrock-claude", "sessions")
    os.makedirs(d, mode=0o700)
    with open(os.path.join(d, sid + ".jsonl"), "w") as fh:
        fh.write(json.dumps({"type": "session", "id": sid, "cwd": os.getcwd(),
                             "created": "2026-11-25T12:00:00Z", "model": "m",
                             "region": "us-east-1", "version": 1}) + "\n")
        for i in range(10001):
            role = "user" if i % 2 == 0 else "assistant"
            fh.write(json.dumps({"type": role, "time": "2026-11-25T12:00:00Z",
                                 "text": "turn %d" % i}) + "\n")
    r = ask("one more", "-r", sid)
    E.expect_fail(r, 2, "10000")
    check(nreq() == 0, "nothing sent")


# ============================================================================
def setup(name):
    T.dir = os.path.join(E.G.tmp, "t-" + name)
    T.state = os.path.join(T.dir, "state")
    os.makedirs(T.state)


def main():
    return E.run_suite("e2e-faults", TESTS, ["--cred", "%s:%s" % (E.AKID, E.SECRET), "--cred", "%s:%s:%s" % (E.S_AKID, E.S_SECRET, E.S_TOKEN)], setup)


if __name__ == "__main__":
    sys.exit(main())
