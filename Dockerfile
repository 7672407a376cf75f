# warren in a container: built with the same scripts the README uses, run as a non-root user
# with its SQLite data on a volume.
#
#   docker build -t warren .
#   docker run -d --name warren -p 15672:15672 -v warren-data:/data warren
#   docker exec warren warrenctl overview
#
# The guest user is accepted from loopback only, and a published port is not loopback: from the
# host, log in as a user you created (docker exec warren warrenctl users create ...) or, for local
# development only, start with -e WARREN_LOOPBACK_USERS=none (docker-compose.yml does).

# --- build: the Release build of scripts/run, tests and benchmarks left out -----------------
FROM debian:bookworm AS build
WORKDIR /src
# The dependency layer is cached until scripts/install-deps changes.
COPY scripts/install-deps scripts/install-deps
RUN scripts/install-deps && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake --preset release -DWARREN_WERROR=ON -DWARREN_BUILD_TESTS=OFF -DWARREN_BUILD_BENCH=OFF \
    && cmake --build --preset release -j"$(nproc)" --target warren warrenctl \
    && cmake --install build/release --prefix /opt/warren --strip

# --- run: the two binaries and their shared libraries ----------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libsqlite3-0 libspdlog1.10 libfmt9 libssl3 libre2-9 \
        libboost-json1.81.0 libboost-url1.81.0 libboost-program-options1.81.0 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 warren \
    && useradd --system --uid 10001 --gid warren --home-dir /data --shell /usr/sbin/nologin warren \
    && mkdir -p /data && chown warren:warren /data
COPY --from=build /opt/warren/bin/warren /opt/warren/bin/warrenctl /usr/local/bin/
COPY --from=build /opt/warren/share/doc/warren /usr/local/share/doc/warren

USER warren
WORKDIR /data
VOLUME ["/data"]
EXPOSE 15672
# Every flag is also a WARREN_* variable: docker run -e WARREN_SYNC=full ..., or append flags
# after the image name (docker run warren --log-level debug).
ENV WARREN_BIND=0.0.0.0 \
    WARREN_DATA_DIR=/data \
    WARREN_HTTP_PORT=15672
# warren stops cleanly on SIGTERM, which `docker stop` sends.
STOPSIGNAL SIGTERM
ENTRYPOINT ["warren"]
