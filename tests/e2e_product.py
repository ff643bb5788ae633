#!/usr/bin/env python3
"""End-to-end tests of the command-line product against the simulator: the
chat on a real terminal, sessions, settings, Claude Code's environment, the
output formats, the budget, the usage ledger, `make install` and the seed's
shell examples through the `claude` link.

    python3 tests/e2e_product.py [--bin ./bedrock-claude] [-k SUBSTRING] [-v]

Reuses tests/e2e.py's harness (simulator, clean environments, secret
sweep).  Each test gets its own state and config directories.  Prints
`e2e-product: N passed, M failed`; exit status 0 iff nothing failed.

The chat runs on a pty that is the binary's controlling terminal, so Ctrl-C
is the terminal's SIGINT and the line editor really goes raw.
"""

import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import e2e as E  # noqa: E402  (the shared harness)

check, Fail, answer_for = E.check, E.Fail, E.answer_for
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ANSI_RE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\r")
SEED_SONNET = "anthropic.claude-3-sonnet-20240229-v1:0"
SEED_HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
SEED_SONNET35 = "anthropic.claude-3-5-sonnet-20240620-v1:0"

TESTS = []


def test(fn):
    TESTS.append((fn.__name__, fn))
    return fn


class T:
    """Per-test directories."""
    dir = state = config = None


def env(**kw):
    """e2e's clean environment with this test's state and config homes."""
    base = dict(XDG_STATE_HOME=T.state, XDG_CONFIG_HOME=T.config)
    base.update(kw)
    return E.base_env(**base)


def run(args, stdin=None, **kw):
    return E.run(args, env=env(**kw), stdin=stdin)


def sessions():
    d = os.path.join(T.state, "bedrock-claude", "sessions")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def session_lines(sid):
    p = os.path.join(T.state, "bedrock-claude", "sessions", sid + ".jsonl")
    with open(p, encoding="utf-8") as fh:
        return [json.loads(l) for l in fh]


def only_session():
    s = sessions()
    check(len(s) == 1, "expected one session file, got %r" % s)
    return s[0][:-len(".jsonl")]


def req_messages(i=-1):
    reqs = E.G.sim.requests()
    check(reqs, "no request reached the simulator")
    return reqs[i]["body"]["messages"]


def msg_text(m):
    c = m["content"]
    return c if isinstance(c, str) else "".join(b.get("text", "") for b in c)


def req_model(i=-1):
    return E.G.sim.requests()[i]["model_id"]


