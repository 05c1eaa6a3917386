#!/usr/bin/env bash
# The whole test suite: set-up, build, buf lint, unit and integration tests against real peers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
preset=${CV_TEST_PRESET:-release}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
.tools/node_modules/.bin/buf lint
ctest --preset "$preset" -j2 --timeout 600 "$@"
