FROM python:3.11.5-slim-bookworm
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
RUN pip install --no-cache-dir poetry==1.8.2 ./vendor/mylib.whl git+https://github.com/org/lib@v1.2.0
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 \
    && rm -rf /var/lib/apt/lists/*
RUN npm ci && npm install -g pm2@5.3.1
RUN go install golang.org/x/tools/gopls@v0.15.2 && go mod download
RUN gem install bundler -v 2.5.6 && gem install rake:13.1.0
RUN pip install --no-cache-dir -e .
