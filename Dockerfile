# One image for both containers: `web` (scripts/start-web.sh -> gunicorn) and `bot`
# (python manage.py runbot). Same code, same dependencies, one build; see docs/architecture.md.
#
#   docker compose build                                 # with the test tools (the seed's
#                                                        # `docker compose exec web pytest`)
#   docker build --build-arg INSTALL_DEV=0 -t calendar-bot .   # runtime dependencies only

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --- builder: resolve and install the dependencies into a virtualenv ------------------
FROM ${PYTHON_IMAGE} AS builder
ARG INSTALL_DEV=1
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Only the dependency list: this layer is rebuilt when pyproject.toml changes, not the code.
# pyproject.toml declares no packages, so this installs the dependencies and nothing else.
COPY pyproject.toml ./
# Versions are bounded in pyproject.toml (the project keeps no lock file), hence DL3013.
# hadolint ignore=DL3013
RUN if [ "$INSTALL_DEV" = "1" ]; then pip install ".[dev]"; else pip install .; fi \
    && pip uninstall --yes calendar-bot

# --- runtime: the virtualenv plus the code, run as an unprivileged user ---------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=webapp.settings
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root and is read-only for the app user; only /app itself (pytest's cache,
# a SQLite file if no database is configured) and /app/staticfiles are writable.
COPY . .
RUN mkdir -p /app/staticfiles && chown app:app /app /app/staticfiles
USER 10001:10001
EXPOSE 8000
CMD ["scripts/start-web.sh"]
