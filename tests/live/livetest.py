# Nhịp — fixtures for the live-consultation tests and benchmarks: a network namespace with
# a non-loopback address (libnice gathers no loopback candidates, so WebRTC peers need one),
# a real Janus 1.1.2 (Debian's package) with only the VideoRoom plugin and the HTTP
# transport, stored-token authentication and the admin API, set up the way the hub does it
# in production: a token per participant added with `add_token`, a room per session whose
# `allowed` list holds those tokens. Then `nhipctl live call --descriptor` processes join.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hub"))
from netns import sh  # noqa: E402
from nhiptest import Tap, free_port, wait_for  # noqa: E402,F401

JANUS = "/usr/bin/janus"
JANUS_LIB = "/usr/lib/x86_64-linux-gnu/janus"


def usable():
    """None when the live tests can run here, else why not"""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not os.path.exists(JANUS):
        return "janus is not installed"
    probe = "nhlprobe%d" % os.getpid()
    out = sh("ip", "netns", "add", probe, check=False)
    if out.returncode != 0:
        return "ip netns does not work here: " + out.stderr.strip()
    sh("ip", "netns", "del", probe, check=False)
    return None


class Namespace:
    """One namespace with a non-loopback address: every peer and Janus inside it"""

    def __init__(self, addr="10.201.0.1"):
        self.name = "nhlive%d" % (os.getpid() % 100000)
        self.addr = addr
        sh("ip", "netns", "add", self.name)
        sh("ip", "-n", self.name, "link", "set", "lo", "up")
        # no dummy interfaces in this kernel: a veth pair with both ends inside
        sh("ip", "-n", self.name, "link", "add", "nhd0", "type", "veth", "peer", "name", "nhd1")
        sh("ip", "-n", self.name, "addr", "add", addr + "/24", "dev", "nhd0")
        for dev in ("nhd0", "nhd1"):
            sh("ip", "-n", self.name, "link", "set", dev, "up")

    def close(self):
        sh("ip", "netns", "del", self.name, check=False)


class Star:
    """a hub namespace with a bridge (HUB_ADDR), and a namespace for each peer joined to the
    bridge by a veth pair: each peer's own link, whose uplink squeeze() limits with tbf (no
    netem in this kernel; see transport.md) while the others' stay free"""

    def __init__(self, peers, prefix="10.201.0"):
        tag = os.getpid() % 100000
        self.hub = "nhsh%d" % tag
        self.hub_addr = prefix + ".1"
        self.peers = {}
        sh("ip", "netns", "add", self.hub)
        sh("ip", "-n", self.hub, "link", "set", "lo", "up")
        sh("ip", "-n", self.hub, "link", "add", "nhbr0", "type", "bridge")
        sh("ip", "-n", self.hub, "addr", "add", self.hub_addr + "/24", "dev", "nhbr0")
        sh("ip", "-n", self.hub, "link", "set", "nhbr0", "up")
        for i, name in enumerate(peers):
            ns = "nhs%d%s" % (tag, name[:4])
            addr = "%s.%d" % (prefix, i + 2)
            sh("ip", "netns", "add", ns)
            self.peers[name] = (ns, addr)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            # the peer's end is "up0" in its namespace, the hub's end is on the bridge
            sh("ip", "-n", ns, "link", "add", "up0", "type", "veth", "peer", "name",
               "nhp%d" % i, "netns", self.hub)
            sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", "up0")
            sh("ip", "-n", ns, "link", "set", "up0", "up")
            sh("ip", "-n", self.hub, "link", "set", "nhp%d" % i, "master", "nhbr0", "up")

    def describe(self):
        return {"hub": self.hub, "hub_addr": self.hub_addr, "peers": self.peers}

    @classmethod
    def described(cls, description):
        """the namespaces another process made (its describe()), to squeeze from here"""
        self = cls.__new__(cls)
        self.hub = description["hub"]
        self.hub_addr = description["hub_addr"]
        self.peers = {name: tuple(peer) for name, peer in description["peers"].items()}
        return self

    def namespace(self, peer):
        return self.peers[peer][0]

    def squeeze(self, peer, kbit):
        sh("ip", "netns", "exec", self.namespace(peer), "tc", "qdisc", "add", "dev", "up0",
           "root", "tbf", "rate", "%dkbit" % kbit, "burst", "4kbit", "latency", "300ms")

    def lift(self, peer):
        sh("ip", "netns", "exec", self.namespace(peer), "tc", "qdisc", "del", "dev", "up0",
           "root")

    def close(self):
        for ns, _ in self.peers.values():
            sh("ip", "netns", "del", ns, check=False)
        sh("ip", "netns", "del", self.hub, check=False)


