FROM python:3.11.5-slim-bookworm AS venv
RUN python -m venv /venv

FROM python:3.11.5-bookworm
COPY --from=venv /venv /venv
USER nobody
