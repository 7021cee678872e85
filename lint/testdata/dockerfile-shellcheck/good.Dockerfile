FROM debian:bookworm-20240211-slim
ARG VERSION
WORKDIR /opt
RUN curl -fsSL "https://example.com/tool-${VERSION}.tgz" | tar xz
SHELL ["powershell", "-Command"]
RUN Write-Host $env:VERSION
USER nobody
