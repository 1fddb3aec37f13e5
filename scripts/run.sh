#!/usr/bin/env bash
# `make run`: migrate, then serve the web on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

$PY manage.py migrate --noinput
if ! $PY manage.py shell -c "from django.contrib.auth import get_user_model as g; raise SystemExit(0 if g().objects.filter(is_superuser=True).exists() else 1)" 2>/dev/null; then
  echo "No admin account yet: run 'make superuser' in another terminal, then open http://127.0.0.1:8000/admin/"
fi
# --- the bot, next to the web, when a token is configured ------------------------------
if $PY manage.py shell -c "from calendarapp.bot.runtime.token import bot_token; raise SystemExit(0 if bot_token() else 1)" 2>/dev/null; then
  $PY manage.py runbot &
  BOT_PID=$!
  # Ctrl-C reaches both processes (same process group); on any exit, stop the bot and wait.
  trap 'kill -TERM "$BOT_PID" 2>/dev/null || true; wait "$BOT_PID" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  echo "Bot started (pid $BOT_PID). Try it offline without a token: .venv/bin/python manage.py chat"
  $PY manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
  exit $?
fi
echo "No TELEGRAM_BOT_TOKEN: serving the web only. Try the bot offline: .venv/bin/python manage.py chat"
# --- end of the bot block ---------------------------------------------------------------
exec $PY manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
