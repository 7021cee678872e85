FROM python:3.11.5-slim-bookworm
RUN pip install django numpy==1.26.4 "requests>=2"
RUN python -m pip install --no-cache-dir -U pip setuptools
RUN apt-get update && apt-get install -y --no-install-recommends curl git=1:2.39.2-1.1 \
    && rm -rf /var/lib/apt/lists/*
RUN npm install -g pm2 nodemon@3.1.0 typescript@^5
RUN go install golang.org/x/tools/gopls@latest
RUN gem install bundler
RUN apk add --no-cache tini
