FROM wordpress:6.4.3-php8.2-apache
COPY wp-content/themes/mytheme /var/www/html/wp-content/themes/mytheme
COPY uploads.ini /usr/local/etc/php/conf.d/uploads.ini
