#!/bin/sh
set -e
chown -R abc:abc /app/data
exec gosu abc "$@"
