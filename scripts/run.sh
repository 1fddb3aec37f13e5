#!/usr/bin/env bash
# `make run`: migrate, then serve the web on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

$PY manage.py migrate --noinput
if ! $PY manage.py shell -c "from django.contrib.auth import get_user_model as g; raise SystemExit(0 if g().objects.filter(is_superuser=True).exists() else 1)" 2>/dev/null; then
  echo "No admin account yet: run 'make superuser' in another terminal, then open http://127.0.0.1:8000/admin/"
fi
exec $PY manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
