FROM node:20.11.1-bookworm AS deps
COPY package.json package-lock.json ./
RUN npm ci

FROM node:20.11.1-bookworm-slim
COPY --from=deps /node_modules /app/node_modules
COPY . /app
RUN cd /app && npm run build
USER node
