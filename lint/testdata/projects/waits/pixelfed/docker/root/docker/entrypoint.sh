#!/bin/sh
# the image waits for its database before migrating
until mysqladmin ping -h db --silent; do sleep 1; done
exec "$@"
