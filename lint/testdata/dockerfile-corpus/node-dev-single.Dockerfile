FROM node:latest
RUN npm install -g nodemon typescript
WORKDIR /app
ADD . /app
RUN npm install
RUN npm run build
CMD npm start
