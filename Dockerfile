# lettre's container image: the `lettre` tool, glibc, the CA bundle and
# nothing else, run as the non-root user lettre (uid 10001).
#
#   docker build -t lettre .        (or: podman build -t lettre .)
#   docker run --rm lettre --version
#   docker run --rm -v "$PWD/out:/home/lettre/out" lettre send --demo --outbox out
#
# Without a registry, scripts/container-image.sh builds the same image
# (the same root file system, from scripts/container-rootfs.sh) with umoci.
# docs/container.md.

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ cmake ninja-build pkg-config ca-certificates \
      libssl-dev libboost1.81-dev libc-ares-dev libfmt-dev libidn2-dev libunistring-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# OpenSSL, c-ares, libidn2, fmt and libstdc++ linked in; glibc stays shared.
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLETTRE_STATIC_CLI=ON \
      -DLETTRE_BUILD_TESTS=OFF -DLETTRE_BUILD_EXAMPLES=OFF -DLETTRE_BUILD_BENCH=OFF \
      -DLETTRE_INSTALL=OFF \
 && cmake --build /build --target lettre-cli \
 && scripts/container-rootfs.sh /build/src/cli/lettre /rootfs /build/lettre.cdx.json

FROM scratch
COPY --from=build /rootfs/ /
USER 10001:10001
WORKDIR /home/lettre
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL org.opencontainers.image.title="lettre" \
      org.opencontainers.image.licenses="MIT"
ENTRYPOINT ["/usr/local/bin/lettre"]
CMD ["--help"]
