# Full images in build stages are fine: only the final stage ships.
FROM node:20.11.1-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20.11.1-bookworm-slim
COPY --from=build /app/dist /app
USER node
CMD ["node", "/app/server.js"]
