#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine: `docker-compose config -q` (Debian's
# docker-compose 1.29) with the original project's .env (tests/data/seed.env) and with
# .env.example, alone and with the bot_secrets.py overlay. Runs in a scratch copy so no .env or
# bot_secrets.py is created here.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null; then
  echo "docker-compose not found: apt-get install --no-install-recommends docker-compose" >&2
  exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp docker-compose.yml docker-compose.bot-secrets.yml Dockerfile .dockerignore "$scratch/"
touch "$scratch/bot_secrets.py"

for env_file in tests/data/seed.env .env.example; do
  cp "$env_file" "$scratch/.env"
  (cd "$scratch" && docker-compose config -q)
  (cd "$scratch" && docker-compose -f docker-compose.yml -f docker-compose.bot-secrets.yml config -q)
  echo "docker-compose config: OK with $env_file"
done
