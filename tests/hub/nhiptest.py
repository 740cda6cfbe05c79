# Nhịp hub tests — shared helpers: a hub folder and process (SQLite or a PostgreSQL the test
# starts on loopback), enrolled stations driven through nhipctl, a throttling and delaying
# TCP relay, TAP output.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what):
        self.n += 1
        if not cond:
            self.failed += 1
        print(("ok %d - %s" if cond else "not ok %d - %s") % (self.n, what), flush=True)
        return cond

    def skip_all(self, why):
        print("1..0 # SKIP %s" % why, flush=True)
        sys.exit(77)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(step)
    return cond()


ENV = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8")


class Postgres:
    """a throw-away PostgreSQL 15 cluster on loopback, run as an unprivileged user"""

    BIN = "/usr/lib/postgresql/15/bin"

    def __init__(self, root):
        self.dir = os.path.join(root, "pg")
        os.makedirs(self.dir)
        self.port = free_port()
        user = "postgres"
        try:
            pw = pwd.getpwnam(user)
        except KeyError:
            pw = pwd.getpwnam("nobody")
            user = "nobody"
        os.chmod(root, 0o755)
        os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.user = user
        self.run(["initdb", "-D", self.dir + "/data", "-A", "trust", "-U", "nhip", "--no-sync"])
        self.run(["pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/log", "-w", "start",
                  "-o", "-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s "
                  "-c fsync=on" % (self.port, self.dir)])
        self.uri = "postgresql://nhip@127.0.0.1:%d/postgres" % self.port

    def run(self, argv):
        cmd = ["runuser", "-u", self.user, "--", self.BIN + "/" + argv[0]] + argv[1:]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd="/")

    def stop(self):
        self.run(["pg_ctl", "-D", self.dir + "/data", "-m", "immediate", "-w", "stop"])


class Hub:
    def __init__(self, build, root, database=None, names=("127.0.0.1",)):
        self.exe = os.path.join(build, "hub", "nhip-hub")
        self.dir = os.path.join(root, "hub")
        self.database = database
        self.proc = None
        self.port = None
        args = [self.exe, "init", "--dir", self.dir]
        for name in names:
            args += ["--name", name]
        subprocess.run(args, check=True, env=ENV, stdout=subprocess.DEVNULL)
        self.log_path = os.path.join(root, "hub.log")

    def start(self, listen="127.0.0.1:0", ns=None, web="127.0.0.1:0", env=None):
        args = [self.exe, "serve", "--dir", self.dir, "--listen", listen, "--web", web]
        if self.database:
            args += ["--database", self.database]
        if ns:
            args = ["ip", "netns", "exec", ns] + args
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log,
                                     env=env or ENV, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"port (\d+)", line)
        if not m:
            raise RuntimeError("hub did not start: %r" % line)
        self.port = int(m.group(1))
        m = re.search(r"pages on port (\d+)", line)
        self.web_port = int(m.group(1)) if m else None
        return self.port

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.log.close()
        return self.proc.returncode

    def ctl(self, *args):
        return subprocess.run([self.exe] + list(args), env=ENV, capture_output=True, text=True)

    def token(self, station):
        out = self.ctl("token", "--dir", self.dir, "--station", station)
        if out.returncode != 0:
            raise RuntimeError("nhip-hub token: " + out.stderr)
        return out.stdout.strip().splitlines()[-1]

    def cases(self):
        args = ["cases", "--dir", self.dir, "--json"]
        if self.database:
            args += ["--database", self.database]
        out = self.ctl(*args)
        return json.loads(out.stdout)

    def logtext(self):
        with open(self.log_path) as f:
            return f.read()


# a photo of noise re-encoded by the station (JPEG quality 80, at most 1600 px) takes about
# 0.67 bytes a pixel: the sizes the tests ask for are reached within some percent
PHOTO_BYTES_PER_PIXEL = 0.67
PHOTO_MAX_BYTES = 1200 * 1024


def photo_sizes(total):
    """splits `total` bytes of photos into photos the station keeps at full size"""
    sizes = []
    while total > 0:
        sizes.append(min(total, PHOTO_MAX_BYTES))
        total -= sizes[-1]
    return sizes


