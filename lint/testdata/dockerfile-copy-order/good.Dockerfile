FROM python:3.11.5-slim-bookworm
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# installing the project itself needs the source: not a manifest install
RUN pip install --no-cache-dir --no-deps .

FROM node:20.11.1-bookworm-slim
COPY --from=ghcr.io/org/assets:1.0.0 . /assets
RUN npm ci
