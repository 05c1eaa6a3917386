#!/usr/bin/env bash
# Runs one libFuzzer target for a fixed time:  scripts/fuzz.sh TARGET SECONDS [libFuzzer args]
#
#   scripts/fuzz.sh smtp_reply 300
#   scripts/fuzz.sh list            # the targets
#
# Builds the target with the "fuzz" preset (clang, ASan, UBSan, libFuzzer), then fuzzes from
# its seed corpus tests/fuzz/corpus/TARGET (read-only) with a scratch corpus in
# build/fuzz/corpus/TARGET (kept between runs). A crash, leak or violated property stops the
# run; libFuzzer writes the input to build/fuzz/findings/TARGET/. Fix the bug, then copy the
# input into tests/fuzz/corpus/TARGET/ as crash-<what> so it runs as a test from then on.
# One job on purpose: the machines these run on are shared.
set -euo pipefail
cd "$(dirname "$0")/.."

targets() {
  sed -n 's/^set(CV_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt
  # As tests/fuzz/CMakeLists.txt: oauth_json only once both its code and its target exist.
  [[ -f service/oauth/json.h && -f tests/fuzz/oauth_json_fuzz.cc ]] && echo oauth_json
  true
}

if [[ $# -lt 1 || "$1" == "-h" || "$1" == "--help" ]]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
if [[ "$1" == "list" ]]; then
  targets | tr ' ' '\n'
  exit 0
fi
target=$1
seconds=${2:-60}
shift $(($# >= 2 ? 2 : 1))
if ! targets | tr ' ' '\n' | grep -qx "$target"; then
  echo "unknown target '$target'; targets: $(targets | tr '\n' ' ')" >&2
  exit 2
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2 --target "fuzz_$target"

work=build/fuzz/corpus/$target
findings=build/fuzz/findings/$target
mkdir -p "$work" "$findings"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# New inputs go to the scratch corpus (first directory); the seeds are only read.
exec "build/fuzz/tests/fuzz/fuzz_$target" "$work" "tests/fuzz/corpus/$target" \
  -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$findings/" "$@"
