FROM python:3.11.5-slim-bookworm AS build
# Build stages do not ship: only info there, and these all clean anyway.
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt

FROM python:3.11.5-slim-bookworm
ENV PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
RUN pip install -r requirements.txt
RUN apk add --no-cache tini
RUN dnf install -y gcc && dnf clean all
RUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt \
    apt-get update && apt-get install -y --no-install-recommends git
# options before the subcommand (nocodb's dev.Dockerfile)
RUN apk --update --no-cache add curl
RUN apt-get update && apt-get -y --no-install-recommends install git && rm -rf /var/lib/apt/lists/*
