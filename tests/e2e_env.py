#!/usr/bin/env python3
"""Empty root and air gap: what the static binary needs from its host.

    python3 tests/e2e_env.py [--bin ./bedrock-claude] [-k SUBSTRING] [-v]

Empty root.  The binary and the simulator's CA file are copied into an
otherwise empty directory, which becomes the process's root (chroot; as
root, or in a user namespace through `unshare -r` otherwise).  There is no
/etc (resolv.conf, hosts, passwd, ssl), no /dev (urandom, null), no /tmp,
no HOME and no PATH; the network namespace is shared, so the simulator is
reached as https://localhost:PORT.  It must answer, say in one `note:`
line where sessions would have been kept, and touch no file but its CA.
"localhost" is answered by libcurl itself (127.0.0.1 and ::1, as RFC 6761
reserves the name): static musl 1.2.3 would read /etc/hosts, then ask a DNS
server at 127.0.0.1:53 (its default without /etc/resolv.conf) and fail.
BearSSL is seeded through getentropy() (toolchains/patches/
bearssl-sysrng-getentropy.patch): without it aarch64 and armv7 have no
seed in an empty root (0.6 knows only RDRAND and /dev/urandom).  The cross
binaries (build/aarch64/, build/armv7/) run there through a copy of
qemu-user-static when they have been built; otherwise their cases are
reported as skipped on stderr and not counted (tests/cross.sh runs them
where they are built).

Air gap.  A full -p and `doctor` run under strace -f (connect, sendto,
sendmsg, sendmmsg, socket and every file system call): the only
destinations are the simulator's port on loopback, nothing goes to port 53
or 169.254.169.254, and no file outside the test's own directories (HOME,
state, cwd, the CA file) is opened or even looked at: no /etc/resolv.conf,
/etc/hosts, /etc/nsswitch.conf or /etc/ssl.  With static keys in the
environment and instance metadata *not* disabled, the credential chain
stops at the environment: no IMDS probe.  A positive control (no keys,
IMDS at the simulator's plain-HTTP port) shows the same trace does see an
IMDS call when one happens, and a self-test feeds the trace parser lines
it must flag.

Reuses tests/e2e.py's harness; prints `e2e-env: N passed, M failed`.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import e2e as E  # noqa: E402

check, Fail = E.check, E.Fail
TESTS = []
NOTE = ("bedrock-claude: note: no state directory: neither XDG_STATE_HOME nor "
        "HOME is set")
# every system call that names a file, plus the network ones that name a peer
TRACE = "trace=socket,connect,bind,sendto,sendmsg,sendmmsg,%file"
# target -> (binary, qemu-user runner); x86_64 runs natively
CROSS = {"aarch64": "qemu-aarch64-static", "armv7": "qemu-arm-static"}


def test(fn):
    TESTS.append((fn.__name__, fn))
    return fn


class T:
    dir = state = http_port = None
    n = 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_argv(argv, env, cwd=None, timeout=120):
    """Run argv with exactly env; output recorded for the secret sweep."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        E.OUTPUTS.append((E.G.current, e.stdout or b"", e.stderr or b""))
        raise Fail("hang: %r did not exit within %d s" % (argv[-4:], timeout))
    E.OUTPUTS.append((E.G.current, p.stdout, p.stderr))
    return E.Result(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)


# ---- the empty root -----------------------------------------------------------
def chroot_argv(root, inner):
    """argv that runs `inner` (paths inside root) with root as /: chroot as
    root, else in a new user namespace where we are root (unshare -r)."""
    chroot = shutil.which("chroot") or "/usr/sbin/chroot"
    check(os.path.exists(chroot), "chroot(8) not found")
    if os.geteuid() == 0:
        return [chroot, root] + inner
    unshare = shutil.which("unshare")
    check(unshare is not None, "not root and no unshare(1): cannot enter an empty root")
    return [unshare, "--user", "--map-root-user", chroot, root] + inner


