# channel-verifier container image.
#
# Two stages on Debian bookworm: the build stage installs Debian's -dev packages and builds the
# server with the project's own CMake preset (release); the runtime stage starts from scratch
# and holds only the binary, the shared libraries it links (as ldd resolves them in the build
# stage, so they are exactly the ones it was built against) and the CA bundle. No shell, no
# package manager, nothing else to patch or to exploit. It runs as a fixed non-root UID.
#
#   podman build -t channel-verifier .        (or docker build)
#   podman run --rm -p 127.0.0.1:50051:50051 channel-verifier
#
# Build arguments: BUILD_JOBS (compile parallelism, default 2), VERSION, REVISION, CREATED (OCI
# labels), BASE_IMAGE (default debian:bookworm-slim).

ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
# Only what the server's build needs (no test tools): keep in step with scripts/setup.sh.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates ccache \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto \
      libabsl-dev libc-ares-dev libboost1.81-dev libssl-dev libjemalloc-dev libhiredis-dev \
      libicu-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY CMakeLists.txt CMakePresets.json ./
COPY cmake/ cmake/
COPY third_party/ third_party/
COPY proto/ proto/
COPY client/ client/
COPY service/ service/

ARG BUILD_JOBS=2
# The compiler cache survives between builds on the same machine (BuildKit / Buildah cache
# mount), so a rebuild after a small change takes seconds instead of minutes.
RUN --mount=type=cache,target=/root/.cache/ccache \
    cmake --preset release -DCV_BUILD_TESTS=OFF -DCV_BUILD_BENCH=OFF \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null \
 && cmake --build --preset release --target channel-verifier -j"${BUILD_JOBS}"

# The runtime tree: the binary, its libraries under the paths ldd found them at (so the
# loader finds them without an ld.so.cache), the CA bundle where OpenSSL looks for it, and a
# passwd entry so that the UID has a name.
RUN set -eu; \
    root=/rootfs; \
    install -D -m 0755 build/release/service/channel-verifier "$root/usr/local/bin/channel-verifier"; \
    strip --strip-debug "$root/usr/local/bin/channel-verifier"; \
    for lib in $(ldd "$root/usr/local/bin/channel-verifier" \
                 | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do \
      cp -L --parents "$lib" "$root"; \
    done; \
    install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"; \
    mkdir -p "$root/usr/lib/ssl"; \
    ln -s /etc/ssl/certs "$root/usr/lib/ssl/certs"; \
    ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"; \
    echo 'verifier:x:65532:65532:channel-verifier:/nonexistent:/sbin/nologin' > "$root/etc/passwd"; \
    echo 'verifier:x:65532:' > "$root/etc/group"; \
    install -d -m 1777 "$root/tmp"

FROM scratch
COPY --from=build /rootfs/ /

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="channel-verifier" \
      org.opencontainers.image.description="gRPC service that tells why a recruiting mailbox cannot send (SMTP and OAuth channel verification with diagnoses)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="scratch" \
      org.opencontainers.image.licenses="UNLICENSED"

ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
# 50051 gRPC API (TLS when --tls_cert_file is set), 8081 plaintext health for kubelet's gRPC
# probes, 9090 Prometheus metrics.
EXPOSE 50051 8081 9090
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/channel-verifier"]
CMD ["--listen=0.0.0.0:50051", "--health_listen=0.0.0.0:8081", "--metrics_listen=0.0.0.0:9090"]
