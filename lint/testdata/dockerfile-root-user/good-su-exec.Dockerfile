# The entrypoint itself drops root: su-exec runs the server as app.
FROM alpine:3.20.3
RUN apk add --no-cache su-exec=0.2-r3 && adduser -D app
ENTRYPOINT ["su-exec", "app", "/usr/local/bin/server"]
