# Nhịp — an emulated 3G link between two network namespaces, for the fault tests and the
# benchmarks. No `tc netem` here (the kernel lacks sch_netem): veth + tbf for the rate,
# nftables random drops in each receiving namespace for loss, our relay (nhiptest.py) for
# delay, `ip link set down` for cuts.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HUB_ADDR = "10.200.0.1"
ST_ADDR = "10.200.0.2"


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


def usable():
    """None when namespaces can be used, else why not"""
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = "nhprobe%d" % os.getpid()
    out = sh("ip", "netns", "add", probe, check=False)
    if out.returncode != 0:
        return "ip netns does not work here: " + out.stderr.strip()
    sh("ip", "netns", "del", probe, check=False)
    for tool in ("tc", "nft"):
        if sh("which", tool, check=False).returncode != 0:
            return tool + " is not installed"
    return None


class Link:
    def __init__(self, rate_kbit=256, loss_percent=3, delay=0.2):
        tag = os.getpid() % 100000
        self.st = "nhst%d" % tag
        self.hub = "nhhub%d" % tag
        self.veth_st = "vst%d" % tag
        self.veth_hub = "vhb%d" % tag
        self.delay = delay
        self.relay = None
        sh("ip", "netns", "add", self.st)
        sh("ip", "netns", "add", self.hub)
        sh("ip", "link", "add", self.veth_st, "type", "veth", "peer", "name", self.veth_hub)
        sh("ip", "link", "set", self.veth_st, "netns", self.st)
        sh("ip", "link", "set", self.veth_hub, "netns", self.hub)
        for ns, dev, addr in ((self.st, self.veth_st, ST_ADDR), (self.hub, self.veth_hub, HUB_ADDR)):
            sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            if rate_kbit:
                sh("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", dev, "root", "tbf",
                   "rate", "%dkbit" % rate_kbit, "burst", "16kbit", "latency", "400ms")
            if loss_percent:
                # drop on the receiving side: a drop in the sender's output hook would make
                # sendto() fail with EPERM instead of losing the packet
                sh("ip", "netns", "exec", ns, "nft", "add table inet nhip")
                sh("ip", "netns", "exec", ns, "nft",
                   "add chain inet nhip input { type filter hook input priority 0 ; }")
                sh("ip", "netns", "exec", ns, "nft",
                   "add rule inet nhip input iifname %s numgen random mod 100 < %d drop"
                   % (dev, loss_percent))

    def start_relay(self, hub_port):
        self.relay = subprocess.Popen(
            ["ip", "netns", "exec", self.hub, "/usr/bin/python3", os.path.join(HERE, "nhiptest.py"),
             "relay", HUB_ADDR, str(hub_port), str(self.delay), "0"],
            stdout=subprocess.PIPE, text=True)
        line = self.relay.stdout.readline()
        return int(re.search(r"port (\d+)", line).group(1))

    def down(self):
        sh("ip", "-n", self.st, "link", "set", self.veth_st, "down")

    def up(self):
        sh("ip", "-n", self.st, "link", "set", self.veth_st, "up")

    def close(self):
        if self.relay:
            self.relay.terminate()
            self.relay.wait()
        sh("ip", "netns", "del", self.st, check=False)
        sh("ip", "netns", "del", self.hub, check=False)
