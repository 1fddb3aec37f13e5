#!/bin/sh
# The web container's command (docker-compose.yml, Dockerfile CMD): apply migrations, collect
# static files for whitenoise, then hand the process over to gunicorn. The bot container starts
# only after this one reports healthy, i.e. after the migrations below have been applied.
set -eu
python manage.py migrate --noinput
python manage.py collectstatic --noinput --verbosity 0
exec gunicorn --config webapp/gunicorn_conf.py webapp.wsgi:application
