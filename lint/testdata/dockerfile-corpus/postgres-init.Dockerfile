FROM postgres:16
COPY init.sql /docker-entrypoint-initdb.d/
HEALTHCHECK CMD pg_isready -U postgres || exit 1
