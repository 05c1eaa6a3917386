#!/usr/bin/python3
"""A DNS server that answers the same name differently each time (DNS rebinding).

Answers A queries for every name with --answers in turn (first query: the first address, ...,
then the last one forever); AAAA queries get an empty answer (NODATA). Counts the A queries per
name and writes the counts as JSON to --counts after every query. Prints "READY <port>".

With --rcode N it is instead a broken resolver: every query gets response code N (2 SERVFAIL,
5 REFUSED) and no records, which dnsmasq passes on when it forwards a domain here.
"""
import argparse
import json
import socket
import struct


def parse_question(data):
    pos = 12
    labels = []
    while pos < len(data) and data[pos] != 0:
        length = data[pos]
        labels.append(data[pos + 1:pos + 1 + length].decode("ascii", "replace"))
        pos += 1 + length
    pos += 1
    qtype, qclass = struct.unpack("!HH", data[pos:pos + 4])
    return ".".join(labels).lower(), qtype, data[12:pos + 4]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--answers", default="", help="comma-separated IPv4 addresses")
    parser.add_argument("--counts", default="")
    parser.add_argument("--rcode", type=int, default=0)
    args = parser.parse_args()
    answers = args.answers.split(",")
    if not args.rcode and not (args.answers and args.counts):
        parser.error("--answers and --counts are needed unless --rcode is given")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.bind, 0))
    print("READY %d" % sock.getsockname()[1], flush=True)
    counts = {}
    while True:
        data, peer = sock.recvfrom(4096)
        if len(data) < 12:
            continue
        name, qtype, question = parse_question(data)
        txid = data[:2]
        records = b""
        ancount = 0
        if args.rcode:
            pass
        elif qtype == 1:
            n = counts.get(name, 0)
            counts[name] = n + 1
            with open(args.counts, "w") as f:
                json.dump(counts, f)
            address = answers[min(n, len(answers) - 1)]
            # Pointer to the name in the question, type A, class IN, TTL 0: never cached.
            records = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) + socket.inet_aton(address)
            ancount = 1
        # QR, RD and RA set; the low four bits are the response code.
        header = txid + struct.pack("!HHHHH", 0x8180 | (args.rcode & 0xF), 1, ancount, 0, 0)
        sock.sendto(header + question + records, peer)


if __name__ == "__main__":
    main()
