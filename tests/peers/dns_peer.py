#!/usr/bin/python3
"""Runs dnsmasq as the tests' resolver on a loopback port, in the foreground.

Prints "READY <port>" once dnsmasq answers a UDP query; SIGTERM stops it. Names it does not
know are NXDOMAIN (--local=/#/), never forwarded anywhere.

Usage: dns_peer.py [--bind 127.0.0.1] [--port 0]
                   [--host NAME,IP[,IP...]]... [--cname ALIAS,TARGET]...
                   [--mx DOMAIN,HOST,PREF]... [--txt NAME,TEXT]... [--srv SPEC]...
                   [--dnsmasq-arg ARG]...
"""

import argparse
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_util  # noqa: E402


def free_port(bind):
    # dnsmasq needs the same port free for UDP and TCP.
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    for _ in range(50):
        with socket.socket(family, socket.SOCK_STREAM) as t:
            t.bind((bind, 0))
            port = t.getsockname()[1]
            with socket.socket(family, socket.SOCK_DGRAM) as u:
                try:
                    u.bind((bind, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on %s" % bind)


def answers(bind, port):
    """True once a query for a name that cannot exist gets any DNS reply."""
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    qid = random.randrange(65536)
    name = b"".join(bytes([len(p)]) + p for p in (b"ready-probe", b"invalid")) + b"\0"
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + name + struct.pack("!HH", 1, 1)
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(0.1)
        try:
            s.sendto(query, (bind, port))
            data = s.recv(512)
        except OSError:
            return False
    return len(data) >= 12 and struct.unpack("!H", data[:2])[0] == qid


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", action="append", default=[], help="NAME,IP[,IP...] (A/AAAA)")
    p.add_argument("--cname", action="append", default=[], help="ALIAS,TARGET")
    p.add_argument("--mx", action="append", default=[], help="DOMAIN,HOST,PREFERENCE")
    p.add_argument("--txt", action="append", default=[], help="NAME,TEXT")
    p.add_argument("--srv", action="append", default=[], help="dnsmasq --srv-host value")
    p.add_argument("--dnsmasq-arg", action="append", default=[])
    args = p.parse_args()
    peer_util.die_with_parent()

    records = (["--host-record=" + h for h in args.host]
               + ["--cname=" + c for c in args.cname]
               + ["--mx-host=" + m for m in args.mx]
               + ["--txt-record=" + t for t in args.txt]
               + ["--srv-host=" + s for s in args.srv] + args.dnsmasq_arg)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))

    child = None
    for _ in range(5):
        port = args.port or free_port(args.bind)
        cmd = ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-hosts",
               "--no-resolv", "--no-poll", "--listen-address=" + args.bind,
               "--bind-interfaces", "--port=%d" % port, "--pid-file=", "--log-facility=-",
               "--local-ttl=300", "--local=/#/", "--user=nobody", "--group=nogroup"] + records
        child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=sys.stderr,
                                 preexec_fn=peer_util.die_with_parent)
        deadline = time.monotonic() + 5
        while child.poll() is None and time.monotonic() < deadline and not stopping:
            if answers(args.bind, port):
                break
            time.sleep(0.01)
        else:
            child.kill()
            child.wait()
            child = None
            if args.port or stopping:
                break
            continue  # lost the port to someone else: try another
        break
    if child is None:
        print("dns_peer: dnsmasq did not start", file=sys.stderr)
        return 1
    print("READY %d" % port, flush=True)
    while not stopping and child.poll() is None:
        time.sleep(0.05)
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
