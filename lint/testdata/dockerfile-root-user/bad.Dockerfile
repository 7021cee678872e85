FROM python:3.11.5-slim-bookworm AS build
USER nobody

FROM python:3.11.5-slim-bookworm
RUN useradd appuser
USER appuser
RUN echo hi
USER root
CMD ["python"]
