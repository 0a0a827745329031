# syntax=docker/dockerfile:1
#
# The bakery-server image: built in a Rust stage, run as a non-root user on Debian slim.
#
#   docker build -t bakery-server .
#   docker run -p 3000:3000 -v bakery-data:/data bakery-server
#
# With nothing else set it serves the embedded SQLite store in /data. The variables the
# server reads are listed in bakery-server/src/config.rs (VARIABLES); deploy_check.rs, beside
# it, checks that every ENV below is one of them. deploy/compose.yaml runs a chain with it.

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
# The registry and target caches survive between builds; the binary is copied out of the
# cache in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release -p bakery-server --locked \
    && cp target/release/bakery-server /usr/local/bin/bakery-server

FROM debian:bookworm-slim
# ca-certificates for TLS to MongoDB and other services; curl for the HEALTHCHECK only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 bakery \
    && useradd --system --uid 10001 --gid bakery --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin bakery \
    && mkdir /data \
    && chown bakery:bakery /data
COPY --from=builder /usr/local/bin/bakery-server /usr/local/bin/bakery-server

# The SQLite store and, outside production, the generated secrets live here.
ENV BAKERY_DATA_DIR=/data
VOLUME ["/data"]
USER bakery:bakery
EXPOSE 3000

# /healthz answers as soon as the process serves; /readyz also asks the store.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT:-3000}/healthz" || exit 1

# Subcommands work as arguments: `docker run --rm bakery-server create-admin --name …`.
ENTRYPOINT ["/usr/local/bin/bakery-server"]
CMD ["serve"]
