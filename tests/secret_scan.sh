#!/usr/bin/env bash
# The suite's secret scan: every server log line (at debug level they include every response
# with its probes and transcripts) that the integration tests left in test-artifacts/ must be
# free of the passwords and tokens the tests used, in clear and in base64.
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
found=0
while IFS= read -r secret; do
  case "$secret" in ''|'#'*) continue ;; esac
  b64=$(printf '%s' "$secret" | base64 -w0)
  for needle in "$secret" "$b64" "${b64%%=*}"; do
    if grep -rlF -- "$needle" "${logs[@]}" >/dev/null; then
      echo "secret scan: a test secret appears in: $(grep -rlF -- "$needle" "${logs[@]}" | head -3)" >&2
      found=1
    fi
  done
done < "$secrets"
lines=$(cat "${logs[@]}" | wc -l)
echo "secret scan: ${#logs[@]} server logs, $lines lines, $(grep -cv '^\(#\|$\)' "$secrets") secrets"
[ $found -eq 0 ]
