# Shaped like label-studio's Dockerfile: pip's cache directory set by ENV,
# and a cache mount there, named by the variable or written out.
FROM python:3.12.4-slim-bookworm
ENV HOME=/home/app
ENV PIP_CACHE_DIR=$HOME/.cache
COPY requirements.txt .
RUN --mount=type=cache,target=$PIP_CACHE_DIR,uid=1001,gid=0 pip install -r requirements.txt
ENV PIP_CACHE_DIR=/tmp/pc
RUN --mount=type=cache,target=/tmp/pc pip install -r requirements.txt
USER nobody