def exec_in(ns):
    return ["ip", "netns", "exec", ns] if ns else []


class Janus:
    """A Janus of our own: configs written here, plugins and transports limited to ours"""

    def __init__(self, root, ns, addr, iface, session_timeout=60):
        self.root = os.path.join(root, "janus")
        self.ns = ns
        self.addr = addr
        self.port = free_port()
        self.admin_port = free_port()
        self.admin_secret = secrets.token_hex(16)
        self.room_secret = secrets.token_hex(16)
        self.proc = None
        self.log = os.path.join(self.root, "janus.log")
        for sub in ("plugins", "transports"):
            os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        os.symlink(os.path.join(JANUS_LIB, "plugins", "libjanus_videoroom.so"),
                   os.path.join(self.root, "plugins", "libjanus_videoroom.so"))
        os.symlink(os.path.join(JANUS_LIB, "transports", "libjanus_http.so"),
                   os.path.join(self.root, "transports", "libjanus_http.so"))
        empty = os.path.join(self.root, "none")
        os.makedirs(empty, exist_ok=True)
        self._write("janus.jcfg", """general: {
	configs_folder = "%(root)s"
	plugins_folder = "%(root)s/plugins"
	transports_folder = "%(root)s/transports"
	events_folder = "%(empty)s"
	loggers_folder = "%(empty)s"
	debug_level = 4
	admin_secret = "%(admin_secret)s"
	token_auth = true
	session_timeout = %(session_timeout)d
	server_name = "nhip-test"
}
certificates: {
}
media: {
	rtp_port_range = "20000-40000"
}
nat: {
	nice_debug = false
	ice_enforce_list = "%(iface)s"
}
plugins: {
}
transports: {
}
events: {
}
""" % dict(root=self.root, empty=empty, admin_secret=self.admin_secret, iface=iface,
           session_timeout=session_timeout))
        self._write("janus.transport.http.jcfg", """general: {
	json = "plain"
	base_path = "/janus"
	http = true
	port = %d
	ip = "%s"
	https = false
}
admin: {
	admin_base_path = "/admin"
	admin_http = true
	admin_port = %d
	admin_ip = "%s"
	admin_https = false
}
cors: {
}
""" % (self.port, addr, self.admin_port, addr))
        self._write("janus.plugin.videoroom.jcfg", "general: {\n}\n")

    def _write(self, name, text):
        with open(os.path.join(self.root, name), "w") as f:
            f.write(text)

    @property
    def url(self):
        return "http://%s:%d/janus" % (self.addr, self.port)

    def start(self):
        log = open(self.log, "w")
        self.proc = subprocess.Popen(
            exec_in(self.ns) + [JANUS, "-F", self.root, "-C",
                                os.path.join(self.root, "janus.jcfg"), "-o"],
            stdout=log, stderr=subprocess.STDOUT)
        if not wait_for(self._ready, 20, 0.2):
            raise RuntimeError("janus did not start:\n" + self.logtext())

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError("janus exited:\n" + self.logtext())
        try:
            self.admin({"janus": "ping"})
            return True
        except OSError:
            return False

    def logtext(self):
        with open(self.log, errors="replace") as f:
            return f.read()[-6000:]

    def _post(self, url, body):
        # the HTTP calls run in the namespace too: the addresses exist only there
        data = json.dumps(body)
        out = subprocess.run(exec_in(self.ns) + [
            "/usr/bin/python3", "-c",
            "import sys,urllib.request;r=urllib.request.urlopen(urllib.request.Request("
            "sys.argv[1],data=sys.stdin.buffer.read(),method='POST'),timeout=10);"
            "sys.stdout.write(r.read().decode())", url],
            input=data, capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            raise OSError(out.stderr.strip().splitlines()[-1] if out.stderr else "failed")
        return json.loads(out.stdout)

    def admin(self, body):
        body = dict(body, transaction=secrets.token_hex(6), admin_secret=self.admin_secret)
        reply = self._post("http://%s:%d/admin" % (self.addr, self.admin_port), body)
        if reply.get("janus") == "error":
            raise RuntimeError("janus admin: %s" % reply)
        return reply

    def add_token(self, token):
        self.admin({"janus": "add_token", "token": token,
                    "plugins": ["janus.plugin.videoroom"]})

    def remove_token(self, token):
        self.admin({"janus": "remove_token", "token": token})

    def api(self, path, body, token):
        body = dict(body, transaction=secrets.token_hex(6), token=token)
        return self._post(self.url + path, body)

    def create_room(self, room, tokens, bitrate=300000):
        """what the hub does for a session: a room only the given tokens may join"""
        owner = secrets.token_hex(16)
        self.add_token(owner)
        sid = self.api("", {"janus": "create"}, owner)["data"]["id"]
        hid = self.api("/%d" % sid, {"janus": "attach", "plugin": "janus.plugin.videoroom"},
                       owner)["data"]["id"]
        reply = self.api("/%d/%d" % (sid, hid), {"janus": "message", "body": {
            "request": "create", "room": room, "publishers": 2, "bitrate": bitrate,
            "audiocodec": "opus", "videocodec": "vp8", "secret": self.room_secret,
            "allowed": list(tokens), "fir_freq": 10, "permanent": False}}, owner)
        data = reply["plugindata"]["data"]
        if data.get("videoroom") != "created":
            raise RuntimeError("room not created: %s" % reply)
        self.api("/%d" % sid, {"janus": "destroy"}, owner)
        self.remove_token(owner)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def descriptor(janus, room, token, display, max_bitrate=300000, ice_servers=None):
    """a session descriptor as the hub returns it (live-contract.md)"""
    return {
        "session_id": "3f6c1c5e-7a53-4a0c-9a36-%012d" % room,
        "packet_id": "9b0d2f8e-1111-4c3b-8d5e-%012d" % room,
        "janus_url": janus.url,
        "room": room,
        "token": token,
        "display": display,
        "ice_servers": ice_servers or [],
        "max_bitrate": max_bitrate,
        "expires": int(time.time()) + 3600,
        "state": "active",
        "started_by": "station",
    }


class Peer:
    """one `nhipctl live call` process in a namespace"""

    def __init__(self, build, root, name, desc, ns, video="test", audio="test", seconds=20,
                 extra=(), env=None):
        self.name = name
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir, exist_ok=True)
        self.descriptor = os.path.join(self.dir, "descriptor.json")
        self.stats_path = os.path.join(self.dir, "stats.json")
        self.out_path = os.path.join(self.dir, "out.txt")
        with open(self.descriptor, "w") as f:
            json.dump(desc, f)
        # a station database that does not exist: no hub, no chat (the hub's side is
        # tested with the hub)
        argv = exec_in(ns) + [os.path.join(build, "app", "nhipctl"), "--db",
                              os.path.join(self.dir, "station.db"), "live", "call",
                              "--descriptor", self.descriptor, "--video", video,
                              "--audio", audio, "--audio-out", "none",
                              "--seconds", str(seconds), "--stats-json", self.stats_path]
        argv += list(extra)
        self.proc = subprocess.Popen(argv, stdout=open(self.out_path, "w"),
                                     stderr=subprocess.STDOUT,
                                     env=dict(os.environ, G_MESSAGES_DEBUG="NhipLive",
                                              **(env or {})))

    def wait(self, timeout=120):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def stats(self):
        try:
            with open(self.stats_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def output(self):
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def stop(self, sig=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(30)


def tmpdir():
    return tempfile.mkdtemp(prefix="nhip-live-")


def cleanup(path):
    shutil.rmtree(path, ignore_errors=True)
