#!/bin/bash
set -e
python manage.py wait_for_db
python manage.py wait_for_migrations
exec celery -A plane worker -l info
