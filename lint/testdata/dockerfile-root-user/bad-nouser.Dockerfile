FROM node:20.11.1-bookworm-slim
COPY . /app
CMD ["node", "/app/server.js"]
