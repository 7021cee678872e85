# syntax=docker/dockerfile:1
FROM python:3.11.8-slim-bookworm AS builder

ENV POETRY_VERSION=1.8.2 \
    POETRY_VIRTUALENVS_IN_PROJECT=1 \
    POETRY_NO_INTERACTION=1

RUN pip install --no-cache-dir "poetry==$POETRY_VERSION"
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --only main --no-root

FROM python:3.11.8-slim-bookworm AS runtime
ENV PATH="/app/.venv/bin:$PATH"
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
COPY src ./src
RUN groupadd -r app && useradd -r -g app app
USER app
ENTRYPOINT ["python", "-m", "src.main"]