def make_photo(fixture, path, size, seed=1):
    """a real JPEG (4:3, coloured noise) of about `size` bytes once the station re-encodes it"""
    pixels = size / PHOTO_BYTES_PER_PIXEL
    width = max(16, int((pixels * 4 / 3) ** 0.5))
    height = max(12, width * 3 // 4)
    subprocess.run([fixture, "photo", path, str(width), str(height), str(seed)], check=True)


class Station:
    def __init__(self, build, root, name, ns=None, template=None):
        """a station set up with `nhipctl init`, or a copy of `template` (a station not
        enrolled yet, with its records) for benchmarks that need many"""
        self.exe = os.path.join(build, "app", "nhipctl")
        self.fixture = os.path.join(build, "tests", "hub", "hub-fixture")
        self.dir = os.path.join(root, name)
        self.db = os.path.join(self.dir, "station.db")
        self.code = name
        self.ns = ns
        self.sync_proc = None
        if template:
            shutil.copytree(template.dir, self.dir)
        else:
            self.ctl_ok("init", "--facility-code", "01001", "--facility-name",
                        "Trạm y tế " + name)

    def argv(self, *args):
        a = [self.exe, "--db", self.db] + list(args)
        return (["ip", "netns", "exec", self.ns] + a) if self.ns else a

    def ctl(self, *args, timeout=300):
        return subprocess.run(self.argv(*args), env=ENV, capture_output=True, text=True,
                              timeout=timeout)

    def ctl_ok(self, *args):
        out = self.ctl(*args)
        if out.returncode != 0:
            raise RuntimeError("nhipctl %s: %s" % (" ".join(args), out.stderr))
        return out.stdout

    def enroll(self, hub, url):
        self.ctl_ok("enroll", "--hub", url, "--token", hub.token(self.code), "--station",
                    self.code)

    def set_sync(self, **values):
        ini = os.path.join(self.dir, "identity", "hub.ini")
        with open(ini) as f:
            text = f.read()
        text = re.sub(r"\n\[sync\][^\[]*", "\n", text)
        text += "\n[sync]\n" + "".join("%s=%s\n" % (k.replace("_", "-"), v)
                                       for k, v in values.items())
        with open(ini, "w") as f:
            f.write(text)

    def set_url(self, url):
        ini = os.path.join(self.dir, "identity", "hub.ini")
        with open(ini) as f:
            text = f.read()
        with open(ini, "w") as f:
            f.write(re.sub(r"url=.*", "url=" + url, text))

    def visit(self, photo_bytes=0):
        pid = self.ctl_ok("patient", "add", "--name", "Nguyễn Văn A", "--dob", "1980-01-01",
                          "--sex", "male").strip().split()[-1]
        vid = self.ctl_ok("visit", "open", pid, "--reason", "ho kéo dài").strip().split()[-1]
        self.ctl_ok("vitals", "add", vid, "--bp", "150/95", "--pulse", "88")
        photos = []
        for i, size in enumerate(photo_sizes(photo_bytes)):
            path = os.path.join(self.dir, "photo-%s-%d.jpg" % (vid, i))
            make_photo(self.fixture, path, size, seed=int(vid) * 31 + i)
            photos += ["--photo", path]
        return vid, photos

    def send_case(self, photo_bytes=0, urgent=False):
        vid, photos = self.visit(photo_bytes)
        args = ["--json", "case", "send", vid, "--question", "Xin ý kiến bác sĩ"] + photos
        if urgent:
            args.append("--urgent")
        return json.loads(self.ctl_ok(*args))["packet_id"]

    def outbox(self):
        return {p["packet_id"]: p for p in json.loads(self.ctl_ok("outbox", "--json"))["packets"]}

    def sql(self, statement, *params):
        con = sqlite3.connect(self.db)
        with con:
            rows = con.execute(statement, params).fetchall()
        con.close()
        return rows

    def start_sync(self):
        self.sync_log = open(os.path.join(self.dir, "sync.log"), "a")
        self.sync_proc = subprocess.Popen(self.argv("sync"), env=ENV, stdout=self.sync_log,
                                          stderr=subprocess.STDOUT)

    def stop_sync(self, sig=signal.SIGTERM):
        self.sync_proc.send_signal(sig)
        rc = self.sync_proc.wait(timeout=60)
        self.sync_log.close()
        return rc


class Relay:
    """a TCP relay that holds every piece of data for `delay` seconds and, with `rate`
    bytes/s, paces each direction: our own stand-in for netem delay (and a rate limit for
    loopback tests)"""

    def __init__(self, listen_host, target_port, delay=0.0, rate=0, target_host="127.0.0.1"):
        self.delay = delay
        self.rate = rate
        self.target = (target_host, target_port)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((listen_host, 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.conns = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopped:
            try:
                a, _ = self.sock.accept()
            except OSError:
                return
            try:
                b = socket.create_connection(self.target, timeout=10)
                b.settimeout(None)
            except OSError:
                a.close()
                continue
            self.conns += [a, b]
            for src, dst in ((a, b), (b, a)):
                threading.Thread(target=self.pump, args=(src, dst), daemon=True).start()

    def pump(self, src, dst):
        import collections
        queue = collections.deque()
        cv = threading.Condition()
        closed = [False]

        def writer():
            next_free = time.monotonic()
            while True:
                with cv:
                    while not queue and not closed[0]:
                        cv.wait()
                    if not queue:
                        break
                    due, data = queue.popleft()
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
                if self.rate:
                    next_free = max(next_free, time.monotonic()) + len(data) / self.rate
                    time.sleep(max(0, next_free - time.monotonic()))
                try:
                    dst.sendall(data)
                except OSError:
                    break
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        while True:
            try:
                data = src.recv(4096 if self.rate else 65536)
            except OSError:
                data = b""
            with cv:
                if not data:
                    closed[0] = True
                    cv.notify()
                    break
                queue.append((time.monotonic() + self.delay, data))
                cv.notify()
        t.join()

    def cut(self):
        """drops every open connection, as a dead link would"""
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self.conns = []

    def stop(self):
        self.stopped = True
        self.sock.close()
        self.cut()


# the doctors' pages in headless Chromium: Debian's chromium driven by playwright-core from
# the npm registry, installed by `npm ci` of tests/hub/web into the build folder
CHROMIUM = "/usr/bin/chromium"
PLAYWRIGHT = "1.65.1"
PASSWORD = "mật khẩu đủ dài 2026"
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, "..", ".."))


def install_playwright(build):
    """`npm ci` of tests/hub/web into the build folder, once per lock file"""
    dest = os.path.join(build, "tests", "hub", "web")
    os.makedirs(dest, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(os.path.join(HERE, "web", name), os.path.join(dest, name))
    marker = os.path.join(dest, "node_modules", "playwright-core", "package.json")
    try:
        with open(marker) as f:
            if json.load(f)["version"] == PLAYWRIGHT:
                return os.path.join(dest, "node_modules")
    except (OSError, ValueError, KeyError):
        pass
    out = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                         cwd=dest, capture_output=True, text=True, timeout=240)
    if out.returncode != 0:
        raise RuntimeError("npm ci failed:\n" + out.stdout + out.stderr)
    return os.path.join(dest, "node_modules")


def build_locale(root):
    """vi.po with the fragments (what the merge will make) compiled for the hub"""
    merged = os.path.join(root, "vi.po")
    locale = os.path.join(root, "locale")
    os.makedirs(os.path.join(locale, "vi", "LC_MESSAGES"))
    fragments = sorted(glob.glob(os.path.join(SOURCE, "po", "fragments", "*.po")))
    subprocess.run(["msgcat", "--use-first", "-o", merged] + fragments +
                   [os.path.join(SOURCE, "po", "vi.po")], check=True)
    subprocess.run(["msgfmt", "-o", os.path.join(locale, "vi", "LC_MESSAGES", "nhip.mo"),
                    merged], check=True)
    return locale


def add_doctor(hub, user, name):
    args = [hub.exe, "doctor", "add", "--dir", hub.dir, "--user", user, "--name", name,
            "--password-stdin"]
    if hub.database:
        args += ["--database", hub.database]
    out = subprocess.run(args, input=PASSWORD + "\n", env=ENV, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("nhip-hub doctor add: " + out.stderr)


def run_browser(tap, script, config, modules, at_least, timeout, ns=None):
    """runs tests/hub/web/SCRIPT with its CONFIG (in the network namespace NS when given);
    each JSON line it prints is a check"""
    prefix = ["ip", "netns", "exec", ns] if ns else []
    browser = subprocess.run(prefix + ["node", os.path.join(HERE, "web", script),
                                       json.dumps(config)],
                             env=dict(os.environ, NODE_PATH=modules), capture_output=True,
                             text=True, timeout=timeout)
    lines = [line for line in browser.stdout.splitlines() if line.startswith("{")]
    for line in lines:
        result = json.loads(line)
        tap.ok(result["ok"], "browser: " + result["what"])
    tap.ok(browser.returncode == 0 and len(lines) >= at_least,
           "the browser script ran to its end%s" %
           ("" if browser.returncode == 0 else ": " + browser.stderr[-3000:]))


def tmpdir():
    return tempfile.mkdtemp(prefix="nhip-hub-test-")


def cleanup(path):
    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    # nhiptest.py relay LISTEN_HOST TARGET_PORT DELAY_SECONDS RATE_BYTES: runs a relay in
    # this process (e.g. inside a network namespace) and prints its port
    if len(sys.argv) == 6 and sys.argv[1] == "relay":
        r = Relay(sys.argv[2], int(sys.argv[3]), delay=float(sys.argv[4]), rate=int(sys.argv[5]))
        print("relay port %d" % r.port, flush=True)
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        while True:
            time.sleep(3600)