# ============================================================================
# A chat on a pty
# ============================================================================
class Chat:
    def __init__(self, args=(), rows=30, cols=120, stdout_pipe=False, **envkw):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.attrs_before = termios.tcgetattr(slave)
        self.attrs_after = None
        e = env(TERM="xterm", **envkw)

        def child():
            # a shell without job control starts background jobs with
            # SIGINT ignored, and the program keeps an ignored signal
            # ignored (as nohup wants): the terminal's ^C must reach it
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        self.p = subprocess.Popen([E.G.bin] + list(args), stdin=slave,
                                  stdout=subprocess.PIPE if stdout_pipe else slave,
                                  stderr=slave, env=e, preexec_fn=child, close_fds=True)
        os.close(slave)
        self.raw = b""
        self.pos = 0     # expect() consumed up to here (in the cleaned text)

    @property
    def text(self):
        return ANSI_RE.sub(b"", self.raw).decode("utf-8", "replace")

    def pump(self, secs):
        end = time.monotonic() + secs
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r = select.select([self.master], [], [], left)[0]
            if not r:
                return
            try:
                b = os.read(self.master, 65536)
            except OSError:
                return
            if not b:
                return
            self.raw += b

    def expect(self, pattern, timeout=E.TIMEOUT):
        """Wait for pattern (a regex) in the cleaned screen text after what
        the last expect() matched; returns the match."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0 or self.p.poll() is not None and not select.select(
                    [self.master], [], [], 0.2)[0]:
                raise Fail("chat: %r not seen; screen tail %r" % (pattern, self.text[-600:]))
            self.pump(min(left, 0.1))

    def prompt(self):
        r = self.expect(r"us-east-1> $|us-east-1> ", timeout=E.TIMEOUT)
        # the prompt is drawn just before the editor makes the terminal
        # raw: keys sent in between would meet the cooked terminal (a
        # slow ASan build lost such a ^C), so wait for ICANON to go
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            try:
                if not termios.tcgetattr(self.master)[3] & termios.ICANON:
                    break
            except termios.error:
                break
            self.pump(0.02)
        return r

    def send(self, s):
        os.write(self.master, s.encode("utf-8") if isinstance(s, str) else s)

    def line(self, s):
        self.send(s + "\r")

    def close(self, timeout=10):
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise Fail("chat did not exit; screen tail %r" % self.text[-600:])
        self.pump(0.2)
        self.attrs_after = termios.tcgetattr(self.master)
        out = self.p.stdout.read() if self.p.stdout else b""
        E.OUTPUTS.append((E.G.current, self.raw + out, b""))
        os.close(self.master)
        return rc, out

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        try:
            os.close(self.master)
        except OSError:
            pass


def chat(*args, **kw):
    c = Chat(args, **kw)
    try:
        c.expect(r"/help for commands")
        return c
    except Exception:
        c.kill()
        raise


@test
def chat_basic_turns_and_exit():
    c = chat()
    try:
        c.expect(r"sonnet 5\.5 · us-east-1> ")
        c.line("hello there")
        c.expect(re.escape(answer_for("hello there")))
        c.prompt()
        c.line("and again")
        c.expect(re.escape(answer_for("and again")))
        c.prompt()
        c.line("/exit")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)
    check("resume with: bedrock-claude -r" in c.text, "says how to resume")
    msgs = req_messages()
    check([m["role"] for m in msgs] == ["user", "assistant", "user"],
          "second request carries the conversation: %r" % msgs)
    check(msg_text(msgs[1]) == answer_for("hello there"), "assistant turn as shown")
    sid = only_session()
    kinds = [l["type"] for l in session_lines(sid)]
    check(kinds == ["session", "user", "assistant", "user", "assistant"], "session %r" % kinds)


@test
def chat_ctrl_d_leaves():
    c = chat()
    try:
        c.prompt()
        c.send(b"\x04")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "Ctrl-D exit %r" % rc)
    check(E.G.sim.requests() == [], "nothing sent")
    check(sessions() == [], "an empty chat leaves no session file")


@test
def chat_ctrl_c_stops_reply_keeps_conversation():
    c = chat()
    try:
        c.prompt()
        c.line("//sim slow 100\n/sim words 200")
        c.expect(r"w3 ")
        c.send(b"\x03")
        c.expect(r"\[interrupted; the partial answer is kept")
        c.prompt()
        c.line("go on")
        c.expect(re.escape(answer_for("go on")))
        c.prompt()
        c.send(b"\x04")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)
    msgs = req_messages()
    check([m["role"] for m in msgs] == ["user", "assistant", "user"], "roles %r" % msgs)
    partial = msg_text(msgs[1])
    check(partial.startswith("w1 w2 w3") and "w200" not in partial,
          "the partial answer is the assistant turn: %r" % partial[:80])
    lines = session_lines(only_session())
    a = [l for l in lines if l["type"] == "assistant"]
    check(a[0].get("interrupted") is True and a[0]["text"] == partial,
          "session marks it interrupted: %r" % a[0])


@test
def chat_type_ahead_during_reply():
    c = chat()
    try:
        c.prompt()
        c.line("//sim slow 50\n/sim words 40")
        c.expect(r"w2 ")
        c.send("typed ahead\r")         # while the reply streams
        c.expect(r"w40\n")
        c.expect(re.escape(answer_for("typed ahead")))
        c.prompt()
        c.line("/exit")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)
    reply = c.text[c.text.find("w1 "):c.text.find("w40") + 3]
    check("typed ahead" not in reply, "type-ahead is not echoed into the reply: %r" % reply)
    check(msg_text(req_messages()[-1]) == "typed ahead", "sent after the reply, once")


@test
def chat_ctrl_c_at_prompt_clears_line():
    c = chat()
    try:
        c.prompt()
        c.send("typed but dropped")
        c.pump(0.3)
        c.send(b"\x03")
        c.prompt()
        c.line("kept")
        c.expect(re.escape(answer_for("kept")))
        c.line("/exit")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)
    check(msg_text(req_messages()[0]) == "kept", "only the second line was sent")


@test
def chat_multiline_input():
    c = chat()
    try:
        c.prompt()
        c.send("first line\\")
        c.send("\r")
        c.send("second line")
        c.send(b"\x1b\r")          # Alt-Enter: another newline
        c.line("third")
        c.expect(r"You said: first line")
        c.line("/exit")
        c.close()
    finally:
        c.kill()
    check(msg_text(req_messages()[0]) == "first line\nsecond line\nthird",
          "multi-line text %r" % msg_text(req_messages()[0]))


@test
def chat_slash_model_cost_help_unknown():
    c = chat()
    try:
        c.prompt()
        c.line("/help")
        c.expect(r"/model \[NAME\]")
        c.prompt()
        c.line("/model")
        c.expect(r"model us\.anthropic\.claude-sonnet-5-5 ")
        c.prompt()
        c.line("/model haiku")
        c.expect(r"model us\.anthropic\.claude-haiku-5-5")
        c.expect(r"haiku 5\.5 · us-east-1> ")
        c.line("on haiku")
        c.expect(re.escape(answer_for("on haiku")))
        c.prompt()
        c.line("/model no-such-model-xyz")
        c.expect(r"model 'no-such-model-xyz'")
        c.expect(r"haiku 5\.5 · us-east-1> ")
        c.line("/cost")
        m = c.expect(r"tokens: (\d+) input, (\d+) output.*\n.*cost: \$(\d+\.\d+)")
        check(int(m.group(1)) > 0 and int(m.group(2)) > 0, "token counts %r" % m.group(0))
        c.prompt()
        c.line("/frobnicate")
        c.expect(r"unknown command /frobnicate")
        c.prompt()
        c.line("/quit")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)
    check("claude-haiku-5-5" in req_model(), "sent to haiku: %r" % req_model())
    lines = session_lines(only_session())
    check(any(l["type"] in ("session", "model") and "haiku" in l["model"] for l in lines),
          "/model is recorded in the session: %r" % lines[:2])


@test
def chat_clear_starts_new_conversation():
    c = chat()
    try:
        c.prompt()
        c.line("one")
        c.expect(re.escape(answer_for("one")))
        c.prompt()
        c.line("/clear")
        m = c.expect(r"new conversation (" + UUID_RE.pattern + ")")
        c.prompt()
        c.line("two")
        c.expect(re.escape(answer_for("two")))
        c.line("/exit")
        c.close()
    finally:
        c.kill()
    check(len(req_messages()) == 1, "after /clear only the new message is sent")
    check(len(sessions()) == 2 and m.group(1) + ".jsonl" in sessions(), "two sessions")


@test
def chat_history_file_and_recall():
    c = chat()
    try:
        c.prompt()
        c.line("remember me")
        c.expect(re.escape(answer_for("remember me")))
        c.line("/exit")
        c.close()
    finally:
        c.kill()
    h = os.path.join(T.state, "bedrock-claude", "history")
    check(os.path.exists(h), "history file written")
    check(stat.S_IMODE(os.stat(h).st_mode) == 0o600, "history is 0600")
    E.G.sim.reset()
    c = chat()
    try:
        c.prompt()
        c.send(b"\x1b[A\x1b[A")    # Up twice: /exit, then "remember me"
        c.pump(0.3)
        c.send("\r")
        c.expect(re.escape(answer_for("remember me")))
        c.line("/exit")
        c.close()
    finally:
        c.kill()
    check(msg_text(req_messages()[0]) == "remember me", "recalled from the history file")


@test
def chat_continue_after_print_mode():
    r = run(["-p", "from print mode"])
    E.expect_answer(r, answer_for("from print mode"))
    E.G.sim.reset()
    c = chat("-c")
    try:
        check("(resumed)" in c.text, "says it resumed: %r" % c.text[:300])
        c.prompt()
        c.line("and from the chat")
        c.expect(re.escape(answer_for("and from the chat")))
        c.line("/exit")
        c.close()
    finally:
        c.kill()
    msgs = req_messages()
    check([msg_text(m) for m in msgs] == ["from print mode", answer_for("from print mode"),
                                          "and from the chat"], "resumed: %r" % msgs)
    check(len(sessions()) == 1, "the same session file")


@test
def chat_error_then_goes_on():
    E.G.sim.fault({"kind": "error", "status": 403, "type": "AccessDeniedException",
                   "message": "User is not authorized to perform: bedrock:InvokeModelWithResponseStream"})
    c = chat()
    try:
        c.prompt()
        c.line("first try")
        c.expect(r"AccessDeniedException")
        c.prompt()
        c.line("second try")
        c.expect(r"You said: first try\n\nsecond try")
        c.line("/exit")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)
    check([m["role"] for m in req_messages()] == ["user"],
          "the failed prompt joins the next: %r" % req_messages())


@test
def chat_initial_prompt_argument():
    c = chat("what is two plus two")
    try:
        c.expect(re.escape(answer_for("what is two plus two")))
        c.prompt()
        c.send(b"\x04")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)


@test
def chat_stdout_piped_stays_plain():
    c = Chat((), stdout_pipe=True)
    try:
        c.expect(r"/help for commands")
        c.prompt()
        c.line("plain please")
        time.sleep(1.0)
        c.pump(0.5)
        c.line("/exit")
        rc, out = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)
    check(out == (answer_for("plain please") + "\n").encode(),
          "stdout holds only the answer: %r" % out[:200])


@test
def chat_sigterm_at_prompt_restores_terminal():
    c = chat()
    try:
        c.prompt()
        c.send("half typed")
        c.pump(0.3)
        c.p.send_signal(signal.SIGTERM)
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 128 + signal.SIGTERM, "exit %r, want 143" % rc)
    check(c.raw.rfind(b"\x1b[?2004l") > c.raw.rfind(b"\x1b[?2004h"),
          "bracketed paste switched off on the way out")
    check(c.attrs_after == c.attrs_before, "terminal modes restored")


@test
def chat_budget_stops_requests():
    c = chat("--max-budget-usd", "0.00000001")
    try:
        c.prompt()
        c.line("first")
        c.expect(re.escape(answer_for("first")))
        c.prompt()
        c.line("second")
        c.expect(r"--max-budget-usd")
        c.prompt()
        c.line("/exit")
        rc, _ = c.close()
    finally:
        c.kill()
    check(rc == 0, "exit %r" % rc)
    check(len(E.G.sim.requests()) == 1, "no request after the budget is spent")


# ============================================================================
# Sessions in print mode
# ============================================================================
@test
def session_file_modes_and_json_id():
    r = run(["-p", "keep this", "--output-format", "json"])
    check(r.rc == 0, "exit", r)
    doc = json.loads(r.out)
    sid = only_session()
    check(doc["session_id"] == sid, "json session_id %r names the file %r" % (doc["session_id"], sid))
    d = os.path.join(T.state, "bedrock-claude")
    for p in (d, os.path.join(d, "sessions")):
        check(stat.S_IMODE(os.stat(p).st_mode) == 0o700, "%s is 0700" % p)
    f = os.path.join(d, "sessions", sid + ".jsonl")
    check(stat.S_IMODE(os.stat(f).st_mode) == 0o600, "session file is 0600")
    lines = session_lines(sid)
    check([l["type"] for l in lines] == ["session", "user", "assistant"], "lines %r" % lines)
    check(lines[0]["cwd"] == os.getcwd(), "cwd recorded")
    check(lines[2]["text"] == answer_for("keep this") and lines[2]["usage"]["output_tokens"] > 0,
          "answer and usage recorded")


@test
def session_continue_and_resume():
    E.expect_answer(run(["-p", "alpha"]), answer_for("alpha"))
    sid = only_session()
    E.expect_answer(run(["-c", "-p", "beta"]), answer_for("beta"))
    check([msg_text(m) for m in req_messages()] == ["alpha", answer_for("alpha"), "beta"],
          "-c sends the conversation")
    E.expect_answer(run(["-r", sid[:8], "-p", "gamma"]), answer_for("gamma"))
    check(len(req_messages()) == 5, "-r PREFIX resumes: %d messages" % len(req_messages()))
    E.expect_answer(run(["--resume", sid, "-p", "delta"]), answer_for("delta"))
    check(len(sessions()) == 1, "one session throughout")
    r = run(["-r", "00000000-0000-4000-8000-000000000000", "-p", "x"])
    E.expect_fail(r, 2, "session")


@test
def session_continue_is_per_directory():
    E.expect_answer(run(["-p", "here"]), answer_for("here"))
    other = os.path.join(T.dir, "elsewhere")
    os.makedirs(other)
    p = subprocess.run([E.G.bin, "-c", "-p", "there"], cwd=other, env=env(),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=E.TIMEOUT)
    E.OUTPUTS.append((E.G.current, p.stdout, p.stderr))
    check(p.returncode == 2 and b"no conversation to continue" in p.stderr,
          "no session in another directory: %r" % (p.stderr,))
    check(len(E.G.sim.requests()) == 1, "nothing sent from there")


@test
def session_id_flag():
    sid = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"
    E.expect_answer(run(["--session-id", sid.upper(), "-p", "named"]), answer_for("named"))
    check(sessions() == [sid + ".jsonl"], "file named by the id: %r" % sessions())
    E.expect_fail(run(["--session-id", sid, "-p", "again"]), 2, "already")
    E.expect_fail(run(["--session-id", "not-a-uuid", "-p", "x"]), 2, "uuid")


@test
def session_no_persistence():
    E.expect_answer(run(["--no-session-persistence", "-p", "ephemeral"]), answer_for("ephemeral"))
    check(sessions() == [], "no session file")
    check(not os.path.exists(os.path.join(T.state, "bedrock-claude", "ledger.jsonl")),
          "no ledger line either")


@test
def session_without_home_still_answers():
    r = E.run(["-p", "homeless"], env=env(HOME=None, XDG_STATE_HOME=None))
    check(r.rc == 0 and r.out == (answer_for("homeless") + "\n").encode(), "answers", r)
    check("note:" in r.stderr and "HOME" in r.stderr, "says where state would go", r)


@test
def print_mode_sigint_keeps_partial():
    p = subprocess.Popen([E.G.bin, "-p", "/sim slow 100\n/sim words 200"], env=env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    first = b""
    while b"w3 " not in first:
        if not select.select([p.stdout], [], [], E.TIMEOUT)[0]:
            p.kill()
            raise Fail("no text")
        first += os.read(p.stdout.fileno(), 100)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=10)
    E.OUTPUTS.append((E.G.current, first + out, err))
    check(p.returncode == 130, "exit %r, want 130; %r" % (p.returncode, err))
    check(b"interrupted" in err, "says interrupted: %r" % err)
    a = [l for l in session_lines(only_session()) if l["type"] == "assistant"]
    check(len(a) == 1 and a[0].get("interrupted") is True, "partial kept, marked: %r" % a)
    check((first + out).decode().rstrip("\n") == a[0]["text"], "session holds what was shown")


# ============================================================================
# Settings and Claude Code's environment
# ============================================================================
def write_settings(doc, path=None):
    path = path or os.path.join(T.config, "claude-code", "settings.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(doc if isinstance(doc, str) else json.dumps(doc, indent=2))
    return path


@test
def settings_seed_format():
    write_settings({"provider": "bedrock", "model": "haiku",
                    "bedrock": {"region": "us-east-1", "maxRetries": 2, "timeout": 60000},
                    "defaults": {"maxTokens": 777, "temperature": 0.25}})
    r = run(["-p", "with settings"], AWS_REGION=None)
    E.expect_answer(r, answer_for("with settings"))
    q = E.G.sim.requests()[-1]
    check(q["model_id"] == "us.anthropic.claude-haiku-5-5", "model from settings: %r" % q["model_id"])
    check(q["body"]["max_tokens"] == 777 and q["body"]["temperature"] == 0.25, "defaults.* used")
    # flags > env > settings
    E.expect_answer(run(["-p", "x", "--max-tokens", "55"], AWS_REGION=None), answer_for("x"))
    check(E.G.sim.requests()[-1]["body"]["max_tokens"] == 55, "flag beats settings")
    E.expect_answer(run(["-p", "y"], AWS_REGION=None, ANTHROPIC_MODEL="opus"), answer_for("y"))
    check("opus" in req_model(), "env beats settings")


@test
def settings_inference_profile_wins():
    write_settings({"model": "haiku", "bedrock": {"inferenceProfile": E.HAIKU_PROFILE}})
    E.expect_answer(run(["-p", "ip"]), answer_for("ip"))
    check(req_model() == E.HAIKU_PROFILE, "inferenceProfile used: %r" % req_model())


@test
def settings_malformed_names_line_col():
    p = write_settings('{\n  "model": "haiku",\n  "bedrock": {"region": }\n}\n')
    r = run(["-p", "x"])
    E.expect_fail(r, 2, p + ":3:")
    check(E.G.sim.requests() == [], "nothing sent")


@test
def settings_unknown_key_warns():
    write_settings({"model": "haiku", "modle": "x"})
    r = run(["-p", "still works"])
    check(r.rc == 0 and r.out == (answer_for("still works") + "\n").encode(), "answers", r)
    check("warning" in r.stderr and "modle" in r.stderr and "model" in r.stderr, "warns", r)


@test
def settings_flag_file_and_inline():
    p = write_settings({"model": "opus"}, os.path.join(T.dir, "custom.json"))
    E.expect_answer(run(["--settings", p, "-p", "f"]), answer_for("f"))
    check("opus" in req_model(), "--settings FILE: %r" % req_model())
    E.expect_answer(run(["--settings", '{"model":"haiku"}', "-p", "g"]), answer_for("g"))
    check("haiku" in req_model(), "--settings JSON: %r" % req_model())
    E.expect_fail(run(["--settings", os.path.join(T.dir, "missing.json"), "-p", "h"]), 2,
                  "missing.json")


@test
def env_claude_code_variables():
    E.expect_answer(run(["-p", "a"], CLAUDE_CODE_USE_BEDROCK="1", CLAUDE_MODEL="haiku",
                        CLAUDE_CODE_MAX_OUTPUT_TOKENS="321"), answer_for("a"))
    q = E.G.sim.requests()[-1]
    check("haiku" in q["model_id"] and q["body"]["max_tokens"] == 321, "CLAUDE_MODEL, max output")
    E.expect_answer(run(["-p", "b"], ANTHROPIC_DEFAULT_SONNET_MODEL=E.HAIKU_PROFILE),
                    answer_for("b"))
    check(req_model() == E.HAIKU_PROFILE, "sonnet alias redirected: %r" % req_model())
    E.expect_fail(run(["-p", "c"], CLAUDE_PROVIDER="openai"), 2, "provider")
    E.expect_fail(run(["--provider", "anthropic", "-p", "c"]), 2, "provider")
    E.expect_answer(run(["--provider", "bedrock", "-p", "d"]), answer_for("d"))


@test
def env_base_url_and_skip_auth():
    # a gateway that signs for us: no credentials, no Authorization
    r = run(["-p", "via gateway"], AWS_ENDPOINT_URL_BEDROCK_RUNTIME=None,
            ANTHROPIC_BEDROCK_BASE_URL=E.G.sim.endpoint, CLAUDE_CODE_SKIP_BEDROCK_AUTH="1",
            AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    reqs = E.G.sim.requests()
    check(len(reqs) == 1, "reached the base URL", r)
    h = {k.lower(): v for k, v in reqs[0]["headers"].items()}
    check("authorization" not in h, "no signature sent: %r" % sorted(h))


# ============================================================================
# Output formats and the budget
# ============================================================================
@test
def output_json_result():
    r = run(["-p", "as json", "--output-format", "json"])
    check(r.rc == 0, "exit", r)
    d = json.loads(r.out)
    for k, t in (("type", str), ("subtype", str), ("is_error", bool), ("result", str),
                 ("session_id", str), ("num_turns", int), ("duration_ms", int),
                 ("duration_api_ms", int), ("total_cost_usd", (int, float)), ("usage", dict),
                 ("stop_reason", str), ("model", str)):
        check(isinstance(d.get(k), t), "json %s is %r" % (k, d.get(k)))
    check(d["type"] == "result" and d["subtype"] == "success" and not d["is_error"], "success")
    check(d["result"] == answer_for("as json"), "result text")
    check(d["usage"]["input_tokens"] > 0 and d["total_cost_usd"] > 0, "usage and cost")


@test
def output_json_error():
    E.G.sim.fault({"kind": "error", "status": 403, "type": "AccessDeniedException",
                   "message": "not authorized"})
    r = run(["-p", "x", "--output-format", "json"])
    check(r.rc == 1, "exit %r" % r.rc, r)
    d = json.loads(r.out)
    check(d["is_error"] is True and d["subtype"] == "error_during_execution", "error result %r" % d)


@test
def output_stream_json_lines():
    r = run(["-p", "streamed", "--output-format", "stream-json", "--verbose",
             "--include-partial-messages"])
    check(r.rc == 0, "exit", r)
    lines = [json.loads(l) for l in r.out.decode().splitlines()]
    kinds = [l["type"] for l in lines]
    check(kinds[0] == "system" and lines[0].get("subtype") == "init", "init first: %r" % kinds[:2])
    check("stream_event" in kinds, "partial events present")
    check(kinds[-2:] == ["assistant", "result"], "assistant then result: %r" % kinds[-3:])
    text = "".join(l["event"]["delta"].get("text", "") for l in lines
                   if l["type"] == "stream_event" and l["event"].get("type") == "content_block_delta")
    check(text == answer_for("streamed"), "deltas add up: %r" % text)
    check(lines[-1]["result"] == answer_for("streamed"), "result text")
    r = run(["-p", "no partials", "--output-format", "stream-json", "--verbose"])
    kinds = [json.loads(l)["type"] for l in r.out.decode().splitlines()]
    check("stream_event" not in kinds, "no partial events unless asked: %r" % kinds)


@test
def budget_stops_print_mode():
    E.expect_answer(run(["-p", "spend"]), answer_for("spend"))
    r = run(["-c", "-p", "more", "--max-budget-usd", "0.000001", "--output-format", "json"])
    check(r.rc == 6, "exit %r, want 6" % r.rc, r)
    d = json.loads(r.out)
    check(d["subtype"] == "error_max_budget_usd" and d["is_error"], "json subtype %r" % d)
    check(len(E.G.sim.requests()) == 1, "no request sent")


@test
def catalog_override_file():
    # a price changed by the user's file is the price used
    path = os.path.join(T.config, "bedrock-claude", "models.json")
    os.makedirs(os.path.dirname(path))
    with open(path, "w") as fh:
        json.dump({"models": [{"id": "anthropic.claude-haiku-5-5",
                               "price": {"input": 1000000, "output": 0}}]}, fh)
    r = run(["-p", "priced", "--model", "haiku", "--output-format", "json"])
    d = json.loads(r.out)
    # $1 a token, plus the catalogue's 10% for a geographic (us.) profile
    want = d["usage"]["input_tokens"] * 1.1
    check(r.rc == 0 and abs(d["total_cost_usd"] - want) < 1e-9,
          "cost from the override: %r, want %r" % (d["total_cost_usd"], want))
    bad = os.path.join(T.dir, "bad.json")
    with open(bad, "w") as fh:
        fh.write('{"models": [{"id": "x", "colour": "red"}]}')
    E.expect_fail(run(["-p", "x"], BEDROCK_CLAUDE_CATALOG=bad), 2, bad + ":1:")


# ============================================================================
# The ledger and `usage`
# ============================================================================
@test
def usage_sums_the_ledger():
    for p, m in (("one", "haiku"), ("two", "haiku"), ("three", "sonnet")):
        E.expect_answer(run(["-p", p, "--model", m]), answer_for(p))
    led = os.path.join(T.state, "bedrock-claude", "ledger.jsonl")
    rows = [json.loads(l) for l in open(led)]
    check(len(rows) == 3, "three ledger lines")
    for k in ("time", "model", "region", "profile", "request_id", "input_tokens",
              "output_tokens", "cost_usd", "session"):
        check(k in rows[0], "ledger line has %s: %r" % (k, rows[0]))
    check(stat.S_IMODE(os.stat(led).st_mode) == 0o600, "ledger is 0600")
    r = run(["usage", "--by", "model"])
    check(r.rc == 0, "usage", r)
    check("claude-haiku-5-5" in r.stdout and "claude-sonnet-5-5" in r.stdout, "per model", r)
    r = run(["usage", "--output", "json"])
    d = json.loads(r.out)
    tot = d["total"]
    check(tot["calls"] == 3, "three calls: %r" % tot)
    check(tot["input_tokens"] == sum(x["input_tokens"] for x in rows) and
          tot["output_tokens"] == sum(x["output_tokens"] for x in rows), "token sums %r" % tot)
    check(abs(tot["cost_usd"] - sum(x["cost_usd"] for x in rows)) < 1e-9, "cost sum %r" % tot)
    r = run(["usage", "--since", "2999-01-01", "--output", "json"])
    check(r.rc == 0 and json.loads(r.out)["total"]["calls"] == 0, "nothing since 2999", r)
    E.expect_fail(run(["usage", "--since", "yesterday"]), 2, "--since")


# ============================================================================
# make install, the claude link and the seed's shell examples
# ============================================================================
def installed():
    """make install PREFIX=... CLAUDE_LINK=1, once per run."""
    if getattr(E.G, "prefix", None):
        return E.G.prefix
    prefix = os.path.join(E.G.tmp, "prefix")
    p = subprocess.run(["make", "-s", "-C", ROOT, "install", "PREFIX=" + prefix,
                        "CLAUDE_LINK=1"], capture_output=True, timeout=300)
    check(p.returncode == 0, "make install: %r" % p.stderr[-500:])
    E.G.prefix = prefix
    return prefix


def seed_env(prefix, **kw):
    e = env(**kw)
    e["PATH"] = os.path.join(prefix, "bin") + ":" + e["PATH"]
    return e


@test
def install_layout():
    prefix = installed()
    for rel in ("bin/bedrock-claude", "share/man/man1/bedrock-claude.1",
                "share/bash-completion/completions/bedrock-claude",
                "share/zsh/site-functions/_bedrock-claude"):
        check(os.path.exists(os.path.join(prefix, rel)), "installed %s" % rel)
    link = os.path.join(prefix, "bin", "claude")
    check(os.path.islink(link) and os.readlink(link) == "bedrock-claude", "claude link")
    man = subprocess.run(["sh", "-c", "command -v man >/dev/null && MANPAGER=cat man -l %s "
                          "2>/dev/null | head -3 || head -3 %s" % (
                              os.path.join(prefix, "share/man/man1/bedrock-claude.1"),
                              os.path.join(prefix, "share/man/man1/bedrock-claude.1"))],
                         capture_output=True)
    check(b"bedrock-claude" in man.stdout.lower() or b"BEDROCK" in man.stdout, "man page")


def seed_run(script, args, prefix, cwd=None, timeout=60, **kw):
    p = subprocess.run(["bash", os.path.join(HERE, "seed", script)] + list(args),
                       env=seed_env(prefix, **kw), capture_output=True, cwd=cwd,
                       stdin=subprocess.DEVNULL, timeout=timeout)
    E.OUTPUTS.append((E.G.current, p.stdout, p.stderr))
    return p


@test
def seed_smart_claude():
    prefix = installed()
    p = seed_run("smart-claude.sh", ["What is IAM?"], prefix)
    check(p.returncode == 0, "smart-claude.sh: %r" % (p.stderr,))
    check(p.stdout.decode() == "Using model: %s (complexity: simple)\n%s\n"
          % (SEED_HAIKU, answer_for("What is IAM?")), "output %r" % p.stdout)
    check(req_model() == SEED_HAIKU, "model %r" % req_model())
    long_prompt = " ".join(["word"] * 30)
    p = seed_run("smart-claude.sh", [long_prompt], prefix)
    check(p.returncode == 0 and b"complexity: standard" in p.stdout, "standard: %r" % p.stderr)
    check(req_model() == SEED_SONNET, "model %r" % req_model())
    p = seed_run("smart-claude.sh", [" ".join(["word"] * 120)], prefix)
    check(p.returncode == 0 and req_model() == SEED_SONNET35, "complex: %r" % p.stderr)


@test
def seed_retry_wrapper():
    prefix = installed()
    p = seed_run("retry.sh", ["-p", "retry me"], prefix)
    check(p.returncode == 0 and p.stdout.decode() == answer_for("retry me") + "\n",
          "first attempt: %r %r" % (p.stdout, p.stderr))
    # a refusal the tool does not retry itself: the wrapper's loop takes over
    E.G.sim.reset()
    E.G.sim.fault({"kind": "error", "status": 403, "type": "AccessDeniedException",
                   "message": "not yet"})
    p = seed_run("retry.sh", ["-p", "second time lucky"], prefix)
    out = p.stdout.decode()
    check(p.returncode == 0, "wrapper recovers: %r %r" % (p.stdout, p.stderr))
    check(out == "Attempt 1 failed, retrying in 5s...\n" + answer_for("second time lucky") + "\n",
          "stdout %r" % out)
    check(b"AccessDeniedException" in p.stderr, "the failure was explained: %r" % p.stderr)


@test
def seed_ci_review_step():
    prefix = installed()
    if shutil.which("git") is None:
        raise Fail("git is not installed (the CI review step needs it)")
    repo = os.path.join(T.dir, "repo")
    os.makedirs(repo)
    g = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
             GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid", HOME=T.dir)

    def git(*a):
        subprocess.run(["git", "-C", repo] + list(a), check=True, env=g, capture_output=True)
    git("init", "-q", "-b", "work")
    open(os.path.join(repo, "a.c"), "w").write("int a;\n")
    git("add", "a.c")
    git("commit", "-q", "-m", "base")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    open(os.path.join(repo, "b.c"), "w").write("int b(void) { return 1; }\n")
    git("add", "b.c")
    git("commit", "-q", "-m", "change")
    p = seed_run("ci-review.sh", [], prefix, cwd=repo, AWS_REGION="us-east-1",
                 CLAUDE_PROVIDER="bedrock", CLAUDE_MODEL=SEED_SONNET)
    check(p.returncode == 0, "CI step: %r" % p.stderr)
    check(p.stdout.decode() == answer_for("Review these code changes for issues: b.c") + "\n",
          "review %r" % p.stdout)
    # the same step with the diff itself piped in (stdin, then the argument)
    diff = subprocess.run(["git", "-C", repo, "diff", "origin/main...HEAD"], env=g,
                          capture_output=True, check=True).stdout
    p = subprocess.run([os.path.join(prefix, "bin", "claude"), "--provider", "bedrock",
                        "--model", SEED_SONNET, "-p", "Review this diff for issues"],
                       input=diff, capture_output=True, env=seed_env(prefix), timeout=60)
    E.OUTPUTS.append((E.G.current, p.stdout, p.stderr))
    check(p.returncode == 0, "piped diff: %r" % p.stderr)
    sent = msg_text(req_messages()[0])
    check(sent == diff.decode() + "\n\nReview this diff for issues",
          "stdin then the argument: %r" % sent[:200])


# ============================================================================
def setup(name):
    T.dir = os.path.join(E.G.tmp, "t-" + name)
    T.state = os.path.join(T.dir, "state")
    T.config = os.path.join(T.dir, "config")
    os.makedirs(T.state)
    os.makedirs(T.config)


def main():
    return E.run_suite("e2e-product", TESTS, ["--cred", "%s:%s" % (E.AKID, E.SECRET), "--legacy-models"], setup)


if __name__ == "__main__":
    sys.exit(main())
