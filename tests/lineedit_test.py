#!/usr/bin/env python3
"""Line editor tests: tests/lineedit_demo driven through a real pty.

    python3 tests/lineedit_test.py [--demo PATH] [-k SUBSTRING] [-v]

PATH defaults to build/obj/x86_64/lineedit_demo, built with
    musl-gcc $(WARN) -D_POSIX_C_SOURCE=200809L -Iport -static \
        -o build/obj/x86_64/lineedit_demo port/lineedit.c tests/lineedit_demo.c

The demo (port/lineedit.c + tests/lineedit_demo.c) reads inputs with the
prompt "> " and prints "GOT <len> <escaped text>", "EOF", "INTERRUPT".  Each
test starts it on a fresh pty (os.openpty, the slave made its controlling
terminal), waits until raw mode is on (the bracketed-paste switch
ESC[?2004h is written only after tcsetattr), sends keystrokes and checks
the results.  Screen tests replay the output through a small VT100 model
and compare the visible rows and the cursor.  The terminal attributes are
compared before and after (from this side, on the slave) to prove the
terminal is restored: after EOF, after SIGTERM mid-edit, after Ctrl-Z.

Prints `lineedit: N passed, M failed`; exit status 0 iff nothing failed.
Python 3 standard library only.
"""

import argparse
import fcntl
import os
import random
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import traceback
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEMO = os.path.join(ROOT, "build", "obj", "x86_64", "lineedit_demo")
TIMEOUT = 5.0

