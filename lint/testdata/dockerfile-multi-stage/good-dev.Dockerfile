# A development image (server.Dockerfile.dev in ToolJet): the service runs a watch-mode
# server with the source bind-mounted, which needs the tooling at run time.
FROM python:3.11.5-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir poetry==1.8.2
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root
COPY . .
USER nobody
