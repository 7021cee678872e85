FROM node:20.11.1-bookworm-slim AS frontend-builder
WORKDIR /frontend
COPY static .
COPY frontend/package.json frontend/yarn.lock ./
RUN yarn install --frozen-lockfile
COPY frontend .
RUN yarn build

FROM nginx:1.27.0-alpine
COPY --from=frontend-builder /frontend/dist /usr/share/nginx/html
USER nginx
