ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim

RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends libpq5 curl
rm -rf /var/lib/apt/lists/*
EOF

WORKDIR /srv
COPY requirements/base.txt requirements/prod.txt ./requirements/
RUN pip install --no-cache-dir -r requirements/prod.txt
COPY . .
RUN adduser --disabled-password --gecos "" worker
USER worker
CMD ["celery", "-A", "proj", "worker", "-l", "info"]
