FROM debian:bookworm-20240211-slim
ARG VERSION
RUN cd /opt && \
    curl -fsSL https://example.com/tool-$VERSION.tgz | tar xz
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN <<EOF
set -e
for f in $(ls /opt); do echo $f; done
EOF
USER nobody
