"""Drive the real bot over the fake Bot API from ordinary (synchronous) tests.

The fake API and the bot run in an event loop on a background thread, like a separate
process would; tests talk to them through `ChatUser`, which blocks until the bot answers.
"""

import asyncio
import threading

from calendarapp.bot.runtime import orm
from calendarapp.devtools.fake_bot_api import Activity, BotMessage
from calendarapp.devtools.session import BotSession
from tests.support.waiting import DEADLINE

TIMEOUT = DEADLINE  # an answer; generous, for a busy machine: a wait ends when it comes


class BotRunner:
    def __init__(self, **app_options):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.session = BotSession(**app_options)
        self.run(self.session.start())

    def run(self, coroutine, timeout: float = TIMEOUT):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def call(self, function, *args, **kwargs):
        """Run a plain function on the loop's thread (the fake API is not thread-safe)."""

        async def call():
            return function(*args, **kwargs)

        return self.run(call())

    @property
    def fake(self):
        return self.session.fake

    def user(self, tg_id: int, first_name: str = "Test", username: str = "", **extra):
        return ChatUser(self, self.session.user(tg_id, first_name, username, **extra))

    def registered_user(self, tg_id: int, first_name: str = "Test", username: str = "", **extra):
        """A user who has sent /register (the answer consumed)."""
        user = self.user(tg_id, first_name, username, **extra)
        user.ask("/register")
        return user

    def track_updates(self) -> None:
        """Record when the bot has finished each update (handlers and answers), so a test
        can wait for exactly that instead of sleeping. Call again after a restart."""
        application = self.session.application
        original = application.process_update
        self.finished: set[int] = set()
        self._finish_waiters: dict[int, list[asyncio.Future]] = {}

        async def process_update(update):
            try:
                await original(update)
            finally:
                update_id = getattr(update, "update_id", None)
                self.finished.add(update_id)
                for waiter in self._finish_waiters.pop(update_id, []):
                    if not waiter.done():
                        waiter.set_result(None)

        application.process_update = process_update

    def wait_processed(self, update_id: int, timeout: float = TIMEOUT) -> None:
        """Block until the bot has finished the update (needs `track_updates`)."""

        async def wait():
            if update_id in self.finished:
                return
            waiter = self.loop.create_future()
            self._finish_waiters.setdefault(update_id, []).append(waiter)
            await asyncio.wait_for(waiter, timeout)

        self.run(wait(), timeout + 1)

    def restart(self) -> None:
        self.run(self.session.restart_bot(), timeout=30)

    def stop_bot(self) -> None:
        """Stop the bot only; the fake Telegram (and what users did there) stays."""
        self.run(self.session.stop_bot(), timeout=30)

    def start_bot(self) -> None:
        self.run(self.session.start_bot(), timeout=30)

    def close(self) -> None:
        try:
            self.run(self.session.close(), timeout=30)
            # The bot's connections stay open; close them before the test database goes.
            self.run(orm.close_connections())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()


class ChatUser:
    """One Telegram user chatting with the bot."""

    def __init__(self, runner: BotRunner, user):
        self.runner, self.user = runner, user
        self.seen = 0  # how many bot actions in this chat the test has consumed

    @property
    def id(self) -> int:
        return self.user.id

    def _wait(self, count: int, timeout: float) -> list[Activity]:
        items = self.runner.run(
            self.runner.fake.wait_for_activity(self.id, self.seen, count=count, timeout=timeout),
            timeout + 1,
        )
        self.seen += count
        return items

    def send(self, text: str) -> int:
        return self.runner.call(self.runner.fake.send_text, self.user, text)

    def send_document(self, content: bytes, file_name: str = "calendar.ics", **options) -> int:
        return self.runner.call(
            self.runner.fake.send_document, self.user, content, file_name, **options
        )

    def send_photo(self) -> None:
        self.runner.call(self.runner.fake.send_photo, self.user)

    def send_sticker(self) -> None:
        self.runner.call(self.runner.fake.send_sticker, self.user)

    def wait_for_reply(self, timeout: float = TIMEOUT) -> Activity:
        return self._wait(1, timeout)[0]

    def wait_for_replies(self, count: int, timeout: float = TIMEOUT) -> list[Activity]:
        return self._wait(count, timeout)

    def ask(self, text: str) -> str:
        """Send text and return the text of the bot's single answer."""
        self.send(text)
        return self.wait_for_reply().text

    def press(self, label: str) -> str:
        """Press the newest inline button with this label; returns the bot's answer text."""
        message, button = self.runner.session.find_button(self.user, label)
        assert "callback_data" in button, f"{label!r} is a URL button"
        self.runner.call(self.runner.fake.press, self.user, message, button["callback_data"])
        return self.wait_for_reply().text

    def share_user(self, other: "ChatUser") -> None:
        """Press the user-picker button of the chat's reply keyboard and pick `other`."""
        self.runner.call(self.runner.fake.share_users, self.user, other.user)

    def reply_keyboard(self) -> list[str]:
        """Texts of the reply keyboard the chat shows now ([] if none)."""
        markup = self.runner.fake.keyboards.get(self.id) or {}
        rows = markup.get("keyboard", [])
        return [b["text"] if isinstance(b, dict) else b for row in rows for b in row]

    def press_data(self, callback_data: str, message: BotMessage | None = None) -> None:
        """Press a button with any callback data (forged or stale) on a bot message."""
        message = message or self.last_message()
        self.runner.call(self.runner.fake.press, self.user, message, callback_data)

    def last_message(self) -> BotMessage:
        return self.runner.fake.last_message(self.id)

    def buttons(self) -> list[str]:
        message = self.last_message()
        return message.button_texts() if message else []

    def nothing_more(self, settle: float = 0.3) -> bool:
        """True if the bot says nothing else within `settle` seconds."""
        try:
            self.runner.run(
                self.runner.fake.wait_for_activity(self.id, self.seen, timeout=settle), settle + 1
            )
        except TimeoutError:
            return True
        return False

    # --- inline mode: typing `@bot ...` in some group, pressing buttons on inline cards ---

    def inline(self, query: str = "", offset: str = "") -> dict:
        """Type `@bot query`; the bot's answerInlineQuery (results, next_offset, ...)."""
        fake = self.runner.fake
        query_id = self.runner.call(fake.inline_query, self.user, query, offset)
        answer = self.runner.run(fake.wait_inline_answer(query_id, TIMEOUT), TIMEOUT + 1)
        return {"query_id": query_id, **answer}

    def post_card(self, query: str = "") -> str:
        """Choose the first result of `@bot query`: the card's inline_message_id."""
        answer = self.inline(query)
        result = answer["results"][0]["id"]
        fake = self.runner.fake
        return self.runner.call(fake.choose_inline_result, self.user, answer["query_id"], result)

    def press_card(self, inline_message_id: str, label: str) -> str:
        """Press a card's button by label; returns the toast the bot answered with."""
        message = self.runner.fake.inline_messages[inline_message_id]
        button = next(b for b in message.buttons() if b["text"] == str(label))
        return self.press_card_data(inline_message_id, button["callback_data"])

    def press_card_data(self, inline_message_id: str, data: str) -> str:
        fake = self.runner.fake
        self.runner.call(fake.press_inline, self.user, inline_message_id, data)
        return self.wait_for_reply().text
