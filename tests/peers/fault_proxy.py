#!/usr/bin/python3
"""Fault-injecting TCP proxy for the hostile-server tests (Python 3 stdlib only).

Listens on a loopback port (--port 0 picks a free one), prints "READY <port>" on stdout once
listening, and forwards every connection to --upstream HOST:PORT, misbehaving as told on the
way. Runs until SIGTERM/SIGINT; logs one line per fault to stderr ("conn 1: reset after 57
bytes server->client"), so a test can tell the fault really happened.

Faults apply to the bytes of --direction (s2c: server to client, the default; c2s; both),
counted per connection and per direction, and are checked in this order:
  --latency-ms MS          wait MS before forwarding each chunk read
  --slice N                forward in pieces of N bytes, --slice-delay-ms apart (a trickle:
                           --slice 1 --slice-delay-ms 1000 is one byte per second)
  --reset-after-bytes N    forward N bytes, then reset both connections (RST: SO_LINGER 0)
  --stall-after-bytes N    forward N bytes, then forward nothing more in that direction and
                           keep both connections open (what arrives is read and dropped)
  --limit-bytes N          forward N bytes, then close both connections normally (FIN)
N = 0 means "at the first byte": --reset-after-bytes 0 in s2c resets the client's connection
when the server starts talking, before the client has seen anything.
"""

import argparse
import asyncio
import itertools
import os
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_util  # noqa: E402


def log(*args):
    print("fault_proxy:", *args, file=sys.stderr, flush=True)


class Reset(Exception):
    """This connection pair must end with a RST."""


class Closed(Exception):
    """This connection pair must end with a FIN."""


def abort_with_rst(writer):
    try:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
    except (OSError, AttributeError):
        pass


def close_quietly(writer):
    try:
        writer.close()
    except (OSError, RuntimeError):
        pass


class Pair:
    """One client connection and its upstream connection."""

    def __init__(self, args, number, client_reader, client_writer):
        self.args = args
        self.number = number
        self.client_reader = client_reader
        self.client_writer = client_writer
        self.upstream_writer = None

    def applies(self, direction):
        return self.args.direction in (direction, "both")

    async def run(self):
        host, port = self.args.upstream
        try:
            up_reader, self.upstream_writer = await asyncio.open_connection(host, port)
        except OSError as e:
            log("conn %d: upstream %s: %s" % (self.number, self.args.upstream, e))
            abort_with_rst(self.client_writer)
            return
        pumps = [
            asyncio.ensure_future(self.pump(self.client_reader, self.upstream_writer, "c2s")),
            asyncio.ensure_future(self.pump(up_reader, self.client_writer, "s2c")),
        ]
        try:
            # The first pump to end (EOF, fault, error) decides for the pair, except a stalled
            # direction, which ends only when the other side goes away.
            done, pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()
        except Reset:
            abort_with_rst(self.client_writer)
            abort_with_rst(self.upstream_writer)
        except Closed:
            close_quietly(self.client_writer)
            close_quietly(self.upstream_writer)
        except (ConnectionError, OSError):
            abort_with_rst(self.client_writer)
            abort_with_rst(self.upstream_writer)
        finally:
            for task in pumps:
                task.cancel()
            close_quietly(self.client_writer)
            close_quietly(self.upstream_writer)

    async def pump(self, reader, writer, direction):
        a = self.args
        faulty = self.applies(direction)
        name = "server->client" if direction == "s2c" else "client->server"
        sent = 0
        stalled = False
        while True:
            data = await reader.read(65536)
            if not data:
                if stalled:
                    # The sender is gone; the stalled receiver learns nothing of it.
                    await asyncio.Event().wait()
                try:
                    writer.write_eof()
                except (OSError, RuntimeError):
                    pass
                return
            if stalled:
                continue
            if not faulty:
                writer.write(data)
                await writer.drain()
                continue
            if a.latency_ms:
                await asyncio.sleep(a.latency_ms / 1000.0)
            # How much may still pass before a byte-count fault strikes.
            budget = None
            for limit in (a.reset_after_bytes, a.stall_after_bytes, a.limit_bytes):
                if limit is not None:
                    budget = limit - sent if budget is None else min(budget, limit - sent)
            passing = data if budget is None else data[:max(budget, 0)]
            step = a.slice or len(passing) or 1
            for i in range(0, len(passing), step):
                writer.write(passing[i:i + step])
                await writer.drain()
                sent += len(passing[i:i + step])
                if a.slice and a.slice_delay_ms:
                    await asyncio.sleep(a.slice_delay_ms / 1000.0)
            if len(passing) == len(data):
                continue
            if a.reset_after_bytes is not None and sent >= a.reset_after_bytes:
                log("conn %d: reset after %d bytes %s" % (self.number, sent, name))
                raise Reset()
            if a.stall_after_bytes is not None and sent >= a.stall_after_bytes:
                log("conn %d: stalled after %d bytes %s" % (self.number, sent, name))
                stalled = True
                continue
            log("conn %d: closed after %d bytes %s" % (self.number, sent, name))
            raise Closed()


async def amain(args):
    counter = itertools.count(1)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def on_connect(reader, writer):
        await Pair(args, next(counter), reader, writer).run()

    server = await asyncio.start_server(on_connect, args.host, args.port, reuse_address=True)
    print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    server.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="listen address (loopback)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--upstream", required=True, help="HOST:PORT of the peer behind the proxy")
    p.add_argument("--direction", choices=["s2c", "c2s", "both"], default="s2c")
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--slice", type=int, default=0)
    p.add_argument("--slice-delay-ms", type=int, default=0)
    p.add_argument("--reset-after-bytes", type=int)
    p.add_argument("--stall-after-bytes", type=int)
    p.add_argument("--limit-bytes", type=int)
    args = p.parse_args(argv)
    host, _, port = args.upstream.rpartition(":")
    if not host or not port.isdigit():
        p.error("--upstream must be HOST:PORT")
    args.upstream = (host.strip("[]"), int(port))
    peer_util.die_with_parent()
    try:
        asyncio.run(amain(args))
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (args.host, args.port, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