def empty_root(name, binary, runner=None):
    """A directory holding only the binary, the CA and the emulator."""
    root = os.path.join(T.dir, name)
    os.makedirs(root)
    shutil.copy(binary, os.path.join(root, "bedrock-claude"))
    shutil.copy(E.G.sim.ca, os.path.join(root, "ca.pem"))
    inner = ["/bedrock-claude"]
    if runner is not None:
        path = shutil.which(runner)
        check(path is not None, "%s not found (apt-get install qemu-user-static)" % runner)
        shutil.copy(path, os.path.join(root, runner))
        inner = ["/" + runner, "/bedrock-claude"]
    check(sorted(os.listdir(root)) == sorted(["bedrock-claude", "ca.pem"] +
                                             ([runner] if runner else [])),
          "the root is not empty: %r" % os.listdir(root))
    return root, inner


def root_env(**kw):
    """No HOME, no PATH, nothing from the host: what the call needs, only."""
    e = {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": E.G.sim.endpoint,
         "AWS_CA_BUNDLE": "/ca.pem",
         "AWS_REGION": "us-east-1",
         "AWS_ACCESS_KEY_ID": E.AKID,
         "AWS_SECRET_ACCESS_KEY": E.SECRET,
         "AWS_MAX_ATTEMPTS": "1"}
    e.update(kw)
    return e


def answered(r, prompt="hello", note=True):
    """Exit 0, the simulator's answer on stdout; stderr only the note."""
    check(r.rc == 0, "exit %r, want 0" % r.rc, r)
    check(r.out == (E.answer_for(prompt) + "\n").encode(), "stdout is not the answer", r)
    if note:
        check(len(r.err_lines) == 1 and r.err_lines[0].startswith(NOTE),
              "stderr should be one note about the state directory", r)
        check("$XDG_STATE_HOME/bedrock-claude" in r.stderr and
              "$HOME/.local/state/bedrock-claude" in r.stderr,
              "the note should say where sessions would go", r)
    else:
        check(r.err == b"", "stderr should be empty", r)


def run_in_root(target, binary, runner):
    root, inner = empty_root("root-" + target, binary, runner)
    r = run_argv(chroot_argv(root, inner + ["-p", "hello"]), root_env())
    answered(r)
    left = sorted(os.listdir(root))
    check(left == sorted(["bedrock-claude", "ca.pem"] + ([runner] if runner else [])),
          "the binary created files in the root: %r" % left)


# ---- strace ---------------------------------------------------------------------
class Trace:
    """What strace saw the binary do (from its execve on)."""

    PEER = re.compile(r"sa_family=(AF_\w+)(.*?)\}")
    PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')

    def __init__(self, lines, exe):
        self.lines, started = [], False
        for line in lines:
            line = re.sub(r"^\d+ +", "", line)
            if not started:
                started = line.startswith('execve("%s"' % exe) and line.rstrip().endswith("= 0")
                continue
            self.lines.append(line)
        self.started = started

    def peers(self):
        """(call, family, address, port, line) of every address a socket
        call named: connect, bind, sendto/sendmsg/sendmmsg destinations."""
        out = []
        for line in self.lines:
            m = re.match(r"(connect|bind|sendto|sendmsg|sendmmsg)\(", line)
            if not m:
                continue
            for fam, rest in self.PEER.findall(line):
                port = re.search(r"sin6?_port=htons\((\d+)\)", rest)
                addr = (re.search(r'inet_addr\("([^"]+)"\)', rest) or
                        re.search(r'inet_pton\(AF_INET6, "([^"]+)"', rest) or
                        re.search(r'sun_path=(@?"[^"]*")', rest))
                out.append((m.group(1), fam, addr.group(1) if addr else "?",
                            int(port.group(1)) if port else None, line))
        return out

    def sockets(self):
        return [l for l in self.lines if l.startswith("socket(")]

    def paths(self):
        """(call, path) of every file system call: its first string
        argument (getcwd's is a result, not a file looked at)."""
        out = []
        for line in self.lines:
            m = re.match(r"(\w+)\((.*)", line)
            if not m or m.group(1) in ("connect", "bind", "sendto", "sendmsg", "sendmmsg",
                                        "socket", "getcwd"):
                continue
            s = self.PATH.search(m.group(2))
            if s:
                out.append((m.group(1), s.group(1)))
        return out


