#!/bin/bash
# The benchmark in one command: builds the release preset if needed (or the preset named by
# CV_BENCH_PRESET), makes the certificates, starts the peer and the server on free loopback
# ports and prints one table (see bench/bench.py and README "Performance").
#
#   bench/run.sh            the full run (about two minutes)
#   bench/run.sh --smoke    tiny counts, a few seconds: checks that everything runs
#   CV_BENCH_BUILD_DIR=DIR bench/run.sh --smoke   use binaries already built in DIR (no build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
preset=${CV_BENCH_PRESET:-release}
build_dir=${CV_BENCH_BUILD_DIR:-}
if [[ -z $build_dir ]]; then
  build_dir=$root/build/$preset
  cd "$root"
  [[ -f $build_dir/build.ninja ]] || nice -n 10 cmake --preset "$preset" >/dev/null
  nice -n 10 cmake --build --preset "$preset" -j2 --target bench_tools >/dev/null
fi
# Ten thousand sockets each way: raise the soft limit of open files to the hard one.
ulimit -n "$(ulimit -Hn)"
exec /usr/bin/python3 "$root/bench/bench.py" --build_dir "$build_dir" "$@"
