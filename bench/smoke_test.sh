#!/bin/bash
# ctest "bench_smoke" (label bench): the benchmark with tiny counts against binaries already
# built in $1. Checks that it runs and prints every figure and baseline; never checks a timing.
set -uo pipefail
build_dir=$1
here=$(cd "$(dirname "$0")" && pwd)
out=$(CV_BENCH_BUILD_DIR=$build_dir "$here/run.sh" --smoke 2>&1)
status=$?
echo "$out"
if [[ $status -ne 0 ]]; then
  echo "FAIL: the benchmark exited with $status"
  exit 1
fi
number='[0-9][0-9,]*(\.[0-9]+)?'
missing=0
expect() {  # a line matching the regular expression must be printed
  if ! grep -Eq -- "$1" <<<"$out"; then
    echo "FAIL: no line matches: $1"
    missing=1
  fi
}
row="( *\| *$number){5} *\| *$number *\| *[0-9]+→[0-9]+ *\| *0 *\|"  # rate p50 p90 p99 cpu rss threads errors
expect "^\| latency: 1 in flight.*$row"
expect "^\| throughput: .*$row"
expect "^\| scale: .*$row"
expect "^\| swaks --quit-after AUTH, 0 ms .*\| *$number *\| *$number *\|.*$number \(client\)"
expect "^\| swaks --quit-after AUTH, 5 ms .*\| *$number *\|"
expect "^\| bare TCP\+TLS handshake loop, alone .*$number \(client\)"
expect "^\| [0-9]+ rounds of [0-9]+ handshakes, then [0-9]+ verifications: median round .*$number \(client\) vs $number"
expect "^\| latency p50 / longest chain .*\| *$number *\| *≤ 1.10"
expect "^\| CPU per verification / bare TLS handshake \(median of [0-9]+ rounds\) .*\| *$number \($number–$number\) *\| *≤ 1.50"
expect "^\|   the same, measured apart .*\| *$number *\| *\(≤ 1.50\)"
expect "^\| throughput / 1,000 per s .*\| *$number *\| *≥ 1.00"
expect "^\| scale: 100 in flight, errors *\| *0 \| *[0-9]+ seen in flight"
expect "^\| scale: peak RSS / 1 GiB .*\| *$number *\| *≤ 1.00"
expect "^\| scale: threads \(start, peak at throughput, peak at scale\) *\| *[0-9]+, [0-9]+, [0-9]+ "
expect "^(latency|throughput|scale): peer AUTH successes"
expect "cores, .*load average"
expect "^throughput bound: .* allow at most $number/s"
exit $missing