def traced(argv, env, exe, cwd=None, timeout=120):
    strace = shutil.which("strace")
    check(strace is not None, "strace not found (apt-get install strace)")
    T.n += 1
    log = os.path.join(T.dir, "strace-%d.txt" % T.n)
    r = run_argv([strace, "-f", "-qq", "-e", TRACE, "-o", log] + argv, env, cwd, timeout)
    with open(log, errors="replace") as fh:
        tr = Trace(fh.read().splitlines(), exe)
    os.unlink(log)
    check(tr.started, "strace did not see %s start" % exe, r)
    return r, tr


BANNED_FILES = ("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf",
                "/etc/services", "/etc/passwd", "/etc/ssl", "/dev/urandom", "/dev/random",
                "/proc", "/sys")


def airgap_problems(tr, ports, allowed_dirs, ancestors_of=()):
    """Everything in the trace outside the air gap, as readable strings."""
    bad = []
    for call, fam, addr, port, line in tr.peers():
        if port == 53:
            bad.append("DNS: " + line[:160])
        elif addr.startswith("169.254.") or addr.startswith("fd00:ec2:"):
            bad.append("instance metadata: " + line[:160])
        elif not (fam in ("AF_INET", "AF_INET6") and addr in ("127.0.0.1", "::1")
                  and port in ports and call == "connect"):
            bad.append("unexpected peer: " + line[:160])
    for line in tr.sockets():
        if "SOCK_DGRAM" in line or "AF_NETLINK" in line or "AF_UNIX" in line:
            bad.append("unexpected socket: " + line[:160])
    anc = set()
    for d in ancestors_of:   # mkdir -p of the state directory walks up to /
        while d not in ("/", ""):
            d = os.path.dirname(d)
            anc.add(d)
    for call, p in tr.paths():
        if any(p == b or p.startswith(b + "/") for b in BANNED_FILES):
            bad.append("%s(%s)" % (call, p))
        elif not (any(p == d or p.startswith(d.rstrip("/") + "/") for d in allowed_dirs)
                  or p in anc):
            bad.append("file outside the test: %s(%s)" % (call, p))
    return bad


def host_env(**kw):
    """The air-gap runs: a fresh HOME and state, the simulator for every
    service, and nothing else."""
    e = {"PATH": "/usr/bin:/bin",
         "HOME": os.path.join(T.dir, "home"),
         "XDG_STATE_HOME": T.state,
         "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": E.G.sim.endpoint,
         "AWS_ENDPOINT_URL_BEDROCK": E.G.sim.endpoint,
         "AWS_ENDPOINT_URL_STS": E.G.sim.endpoint,
         "AWS_CA_BUNDLE": E.G.sim.ca,
         "AWS_REGION": "us-east-1",
         "AWS_ACCESS_KEY_ID": E.AKID,
         "AWS_SECRET_ACCESS_KEY": E.SECRET,
         "AWS_EC2_METADATA_DISABLED": "true",
         "AWS_MAX_ATTEMPTS": "1"}
    for k, v in kw.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def traced_host(args, **kw):
    cwd = os.path.join(T.dir, "cwd")
    os.makedirs(cwd, exist_ok=True)
    os.makedirs(os.path.join(T.dir, "home"), exist_ok=True)
    return traced([E.G.bin] + list(args), host_env(**kw), E.G.bin, cwd=cwd)


