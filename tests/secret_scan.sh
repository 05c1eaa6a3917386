#!/usr/bin/env bash
# The suite's secret scan: every server log line (at debug level they include every response
# with its probes and transcripts) that the integration tests left in test-artifacts/ must be
# free of the passwords and tokens the tests used: in clear, percent- or JSON-escaped, and in
# base64 (either alphabet) at every alignment, i.e. no run of base64 characters in a log
# decodes, from any of its first four offsets, to bytes that contain a secret.
# Usage: secret_scan.sh ARTIFACT_DIR SECRETS_FILE
set -euo pipefail
dir=$1
secrets=$2
shopt -s nullglob
logs=("$dir"/*.log)
if [ ${#logs[@]} -eq 0 ]; then
  echo "secret scan: no server logs in $dir: the integration tests did not run" >&2
  exit 1
fi
exec python3 - "$secrets" "${logs[@]}" <<'PY'
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


secrets = [s.rstrip("\n") for s in open(sys.argv[1], encoding="utf-8")]
secrets = [s for s in secrets if s and not s.startswith("#")]
found = 0
lines = 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            lines += 1
            for view in set(views(line.rstrip("\n"))):
                decoded = [d for a in (STD, URL) for d in decodings(view, a)]
                for secret in secrets:
                    raw = secret.encode()
                    if secret in view or any(raw in d for d in decoded):
                        print("secret scan: a test secret (%s...) appears in %s:%d"
                              % (secret[:3], path, number), file=sys.stderr)
                        found += 1
print("secret scan: %d server logs, %d lines, %d secrets (plain, escaped, base64 at every "
      "alignment)" % (len(sys.argv) - 2, lines, len(secrets)))
sys.exit(1 if found else 0)
PY
