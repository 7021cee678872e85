FROM nginx:1.25.4
COPY site /usr/share/nginx/html
