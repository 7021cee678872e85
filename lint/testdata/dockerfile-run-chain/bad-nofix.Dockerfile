FROM golang:1.22.1-bookworm AS build
RUN cd /src && git init
RUN go version
RUN --mount=type=cache,target=/root/.cache/go-build go build ./...

FROM scratch
COPY --from=build /go/bin/app /app
