FROM python:3.11.5-slim-bookworm AS base
RUN useradd --create-home appuser
USER appuser

FROM base
USER root
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
USER appuser:appuser
