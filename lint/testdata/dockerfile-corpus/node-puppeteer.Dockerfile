FROM node:20.11.1-bookworm
RUN apt-get update
RUN apt-get install -y wget gnupg
RUN wget -q -O - https://dl-ssl.google.com/linux/linux_signing_key.pub | apt-key add -
RUN apt-get install -y google-chrome-stable fonts-ipafont-gothic fonts-freefont-ttf --no-install-recommends
WORKDIR /home/pptruser
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN groupadd -r pptruser && useradd -r -g pptruser -G audio,video pptruser
USER pptruser
CMD ["node", "index.js"]
