FROM nginx:1.25.4-alpine
COPY nginx.conf /etc/nginx/nginx.conf
COPY public/ /usr/share/nginx/html/
HEALTHCHECK --interval=30s CMD wget -qO- http://localhost/ || exit 1
