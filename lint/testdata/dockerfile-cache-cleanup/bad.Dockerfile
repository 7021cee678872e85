FROM python:3.11.5-slim-bookworm
RUN apt-get update
RUN apt-get install -y curl
RUN rm -rf /var/lib/apt/lists/*
RUN pip install -r requirements.txt
RUN apk add tini
RUN dnf install -y gcc