UP, DOWN, RIGHT, LEFT = b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[D"
PASTE_ON, PASTE_OFF = b"\x1b[?2004h", b"\x1b[?2004l"


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def unescape(s):
    """The demo's GOT text back to bytes."""
    out, i = bytearray(), 0
    while i < len(s):
        if s[i:i + 2] == b"\\n":
            out += b"\n"
            i += 2
        elif s[i:i + 2] == b"\\x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(s[i])
            i += 1
    return bytes(out)


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _ctty():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Pty:
    """The demo on a pty we hold both ends of."""

    def __init__(self, args=(), term="xterm", rows=24, cols=80):
        self.master, self.slave = os.openpty()
        set_winsize(self.master, rows, cols)
        self.before = termios.tcgetattr(self.slave)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if term is not None:
            env["TERM"] = term
        self.p = subprocess.Popen(
            [DEMO] + list(args), stdin=self.slave, stdout=self.slave,
            stderr=self.slave, env=env, start_new_session=True,
            preexec_fn=_ctty, close_fds=True)
        os.set_blocking(self.master, False)
        self.out = b""
        self.pos = 0  # where expect() searches from

    def _pump(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if r:
            try:
                data = os.read(self.master, 65536)
            except (BlockingIOError, OSError):
                return
            self.out += data

    def send(self, data):
        """Write everything, reading meanwhile: the demo's redraws must
        not fill the pty and stall it while we write."""
        end = time.monotonic() + TIMEOUT * 4
        while data:
            check(time.monotonic() < end, "send timed out")
            r, w, _ = select.select([self.master], [self.master], [], 1)
            if r:
                self._pump(0)
            if w:
                try:
                    n = os.write(self.master, data[:1024])
                    data = data[n:]
                except BlockingIOError:
                    pass

    def expect(self, pattern, timeout=TIMEOUT):
        rx = re.compile(pattern, re.S)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0:
                raise Fail("timed out waiting for %r; output tail %r"
                           % (pattern, self.out[self.pos:][-300:]))
            self._pump(min(left, 0.2))

    def ready(self):
        self.expect(re.escape(PASTE_ON))

    def result(self):
        m = self.expect(rb"(GOT (\d+) (\S*)|EOF|INTERRUPT|ERROR \d+)\r\n")
        if m.group(2) is None:
            return m.group(1).decode()
        data = unescape(m.group(3))
        check(len(data) == int(m.group(2)), "length mismatch in GOT")
        return data

    def line(self, keys):
        """Wait for raw mode, type keys, return the result."""
        self.ready()
        self.send(keys)
        return self.result()

    def attrs(self):
        return termios.tcgetattr(self.slave)

    def wait(self, timeout=TIMEOUT):
        end = time.monotonic() + timeout
        while self.p.poll() is None:
            check(time.monotonic() < end, "demo did not exit")
            self._pump(0.05)
        self._pump(0)
        return self.p.returncode

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        os.close(self.master)
        os.close(self.slave)


def lines_test(pairs, **kw):
    """Each (keys, expected) in turn in one session, then Ctrl-D."""
    t = Pty(**kw)
    try:
        for keys, want in pairs:
            got = t.line(keys)
            check(got == want, "keys %r: got %r, want %r" % (keys, got, want))
        check(t.line(b"\x04") == "EOF", "no EOF")
        check(t.wait() == 0, "exit status %r" % t.p.returncode)
        check(t.attrs() == t.before, "terminal attributes not restored")
    finally:
        t.close()


# --- a small VT100 model for screen checks --------------------------------

def cwidth(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Screen:
    """Enough of xterm: autowrap with the pending-wrap state, CR, LF,
    CUU/CUD/CUF/CUB, ED, CUP; other CSIs are ignored."""

    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.cells = [[" "] * cols for _ in range(rows)]
        self.r = self.c = 0
        self.pending = False

    def resize(self, rows, cols):  # no reflow, as xterm
        cells = [[" "] * cols for _ in range(rows)]
        for i in range(min(rows, self.rows)):
            for j in range(min(cols, self.cols)):
                cells[i][j] = self.cells[i][j]
        self.cells, self.rows, self.cols = cells, rows, cols
        self.r, self.c = min(self.r, rows - 1), min(self.c, cols - 1)
        self.pending = False

    def lf(self):
        if self.r == self.rows - 1:
            self.cells.pop(0)
            self.cells.append([" "] * self.cols)
        else:
            self.r += 1

    def put(self, ch):
        w = cwidth(ch)
        if w == 0:
            return
        if self.pending or self.c + w > self.cols:
            self.c = 0
            self.lf()
            self.pending = False
        self.cells[self.r][self.c] = ch
        if w == 2:
            self.cells[self.r][self.c + 1] = ""
        self.c += w
        if self.c >= self.cols:
            self.c = self.cols - 1
            self.pending = True

    def feed(self, data):
        s = data.decode("utf-8", "replace")
        i = 0
        while i < len(s):
            ch = s[i]
            i += 1
            if ch == "\x1b":
                m = re.match(r"\[([?0-9;]*)([@-~])", s[i:])
                if not m:
                    i += 1
                    continue
                i += m.end()
                ps = [int(x) for x in m.group(1).split(";") if x.isdigit()]
                n = ps[0] if ps else 1
                f = m.group(2)
                if m.group(1).startswith("?"):
                    continue
                self.pending = False if f in "ABCDHJ" else self.pending
                if f == "A":
                    self.r = max(0, self.r - n)
                elif f == "B":
                    self.r = min(self.rows - 1, self.r + n)
                elif f == "C":
                    self.c = min(self.cols - 1, self.c + n)
                elif f == "D":
                    self.c = max(0, self.c - n)
                elif f == "H":
                    self.r = (ps[0] - 1) if ps else 0
                    self.c = (ps[1] - 1) if len(ps) > 1 else 0
                elif f == "J":
                    mode = ps[0] if ps else 0
                    if mode == 0:
                        self.cells[self.r][self.c:] = [" "] * (self.cols - self.c)
                        for k in range(self.r + 1, self.rows):
                            self.cells[k] = [" "] * self.cols
                    elif mode == 2:
                        self.cells = [[" "] * self.cols for _ in range(self.rows)]
            elif ch == "\r":
                self.c, self.pending = 0, False
            elif ch == "\n":
                self.lf()
                self.pending = False
            elif ch in "\a\x00":
                pass
            elif ord(ch) < 0x20 or ord(ch) == 0x7f:
                raise Fail("raw control character %r written" % ch)
            else:
                self.put(ch)

    def text(self):
        return ["".join(row).rstrip() for row in self.cells]


def settle(t, quiet=0.3):
    """Read until the demo has been silent for `quiet` seconds."""
    n = -1
    while n != len(t.out):
        n = len(t.out)
        t._pump(quiet)


def wrap(text, cols):
    """Rows of an ASCII string wrapped at cols (the expected layout)."""
    return [text[i:i + cols] for i in range(0, len(text), cols)] or [""]


# --- tests ----------------------------------------------------------------

def t_plain_line():
    lines_test([(b"hello world\r", b"hello world"), (b"\r", b"")])


def t_edit_middle():
    lines_test([(b"abcdef" + LEFT * 3 + b"X\r", b"abcXdef"),
                (b"abc\x02\x02Y\x06Z\r", b"aYbZc")])  # Ctrl-B, Ctrl-F


def t_utf8():
    lines_test([
        ("aé€😀".encode() + b"\x7f\x7f\r", "aé".encode()),
        ("a😀b".encode() + LEFT * 2 + b"X\r", "aX😀b".encode()),
        ("漢字".encode() + LEFT + b"\x08Z\r", "Z字".encode()),  # Ctrl-H
        # a combining mark moves with its base character
        ("e\u0301x".encode() + LEFT * 2 + b"Y\r", "Ye\u0301x".encode()),
    ])


def t_control_keys():
    lines_test([
        (b"world\x01hello \r", b"hello world"),          # Ctrl-A
        (b"bc\x01a\x05d\r", b"abcd"),                     # Ctrl-E
        (b"abcdef" + LEFT * 3 + b"\x0b\r", b"abc"),       # Ctrl-K
        (b"abcdef" + LEFT * 2 + b"\x15\r", b"ef"),        # Ctrl-U
        (b"foo bar  baz\x17\r", b"foo bar  "),            # Ctrl-W
        (b"foo bar  \x17\x17\r", b""),
        (b"abc" + LEFT * 2 + b"\x04\r", b"ac"),           # Ctrl-D mid-line
        (b"abc\x04\r", b"abc"),                           # Ctrl-D at end
    ])


def t_escape_keys():
    lines_test([
        (b"bc\x1b[Ha\x1b[Fd\r", b"abcd"),                 # Home/End CSI
        (b"bc\x1b[1~a\x1b[4~d\r", b"abcd"),               # Home/End ~
        (b"bc\x1bOHa\x1bOFd\r", b"abcd"),                 # Home/End SS3
        (b"abc\x1b[D\x1b[D\x1b[3~\r", b"ac"),             # Delete
        (b"ab\x1b[1;5DX\r", b"aXb"),                      # Ctrl-Left
        (b"x\x1bq\x1b[99~y\r", b"xy"),                    # unbound
    ])


def t_lone_escape():
    t = Pty()
    try:
        t.ready()
        t.send(b"ab\x1b")
        time.sleep(0.4)  # longer than the ESC timeout
        t.send(b"[c\r")  # not a sequence any more
        got = t.result()
        check(got == b"ab[c", "got %r" % got)
    finally:
        t.close()


def t_history():
    lines_test([
        (b"first\r", b"first"),
        (b"second\r", b"second"),
        (UP + b"\r", b"second"),
        (UP + UP + UP + b"\r", b"first"),                 # repeats skipped
        (UP * 5 + DOWN + b"\r", b"second"),               # stops at oldest
        (b"draft" + UP + UP + DOWN + DOWN + b"\r", b"draft"),
        (b"\x10\x10\x0e!\r", b"draft!"),                  # Ctrl-P/Ctrl-N
    ])


def t_multiline():
    lines_test([
        (b"line1\\\rline2\r", b"line1\nline2"),           # backslash
        (b"a\\\r\\\rb\r", b"a\n\nb"),
        (b"a\nb\r", b"a\nb"),                             # Ctrl-J
        (b"a\x1b\rb\r", b"a\nb"),                         # Alt-Enter
        (b"ab\ncd" + UP + b"X\r", b"abX\ncd"),            # Up in the input
        (b"one\ntwo" + UP + UP + b"\r", b"abX\ncd"),      # Up off the top
        (b"12\n345" + UP + DOWN + b"Y\r", b"12\n34Y5"),   # column kept
        (b"ab\ncd" + LEFT * 3 + b"\x0bX\r", b"abXcd"),    # Ctrl-K joins
        (b"ab\ncd\x01X\x15\r", b"ab\ncd"),                # Ctrl-A/U: line only
    ])


def t_paste():
    lines_test([
        (b"\x1b[200~one\ntwo\r\nthree\rfour\x1b[201~\r",
         b"one\ntwo\nthree\nfour"),
        (b"<\x1b[200~a\x1b[Ab\x1b[20x\x1b[201~>\r", b"<a\x1b[Ab\x1b[20x>"),
        (b"\x1b[200~tail\\\x1b[201~\r" + b"end\r", b"tail\nend"),
    ])


def t_interrupt():
    t = Pty()
    try:
        check(t.line(b"junk\x03") == "INTERRUPT", "no INTERRUPT")
        check(b"^C" in t.out, "^C not shown")
        check(t.line(b"ok\r") == b"ok", "line after Ctrl-C")
        check(t.line(b"x\\\ry\x03") == "INTERRUPT", "no INTERRUPT (2 lines)")
        check(t.line(UP + b"\r") == b"ok", "interrupted input in history")
    finally:
        t.close()


def t_eof_and_restore():
    t = Pty(args=["-s"])
    try:
        check(t.line(b"abc\r") == b"abc", "line")
        t.ready()
        # raw while reading
        a = t.attrs()
        check(not (a[3] & termios.ECHO) and not (a[3] & termios.ICANON),
              "not raw while reading")
        t.send(b"\x04")
        check(t.result() == "EOF", "no EOF")
        t.expect(rb"TTY echo=1 icanon=1")
        check(t.wait() == 0, "exit status")
        check(t.attrs() == t.before, "attributes differ after exit")
        check(t.out.count(PASTE_ON) == t.out.count(PASTE_OFF) == 2,
              "bracketed paste not switched off each time")
    finally:
        t.close()


def t_sigterm_restores():
    t = Pty()
    try:
        t.ready()
        t.send(b"half typed")
        t.expect(rb"half typed")
        os.kill(t.p.pid, signal.SIGTERM)
        check(t.wait() == -signal.SIGTERM, "not killed by SIGTERM: %r"
              % t.p.returncode)
        check(t.attrs() == t.before, "terminal left raw after SIGTERM")
        check(t.out.rstrip(b"\r\n").endswith(PASTE_OFF), "paste mode left on")
    finally:
        t.close()


def t_program_signals():
    """The program's own handlers stay in place, and a signal they catch
    interrupts the read (the chat's way to notice a SIGTERM)."""
    t = Pty(args=["-i", "-s"])
    try:
        t.ready()
        t.send(b"abc")
        t.expect(rb"abc")
        os.kill(t.p.pid, signal.SIGTERM)
        t.expect(rb"SIGNAL %d\r\n" % signal.SIGTERM)
        check(t.result() == "INTERRUPT", "no INTERRUPT")
        check(t.line(b"ok\r") == b"ok", "line after SIGTERM")
        t.ready()
        os.kill(t.p.pid, signal.SIGUSR1)
        t.expect(rb"SIGNAL %d\r\n" % signal.SIGUSR1)
        check(t.result() == "INTERRUPT", "no INTERRUPT (SIGUSR1)")
        check(t.line(b"\x04") == "EOF", "EOF")
        t.expect(rb"TTY echo=1 icanon=1")
        check(t.wait() == 0, "exit status %r" % t.p.returncode)
        check(t.attrs() == t.before, "attributes differ after exit")
    finally:
        t.close()


def t_stop_continue():
    t = Pty()
    try:
        t.ready()
        t.send(b"ab")
        t.expect(rb"ab")
        os.kill(t.p.pid, signal.SIGSTOP)
        time.sleep(0.2)
        os.kill(t.p.pid, signal.SIGCONT)
        t.ready()  # raw mode set again, then a redraw
        t.send(b"c\x1a")  # Ctrl-Z: the terminal restored, raw again
        t.expect(re.escape(PASTE_OFF))
        t.ready()
        a = t.attrs()
        check(not (a[3] & termios.ECHO), "not raw after Ctrl-Z")
        t.send(b"d\r")
        got = t.result()
        check(got == b"abcd", "got %r" % got)
    finally:
        t.close()


def t_big_paste():
    rnd = random.Random(7)
    body = bytes(rnd.choice(b"abcdefghij klmnop\n") for _ in range(10240))
    typed = bytes(rnd.choice(b"qrstuvwxyz") for _ in range(10240))
    lines_test([(b"\x1b[200~" + body + b"\x1b[201~\r", body),
                (typed + b"\r", typed),
                (b"<>" + LEFT + b"\x1b[200~" + body + b"\x1b[201~\r",
                 b"<" + body + b">")], rows=24, cols=80)


def t_screen_wrap():
    """The visible rows and the cursor after typing and editing past the
    width, with a wide character at the edge."""
    t = Pty(rows=10, cols=20)
    scr = Screen(10, 20)
    try:
        t.ready()
        text = "abcdefghijklmnopqrstuvwxyz0123"
        t.send(text.encode())
        settle(t)
        scr.feed(t.out)
        check(scr.text()[:2] == wrap("> " + text, 20), "rows %r" % scr.text()[:3])
        check((scr.r, scr.c) == (1, 12), "cursor %r" % ((scr.r, scr.c),))
        t.send(LEFT * 13 + b"XY")
        settle(t)
        scr = Screen(10, 20)
        scr.feed(t.out)
        new = "abcdefghijklmnopqXYrstuvwxyz0123"
        check(scr.text()[:3] == wrap("> " + new, 20) + [""],
              "rows after insert %r" % scr.text()[:3])
        check((scr.r, scr.c) == (1, 1), "cursor %r" % ((scr.r, scr.c),))
        t.send(b"\x15")  # Ctrl-U: rows shrink, nothing left behind
        settle(t)
        scr = Screen(10, 20)
        scr.feed(t.out)
        check(scr.text()[:2] == ["> rstuvwxyz0123", ""], "after ^U %r"
              % scr.text()[:2])
        t.send(b"\x0b" + b"a" * 17 + "漢字".encode())
        settle(t)
        scr = Screen(10, 20)
        scr.feed(t.out)
        check(scr.text()[:2] == ["> " + "a" * 17, "漢字"], "wide %r"
              % scr.text()[:2])
        check((scr.r, scr.c) == (1, 4), "cursor %r" % ((scr.r, scr.c),))
        t.send(b"\x1b[200~\x01\tx\x1b[201~")
        settle(t)
        scr = Screen(10, 20)
        scr.feed(t.out)  # raises on a raw control character
        check(scr.text()[1] == "漢字^A  x", "controls %r" % scr.text()[1])
        t.send(b"\r")
        check(t.result() == b"a" * 17 + "漢字".encode() + b"\x01\tx", "GOT")
    finally:
        t.close()


def t_screen_multiline_prompt():
    t = Pty(rows=10, cols=20)
    try:
        t.ready()
        t.send(b"one\ntwo\nthree" + UP + b"X")
        settle(t)
        scr = Screen(10, 20)
        scr.feed(t.out)
        check(scr.text()[:4] == ["> one", "twoX", "three", ""], "rows %r"
              % scr.text()[:4])
        check((scr.r, scr.c) == (1, 4), "cursor %r" % ((scr.r, scr.c),))
        t.send(b"\r")
        check(t.result() == b"one\ntwoX\nthree", "GOT")
    finally:
        t.close()


def t_screen_prompt_colours():
    """A coloured two-line prompt: CSI sequences take no columns."""
    prompt = "\x1b[2m[sonnet-4.6 us-east-1]\x1b[0m\n\x1b[1m>\x1b[0m "
    t = Pty(args=["-p", prompt], rows=10, cols=20)
    try:
        t.ready()
        t.send(b"x" * 20 + LEFT * 2)
        settle(t)
        scr = Screen(10, 20)
        scr.feed(t.out)
        check(scr.text()[:4] == ["[sonnet-4.6 us-east-", "1]", "> " + "x" * 18,
                                 "xx"], "rows %r" % scr.text()[:4])
        check((scr.r, scr.c) == (3, 0), "cursor %r" % ((scr.r, scr.c),))
        t.send(b"\r")
        check(t.result() == b"x" * 20, "GOT")
    finally:
        t.close()


def t_screen_tall_input():
    """An input taller than the screen is shown through a window: the
    last rows, the cursor inside, nothing scrolled into view twice."""
    t = Pty(rows=6, cols=20)
    try:
        t.ready()
        text = "\n".join("row%02d" % i for i in range(12))
        t.send(b"\x1b[200~" + text.encode() + b"\x1b[201~")
        settle(t)
        scr = Screen(6, 20)
        scr.feed(t.out)
        check(scr.text() == ["row%02d" % i for i in range(6, 12)],
              "window %r" % scr.text())
        t.send(UP * 8 + b"!")
        settle(t)
        scr = Screen(6, 20)
        scr.feed(t.out)
        check("row03!" in scr.text() and scr.text()[scr.r] == "row03!",
              "window after Up %r cursor row %d" % (scr.text(), scr.r))
        t.send(b"\r")
        got = t.result()
        check(got == text.replace("row03", "row03!").encode(), "GOT")
    finally:
        t.close()


def t_resize():
    t = Pty(rows=10, cols=80)
    try:
        t.ready()
        text = "abcdefghijklmnopqrstuvwxyz0123"
        t.send(text.encode())
        t.expect(rb"0123")
        settle(t)
        mark = len(t.out)
        set_winsize(t.master, 10, 20)  # the kernel sends SIGWINCH
        os.kill(t.p.pid, signal.SIGWINCH)
        t.pos = mark
        t.expect(rb"\x1b\[J")  # a redraw with no key pressed
        settle(t)
        scr = Screen(10, 80)
        scr.feed(t.out[:mark])
        scr.resize(10, 20)
        scr.feed(t.out[mark:])
        check(scr.text()[:3] == wrap("> " + text, 20) + [""],
              "rows after resize %r" % scr.text()[:3])
        check((scr.r, scr.c) == (1, 12), "cursor %r" % ((scr.r, scr.c),))
        t.send(b" more\r")
        check(t.result() == (text + " more").encode(), "line after resize")
    finally:
        t.close()


def t_ctrl_l():
    t = Pty()
    try:
        t.ready()
        t.send(b"abc\x0c")
        t.expect(re.escape(b"\x1b[H\x1b[2J") + rb".*abc")
        t.send(b"\r")
        check(t.result() == b"abc", "line after Ctrl-L")
    finally:
        t.close()


def t_dumb_terminal():
    for term in ("dumb", None):
        t = Pty(term=term)
        try:
            t.expect(rb"> ")
            t.send(b"hi there\n")
            check(t.result() == b"hi there", "line on TERM=%r" % term)
            t.expect(rb"> ")
            t.send(b"one\\\ntwo\n")
            check(t.result() == b"one\ntwo", "continuation on TERM=%r" % term)
            t.send(b"\x04")
            check(t.result() == "EOF", "EOF")
            check(t.wait() == 0, "exit")
            check(b"\x1b" not in t.out, "escape written on TERM=%r" % term)
            check(t.attrs() == t.before, "attributes changed")
        finally:
            t.close()


def t_pipe():
    data = (b"plain\r\nback\\\nslash\n\n\x1b[A\x01\xff\n"
            + b"x" * 100000 + b"\nlast")
    p = subprocess.run([DEMO], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=TIMEOUT,
                       env={"TERM": "xterm"})
    want = (b"GOT 5 plain\nGOT 10 back\\nslash\nGOT 0 \n"
            b"GOT 5 \\x1b[A\\x01\\xff\nGOT 100000 " + b"x" * 100000
            + b"\nGOT 4 last\nEOF\n")
    check(p.returncode == 0, "exit %r" % p.returncode)
    check(p.stdout == want, "output %r" % p.stdout[:300])
    # over the cap: refused (E2BIG), not cut
    big = b"y" * (1024 * 1024 + 1) + b"\n"
    p = subprocess.run([DEMO], input=big, stdout=subprocess.PIPE,
                       timeout=TIMEOUT * 2)
    check(p.stdout == b"ERROR 7\n", "over-long line: %r" % p.stdout[:100])


def t_history_file():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "hist")
    try:
        t = Pty(args=["-H", path])
        try:
            t.expect(rb"HISTLOAD 2\r\n")  # ENOENT: no file yet
            for keys, want in ((b"alpha\r", b"alpha"),
                               (b"beta\ngamma\r", b"beta\ngamma"),
                               (b"back\\slash\\n \r", b"back\\slash\\n ")):
                check(t.line(keys) == want, "line %r" % keys)
            check(t.line(b"\x04") == "EOF", "EOF")
            check(t.wait() == 0, "exit")
        finally:
            t.close()
        with open(path, "rb") as f:
            content = f.read()
        check(content == b"alpha\nbeta\\ngamma\nback\\\\slash\\\\n \n",
              "file %r" % content)
        check(os.stat(path).st_mode & 0o777 == 0o600, "mode not 0600")
        check(not os.path.exists(path + ".tmp"), "temporary left")
        t = Pty(args=["-H", path])
        try:
            check(t.line(UP + b"\r") == b"back\\slash\\n ", "Up 1")
            check(t.line(UP + UP + UP + b"\r") == b"beta\ngamma", "Up 2")
            check(t.line(b"\x04") == "EOF", "EOF")
            check(t.wait() == 0, "exit")
        finally:
            t.close()
    finally:
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)


def t_history_cap():
    """200 entries kept: the oldest dropped."""
    keys = [(("e%03d\r" % i).encode(), ("e%03d" % i).encode())
            for i in range(205)]
    keys.append((UP * 250 + b"\r", b"e005"))
    lines_test(keys)


TESTS = [v for k, v in sorted(globals().items()) if k.startswith("t_")]


def main():
    global DEMO
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", default=DEMO)
    ap.add_argument("-k", default="")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    DEMO = os.path.abspath(a.demo)
    if not os.access(DEMO, os.X_OK):
        print("lineedit: demo %s not built" % DEMO, file=sys.stderr)
        print("lineedit: 0 passed, 1 failed")
        return 1
    passed = failed = 0
    for fn in TESTS:
        name = fn.__name__[2:]
        if a.k not in name:
            continue
        try:
            fn()
            passed += 1
            if a.v:
                print("ok", name)
        except Exception as e:  # a crash in a test is a failure, not an abort
            failed += 1
            print("FAIL %s: %s" % (name, e), file=sys.stderr)
            if a.v and not isinstance(e, Fail):
                traceback.print_exc()
    print("lineedit: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
