FROM python:3.11.5-slim-bookworm
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]

FROM node:20.11.1-bookworm-slim AS web
WORKDIR /web
ADD . /web
RUN npm ci

FROM golang:1.22.1-bookworm AS go
COPY ./ /src/
RUN cd /src && go mod download && go build ./...
