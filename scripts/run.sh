#!/usr/bin/env bash
# `make run`: migrate, then serve the web on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ADDRESS="${HOST:-127.0.0.1}:${PORT:-8000}"

# A yes/no question to Django, answered by the exit status. `shell -v 0`: without it, Django 5.2's
# shell prints "N objects imported automatically" for every question.
ask() { $PY manage.py shell -v 0 -c "$1" 2>/dev/null; }

$PY manage.py migrate --noinput
if ! ask "from django.contrib.auth import get_user_model as g; raise SystemExit(0 if g().objects.filter(is_superuser=True).exists() else 1)"; then
  echo "No admin account yet: run 'make superuser' in another terminal, then open http://$ADDRESS/admin/"
fi
# --- the bot, next to the web, when a token is configured ------------------------------
if ask "from calendarapp.bot.runtime.token import bot_token; raise SystemExit(0 if bot_token() else 1)"; then
  $PY manage.py runbot &
  BOT_PID=$!
  # Ctrl-C reaches both processes (same process group); on any exit, stop the bot and wait.
  trap 'kill -TERM "$BOT_PID" 2>/dev/null || true; wait "$BOT_PID" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  echo "Bot started (pid $BOT_PID). Try it offline without a token: make chat"
  $PY manage.py runserver "$ADDRESS"
  exit $?
fi
echo "No TELEGRAM_BOT_TOKEN: serving the web only. Try the bot offline: make chat"
# --- end of the bot block ---------------------------------------------------------------
exec $PY manage.py runserver "$ADDRESS"
