FROM python:3.11.5-slim-bookworm
RUN apt-get update
# tools for the health check
RUN apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home appuser
COPY . /app
RUN mkdir -p /app/static
RUN chown -R appuser /app
USER appuser
