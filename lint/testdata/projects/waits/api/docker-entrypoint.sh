#!/bin/sh
set -e
wait-for-it "$DB_HOST:5432" -t 60
exec "$@"