def expect_airgap(tr, ports=None):
    ports = ports or {E.G.sim.port}
    bad = airgap_problems(tr, ports, [T.dir, E.G.sim.ca], ancestors_of=[T.state])
    check(not bad, "outside the air gap: " + "; ".join(bad[:8]))
    conns = [p for p in tr.peers() if p[0] == "connect"]
    check(conns, "strace saw no connection at all (is the trace parser broken?)")


# ============================================================================
# Empty root
# ============================================================================
@test
def empty_root_x86_64_answers():
    """Only the binary and the CA in /; strace from outside the root shows
    it touched no file but /ca.pem: no /etc/hosts, resolv.conf, /dev/urandom."""
    root, inner = empty_root("root", E.G.bin)
    r, tr = traced(chroot_argv(root, inner + ["-p", "hello"]), root_env(), "/bedrock-claude")
    answered(r)
    files = sorted(set(p for _, p in tr.paths()))
    check(files == ["/ca.pem"], "files touched in the empty root: %r" % files, r)
    bad = airgap_problems(tr, {E.G.sim.port}, ["/ca.pem"])
    check(not bad, "outside the air gap: " + "; ".join(bad[:8]), r)
    check(sorted(os.listdir(root)) == ["bedrock-claude", "ca.pem"],
          "the binary created files in the root: %r" % os.listdir(root))


@test
def empty_root_keeps_state_where_told():
    """XDG_STATE_HOME=/state inside the empty root: the session and the
    ledger are written there (no /tmp needed), and no note is printed."""
    root, inner = empty_root("root", E.G.bin)
    r = run_argv(chroot_argv(root, inner + ["-p", "hello"]), root_env(XDG_STATE_HOME="/state"))
    answered(r, note=False)
    d = os.path.join(root, "state", "bedrock-claude")
    sessions = os.listdir(os.path.join(d, "sessions"))
    check(len(sessions) == 1 and sessions[0].endswith(".jsonl"), "one session: %r" % sessions)
    check(os.path.exists(os.path.join(d, "ledger.jsonl")), "the ledger was written")
    check(sorted(os.listdir(root)) == ["bedrock-claude", "ca.pem", "state"],
          "only /state was created: %r" % os.listdir(root))


@test
def empty_root_continue_without_home_says_why():
    """-c needs a state directory: exit 2 with the fix, nothing sent."""
    root, inner = empty_root("root", E.G.bin)
    r = run_argv(chroot_argv(root, inner + ["-c", "-p", "hello"]), root_env())
    E.expect_fail(r, 2, "XDG_STATE_HOME", "fix: set HOME or XDG_STATE_HOME")
    check(len(E.G.sim.requests()) == 0, "nothing sent")


def cross_case(target):
    runner = CROSS[target]

    def fn():
        run_in_root(target, os.path.join(ROOT, "build", target, "bedrock-claude"), runner)
    fn.__name__ = "empty_root_%s_answers" % target
    return fn


# ============================================================================
# Air gap
# ============================================================================
@test
def trace_parser_flags_what_it_must():
    """The detector itself: lines it must flag, and a clean one it must not."""
    exe = "/x/bedrock-claude"
    head = ['1 execve("%s", ["bedrock-claude"], 0x1 /* 3 vars */) = 0' % exe]
    ok = ('1 connect(5, {sa_family=AF_INET, sin_port=htons(%d), '
          'sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS' % E.G.sim.port)
    cases = {
        "DNS": '2 sendto(3, "\\26!\\1\\0", 27, MSG_NOSIGNAL, {sa_family=AF_INET, '
               'sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}, 16) = 27',
        "instance metadata": '1 connect(6, {sa_family=AF_INET, sin_port=htons(80), '
                             'sin_addr=inet_addr("169.254.169.254")}, 16) = -1 EINPROGRESS',
        "unexpected peer": '1 connect(6, {sa_family=AF_INET6, sin6_port=htons(443), '
                           'sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2600::1", '
                           '&sin6_addr), sin6_scope_id=0}, 28) = 0',
        "unexpected socket": "1 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, "
                             "IPPROTO_IP) = 3",
        "/etc/resolv.conf": '1 open("/etc/resolv.conf", O_RDONLY|O_CLOEXEC) = -1 ENOENT',
        "/etc/hosts": '1 openat(AT_FDCWD, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 3',
        "/dev/urandom": '1 open("/dev/urandom", O_RDONLY) = -1 ENOENT',
        "file outside": '1 stat("/root/.aws/config", 0x7ffd) = -1 ENOENT',
    }
    clean = Trace(head + [ok], exe)
    check(not airgap_problems(clean, {E.G.sim.port}, [T.dir]), "a clean trace was flagged")
    check(len(clean.peers()) == 1, "the loopback connect was not parsed")
    for what, line in cases.items():
        bad = airgap_problems(Trace(head + [ok, line], exe), {E.G.sim.port}, [T.dir])
        check(any(what in b for b in bad), "%s not flagged: %r" % (what, bad))
    before = Trace(['1 open("/etc/hosts", O_RDONLY) = 3'] + head, exe)
    check(not before.paths(), "what happens before the execve is not the binary's")


