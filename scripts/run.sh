#!/usr/bin/env bash
# Sets up, builds (release preset) and runs the server; arguments go to channel-verifier.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target channel-verifier
exec build/release/service/channel-verifier "$@"
