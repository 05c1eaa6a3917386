#!/usr/bin/env bash
# Installs what building and running the server needs (scripts/setup.sh --for run: no test
# peers or tools), builds the server (release preset) and runs it; arguments go to
# channel-verifier.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --for run
# Without GoogleTest the tests cannot be configured: a tree that is not configured yet gets
# CV_BUILD_TESTS=OFF (as in the Dockerfile); one that scripts/test.sh configured stays as it is.
cache=build/release/CMakeCache.txt
tests=()
grep -q '^CV_BUILD_TESTS:BOOL=ON$' "$cache" 2>/dev/null || tests=(-DCV_BUILD_TESTS=OFF)
cmake --preset release "${tests[@]}" >/dev/null
cmake --build --preset release --target channel-verifier
exec build/release/service/channel-verifier "$@"
