"""The fake Bot API and the real bot polling it, in one event loop.

Shared by `python manage.py chat`, the end-to-end tests and the throughput bench, so all
three exercise the same code path as production: HTTP long polling of a Bot API server.
"""

import asyncio

from calendarapp.bot.application import build_application

from .fake_bot_api import BotMessage, FakeBotApi, FakeUser


class BotSession:
    def __init__(self, *, poll_timeout: float = 10, **app_options):
        self.fake = FakeBotApi()
        self.poll_timeout = poll_timeout
        self.app_options = app_options
        self.application = None

    async def start(self) -> "BotSession":
        await self.fake.start()
        await self.start_bot()
        return self

    async def start_bot(self) -> None:
        self.application = build_application(
            self.fake.token, self.fake.base_url, **self.app_options
        )
        await self.application.initialize()
        if self.application.post_init:  # run_polling() would call it; we start by hand
            await self.application.post_init(self.application)
        await self.application.start()
        await self.application.updater.start_polling(poll_interval=0, timeout=self.poll_timeout)

    async def stop_bot(self) -> None:
        application, self.application = self.application, None
        if application is None:
            return
        if application.updater.running:
            stopping = asyncio.ensure_future(application.updater.stop())
            await asyncio.sleep(0)
            await self.fake.release_polls()
            await stopping
        if application.running:
            await application.stop()
        await application.shutdown()

    async def restart_bot(self) -> None:
        await self.stop_bot()
        await self.start_bot()

    async def close(self) -> None:
        await self.stop_bot()
        await self.fake.stop()

    # --- conveniences for a person or a test ----------------------------------------------
    def user(self, tg_id: int, first_name: str = "Test", username: str = "", **extra) -> FakeUser:
        return self.fake.user(tg_id, first_name, username, **extra)

    async def say(self, user: FakeUser, text: str, *, count: int = 1, timeout: float = 5):
        """Send text as the user and wait for `count` answers (messages, edits or toasts)."""
        mark = self.fake.cursor(user.id)
        self.fake.send_text(user, text)
        return await self.fake.wait_for_activity(user.id, mark, count=count, timeout=timeout)

    def find_button(self, user: FakeUser, label: str) -> tuple[BotMessage, dict]:
        """The newest bot message in the user's chat that has a button with this label."""
        for item in reversed(self.fake.activity[user.id]):
            if item.message is None:
                continue
            for button in item.message.buttons():
                if button["text"] == label:
                    return item.message, button
        raise LookupError(f"no button {label!r} in chat {user.id}")
