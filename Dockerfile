# syntax=docker/dockerfile:1
# SkipKV container image.
#
#   docker build -t skipkv .
#   docker run -d --name skipkv -p 127.0.0.1:7379:7379 skipkv
#   docker exec skipkv skipkv-cli PING
#   docker run -d -p 7379:7379 skipkv --bind 0.0.0.0 --port 7379 --requirepass s3cret  # flags replace CMD
#
# Stage 1 builds the release binaries in the official Swift toolchain image, linking the
# Swift runtime statically (--static-swift-stdlib), so stage 2 needs only Debian's libuv1
# (server) and libedit2 (skipkv-cli's line editing) on top of bookworm-slim.
# scripts/check-dockerfile.sh lints this file (hadolint) and checks its structure.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build -------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

# Versions are whatever bookworm ships; pinning them would break on every point release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libuv1-dev libedit-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Package.* picks up Package.resolved too when the build context has one (it pins versions).
COPY Package.* ./
COPY Sources ./Sources
COPY Tests ./Tests

# The cache mount keeps SwiftPM's checkouts and objects between builds; the binaries are
# copied out of it (stripped) in the same step.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /out \
    && install -m 0755 -s "$bin/skipkv-server" "$bin/skipkv-cli" "$bin/skipkv-benchmark" /out/

# --- runtime -----------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

LABEL org.opencontainers.image.title="SkipKV" \
      org.opencontainers.image.description="Ordered key-value server speaking the Redis protocol (RESP2/RESP3)"

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libuv1 libedit2 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 7379 skipkv \
    && useradd --system --uid 7379 --gid skipkv --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin skipkv \
    && install -d -o skipkv -g skipkv -m 0750 /data \
    && install -d -m 0755 /etc/skipkv

COPY --from=build /out/skipkv-server /out/skipkv-cli /out/skipkv-benchmark /usr/local/bin/
COPY config/skipkv.conf /etc/skipkv/skipkv.conf

# The data directory and working directory: with `dir .` from the config file, the snapshot
# (skipkv.snap) and the log (appendonly.aof.N) live here; mount a volume to keep them.
VOLUME ["/data"]
WORKDIR /data
USER 7379:7379

EXPOSE 7379

# skipkv-cli exits 0 on a reply, 1 on an error reply (for example NOAUTH when requirepass
# is set), 2 when it cannot connect.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["skipkv-cli", "-h", "127.0.0.1", "-p", "7379", "PING"]

# The server is PID 1, in the foreground, logging to stdout, with the log on (appendonly is
# off by default, as in Redis); SIGTERM (docker stop) starts its clean shutdown. Arguments
# given to `docker run` replace CMD and are applied after the config file, so they override it.
#
# Protected mode is off in CMD, as in Redis's official image: inside a container the server
# must listen on 0.0.0.0, and every client, even one on the Docker host, then arrives from a
# non-loopback address, so protected mode (with no password) would refuse them all. Who can
# reach the port is decided where it is published: `-p 127.0.0.1:7379:7379` keeps it on the
# host. Anything wider needs a password, given in place of CMD (protected mode, back on,
# then lets authenticated clients in):
#   docker run -d -p 7379:7379 skipkv --bind 0.0.0.0 --port 7379 --requirepass s3cret
STOPSIGNAL SIGTERM
ENTRYPOINT ["skipkv-server", "--config", "/etc/skipkv/skipkv.conf", "--daemonize", "no", "--logfile", "", "--appendonly", "yes"]
CMD ["--bind", "0.0.0.0", "--port", "7379", "--protected-mode", "no"]
