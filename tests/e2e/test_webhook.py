"""Webhook mode: `manage.py runbot` with TELEGRAM_WEBHOOK_URL, fed by the fake Bot API over HTTP."""

import asyncio

import pytest
from django.core.management import CommandError, call_command

from calendarapp.bot.transport.webhook import WebhookConfigError, webhook_config
from calendarapp.devtools.fake_bot_api import FakeBotApi
from tests.support.fake_telegram import runbot, say, stop
from tests.support.processes import free_port
from tests.support.sqlite import migrated_sqlite, sqlite_env
from tests.support.waiting import START

SECRET = "s3cret-" + "x" * 40
PUBLIC_URL = "https://bot.example.com/telegram/hook"


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
    env = sqlite_env(migrated_sqlite(tmp_path / "bot.sqlite3"))
    port = free_port()

    async def scenario():
        fake = await FakeBotApi().start()
        fake.route_webhooks_to(f"http://127.0.0.1:{port}")  # the reverse proxy
        bot = runbot(
            fake,
            env
            | {
                "TELEGRAM_WEBHOOK_URL": PUBLIC_URL,
                "TELEGRAM_WEBHOOK_SECRET": SECRET,
                "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                "TELEGRAM_WEBHOOK_PORT": str(port),
            },
        )
        try:
            assert await fake.wait_for_webhook(timeout=START) == PUBLIC_URL
            assert fake.webhook_secret == SECRET

            # A genuine update, delivered over HTTP with the secret, gets its answer.
            kim = fake.user(7101, "Kim", "kim")
            assert "/register" in await say(fake, kim, "/start")
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

            # The same bot still answers genuine updates afterwards, and never Eve (however
            # slowly it works: her forgeries came before this answer).
            await say(fake, kim, "/help")
            assert not fake.activity[eve.id]
            assert all(status == 200 for status in fake.deliveries)
            assert await stop(fake, bot) == 0
        finally:
            bot.kill()
            await fake.stop()
        assert "Forbidden" not in bot.output and "Error while" not in bot.output, bot.output

    asyncio.run(scenario())
