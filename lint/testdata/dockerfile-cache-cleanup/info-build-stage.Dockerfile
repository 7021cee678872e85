FROM python:3.11.5-slim-bookworm AS build
RUN pip install -r requirements.txt

FROM python:3.11.5-slim-bookworm
COPY --from=build /usr/local /usr/local
