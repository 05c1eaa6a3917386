"""The suite's secret scan (tests/secret_scan.sh runs it over the server logs and the reports
the integration tests left in test-artifacts/; tests/report/check_report.py imports it for one
page): the passwords and tokens the tests used must not appear in clear, percent- or
JSON- or HTML-escaped, or in base64 (either alphabet) at any alignment, i.e. no run of base64 characters
decodes, from any of its first four offsets, to bytes that contain a secret.

Usage: secret_scan.py SECRETS_FILE FILE...
"""
import html
import re
import sys
import urllib.parse

STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
URL = STD[:62] + "-_"


def decodings(text, alphabet):
    """What a base64 decoder makes of every run of `alphabet` characters, from each of the
    run's first four offsets (later offsets decode to a suffix of one of these)."""
    for run in re.finditer("[%s]{4,}" % re.escape(alphabet), text):
        run = run.group(0)
        for start in range(4):
            acc = bits = 0
            out = bytearray()
            for k, c in enumerate(run[start:]):
                acc = (acc << 6) | alphabet.index(c)
                bits += 6
                if bits >= 8:
                    bits -= 8
                    out.append((acc >> bits) & 0xFF)
                if k % 4 == 3:
                    acc = bits = 0
            yield bytes(out)


SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def json_unescape(text):
    def one(m):
        e = m.group(1)
        if e[0] == "u":
            return chr(int(e[1:], 16))
        return SIMPLE.get(e, e)
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", one, text)


def views(line):
    yield line
    yield urllib.parse.unquote(line)
    yield json_unescape(line)
    yield html.unescape(line)  # reports: &amp;, &#39;, ...


def load_secrets(path):
    with open(path, encoding="utf-8") as f:
        secrets = [s.rstrip("\n") for s in f]
    return [s for s in secrets if s and not s.startswith("#")]


def secrets_in(line, secrets):
    """The secrets that appear in one line of text, in any of the forms above."""
    hits = set()
    for view in set(views(line)):
        decoded = [d for a in (STD, URL) for d in decodings(view, a)]
        for secret in secrets:
            raw = secret.encode()
            if secret in view or any(raw in d for d in decoded):
                hits.add(secret)
    return sorted(hits)


def main(argv):
    secrets = load_secrets(argv[1])
    found = 0
    lines = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                lines += 1
                for secret in secrets_in(line.rstrip("\n"), secrets):
                    print("secret scan: a test secret (%s...) appears in %s:%d"
                          % (secret[:3], path, number), file=sys.stderr)
                    found += 1
    print("secret scan: %d files, %d lines, %d secrets (plain, escaped, base64 at every "
          "alignment)" % (len(argv) - 2, lines, len(secrets)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
