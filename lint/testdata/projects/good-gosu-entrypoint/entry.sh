#!/bin/bash
set -e
if [ "$(id -u)" = "0" ]; then
    chown -R abc:abc /app/data
    exec gosu abc "$BASH_SOURCE" "$@"
fi
exec python /app/main.py
