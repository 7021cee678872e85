# composure's own image, built the way docs/practices.md asks:
# base images pinned to exact versions (1), module download in its own cached
# layer before the source is copied (5), a multi-stage build whose final stage
# holds only the static binary (7, 8), and a non-root user (6).
#
#   docker build -t composure .
#   docker run --rm -v "$PWD:/work" composure lint

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# Dependencies first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
COPY . .
ARG VERSION=docker
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w -X main.buildVersion=${VERSION}" -o /out/composure ./cmd/composure

FROM scratch
COPY --from=build /out/composure /composure
# composure reads the mounted project and writes only where asked (--write,
# --fix, -o); an unprivileged uid is enough.
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/composure"]
