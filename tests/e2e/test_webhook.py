"""Webhook mode: `manage.py runbot` with TELEGRAM_WEBHOOK_URL, fed by the fake Bot API over HTTP."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from calendarapp.bot.transport.webhook import WebhookConfigError, webhook_config
from calendarapp.devtools.fake_bot_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-" + "x" * 40
PUBLIC_URL = "https://bot.example.com/telegram/hook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_polling_without_webhook_url(settings):
    settings.TELEGRAM_WEBHOOK_URL = ""
    assert webhook_config() is None


def test_webhook_settings_serve_the_public_path(settings):
    settings.TELEGRAM_WEBHOOK_URL = PUBLIC_URL
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    config = webhook_config()
    assert (config.url, config.secret, config.url_path) == (PUBLIC_URL, SECRET, "telegram/hook")
    assert (config.listen, config.port) == ("0.0.0.0", 8443)  # noqa: S104


@pytest.mark.parametrize(
    ("url", "secret", "complaint"),
    [
        (PUBLIC_URL, "", "TELEGRAM_WEBHOOK_SECRET is not"),
        (PUBLIC_URL, "short", "32-256 characters"),
        (PUBLIC_URL, "a" * 40 + " spaces!", "32-256 characters"),
        ("http://bot.example.com/hook", SECRET, "https://"),
    ],
)
def test_runbot_refuses_unsafe_webhook_settings(settings, url, secret, complaint):
    settings.TELEGRAM_BOT_TOKEN = "123456:TEST-TOKEN"
    settings.TELEGRAM_WEBHOOK_URL, settings.TELEGRAM_WEBHOOK_SECRET = url, secret
    with pytest.raises(WebhookConfigError, match=complaint):
        webhook_config()
    with pytest.raises(CommandError, match=complaint):  # before any network or server
        call_command("runbot")


@pytest.mark.e2e
def test_runbot_in_webhook_mode_answers_and_refuses_forgeries(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env |= {"SQLITE_PATH": str(tmp_path / "bot.sqlite3"), "DATABASE_URL": "", "DB_HOST": ""}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = free_port()

    async def scenario():
        fake = await FakeBotApi().start()
        fake.route_webhooks_to(f"http://127.0.0.1:{port}")  # the reverse proxy
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runbot"],
            cwd=ROOT,
            env=env
            | {
                "TELEGRAM_BOT_TOKEN": fake.token,
                "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_WEBHOOK_URL": PUBLIC_URL,
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                "TELEGRAM_WEBHOOK_PORT": str(port),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert await fake.wait_for_webhook(timeout=30) == PUBLIC_URL
            assert fake.webhook_secret == SECRET

            # A genuine update, delivered over HTTP with the secret, gets its answer.
            kim = fake.user(7101, "Kim", "kim")
            fake.send_text(kim, "/start")
            (reply,) = await fake.wait_for_activity(kim.id, 0, timeout=30)
            assert "/register" in reply.text
            assert fake.calls["getUpdates"] == 0

            # Forgeries: no header, a wrong secret. Refused, and the bot says nothing.
            eve = fake.user(7102, "Eve", "eve")
            fake.started.add(eve.id)  # the bot could write to Eve if it believed her
            forged = {"update_id": 900, "message": fake._message_base(eve) | {"text": "/help"}}
            forged["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 5}]
            assert await fake.post_update(forged, secret=None) == 403
            assert await fake.post_update(forged, secret="s3cret-" + "y" * 40) == 403
            assert await fake.post_update(forged, secret=SECRET.upper()) == 403
            # A body that is no update, even with the right secret, is refused too.
            assert await fake.post_update({"update_id": 901, "message": "not a message"}) == 400
            with pytest.raises(TimeoutError):
                await fake.wait_for_activity(eve.id, 0, timeout=0.5)

            # The same bot still answers genuine updates afterwards.
            mark = fake.cursor(kim.id)
            fake.send_text(kim, "/help")
            await fake.wait_for_activity(kim.id, mark, timeout=30)
            assert all(status == 200 for status in fake.deliveries)

            process.send_signal(signal.SIGTERM)
            assert process.wait(20) == 0
        finally:
            if process.poll() is None:
                process.kill()
            stderr = process.stderr.read().decode(errors="replace")
            await fake.stop()
        assert "Forbidden" not in stderr and "Error while" not in stderr, stderr

    asyncio.run(scenario())
