# syntax=docker/dockerfile:1.4
FROM debian:bookworm-20240211-slim
RUN <<EOT bash
  set -euo pipefail
  apt-get update
  apt-get install -y --no-install-recommends ca-certificates curl jq
  rm -rf /var/lib/apt/lists/*
EOT
COPY <<EOF /etc/app.conf
listen = 8080
EOF
RUN useradd -m tool
USER tool
ENTRYPOINT ["bash"]
