FROM python:3.11.5-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
RUN python -m compileall /app
RUN <<EOF
set -e
useradd --create-home appuser
EOF
RUN ["python", "-V"]
USER appuser
