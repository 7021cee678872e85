FROM golang:1.22.1-bookworm AS dev
RUN go install github.com/air-verse/air@latest && \
    go install github.com/go-delve/delve/cmd/dlv@v1.22.1
RUN go install honnef.co/go/tools/cmd/staticcheck@latest
WORKDIR /app
COPY go.mod go.sum ./
RUN go mod download
CMD ["air", "-c", ".air.toml"]