@test
def airgap_print():
    """-p: one connection, to the simulator's port on loopback; "localhost"
    resolved without the resolver (no hosts, resolv.conf, port 53)."""
    r, tr = traced_host(["-p", "hello"])
    answered(r, note=False)
    expect_airgap(tr)


@test
def airgap_doctor():
    """doctor (STS, the bedrock control plane, the runtime): all green, and
    every byte goes to the simulator."""
    r, tr = traced_host(["doctor"])
    check(r.rc == 0 and "doctor: 11 checks passed, 0 failed" in r.stdout,
          "doctor should be all green", r)
    expect_airgap(tr)


@test
def imds_probe_is_seen_when_it_happens():
    """Positive control: no keys, metadata enabled and pointed at the
    simulator's plain-HTTP port: the trace shows that connection."""
    r, tr = traced_host(["-p", "hello"], AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
                        AWS_EC2_METADATA_DISABLED=None,
                        AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d" % T.http_port)
    answered(r, note=False)
    ports = set(p[3] for p in tr.peers() if p[0] == "connect")
    check(T.http_port in ports, "no IMDS connection traced: %r" % ports, r)
    expect_airgap(tr, {E.G.sim.port, T.http_port})


@test
def env_keys_stop_the_chain_before_imds():
    """Static keys in the environment, AWS_EC2_METADATA_DISABLED unset:
    nothing but the simulator, with IMDS at its default address and with
    IMDS at the simulator (where a probe would have answered)."""
    for ep in (None, "http://127.0.0.1:%d" % T.http_port):
        for args in (["-p", "hello"], ["doctor"]):
            r, tr = traced_host(args, AWS_EC2_METADATA_DISABLED=None,
                                AWS_EC2_METADATA_SERVICE_ENDPOINT=ep)
            check(r.rc == 0, "%s: exit %r" % (args[0], r.rc), r)
            expect_airgap(tr)


# ============================================================================
def setup(name):
    T.dir = os.path.join(E.G.tmp, "t-" + name)
    T.state = os.path.join(T.dir, "state")
    os.makedirs(T.state)


def main():
    tests = list(TESTS)
    for target in CROSS:
        binary = os.path.join(ROOT, "build", target, "bedrock-claude")
        if os.path.exists(binary):
            fn = cross_case(target)
            tests.append((fn.__name__, fn))
        else:
            sys.stderr.write("SKIP empty_root_%s_answers: %s is missing (make TARGET=%s; "
                             "make TARGET=%s test-cross runs it)\n"
                             % (target, os.path.relpath(binary, ROOT), target, target))
    T.http_port = free_port()
    return E.run_suite("e2e-env", tests,
                       ["--cred", "%s:%s" % (E.AKID, E.SECRET), "--http-port", str(T.http_port)],
                       setup)


if __name__ == "__main__":
    sys.exit(main())
