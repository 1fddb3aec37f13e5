"""`/healthz`: open to anonymous probes, read-only, never cached. The database-down case runs
against a real gunicorn in test_container_startup.py."""

import pytest


@pytest.mark.django_db
def test_anonymous_probe_gets_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_head_is_allowed_and_writes_are_not(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_stays_open_when_the_site_requires_login(client, settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
    ]
    assert client.get("/healthz").status_code == 200
