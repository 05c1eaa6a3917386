#!/usr/bin/env bash
# The suite's secret scan: every server log line (at debug level they include every response
# with its probes and transcripts) and every HTML report that the integration tests left in
# test-artifacts/ must be free of the passwords and tokens the tests used: in clear, percent- or
# JSON-escaped, and in base64 (either alphabet) at every alignment (tests/secret_scan.py).
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
exec python3 "$(dirname "$0")/secret_scan.py" "$secrets" "${logs[@]}" "$dir"/*.html
