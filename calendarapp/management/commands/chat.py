"""`python manage.py chat`: talk to the bot offline, as a Telegram user, in the terminal.

The real bot runs against the project's fake Bot API (no token, no network) and the
configured database. Type messages and commands. The bot's messages are numbered (#3) and
their buttons keyed: `!15` presses [15] (the 15th in the month calendar), `!a` presses [a],
`!Отмена` the button so labelled, `!3.a` a button of message #3 (see devtools/transcript.py).
`:photo` and `:sticker` send media; `:help` repeats the help; `:quit` (or Ctrl-D) leaves.
Several people: `:as <id> [username]` switches to (or creates) another Telegram user, whose
unread messages are shown; `:share <id>` presses the user-picker button (as in /invite).
Whatever arrives meanwhile (reminders, invitations) is printed at once, above the prompt;
the bot's logs go to a file (`--verbose`: above the prompt too).
"""

import asyncio
import os
import tempfile

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import translation

from calendarapp.bot import texts
from calendarapp.bot.runtime.orm import db
from calendarapp.devtools.fake_bot_api import Activity, FakeUser
from calendarapp.devtools.session import BotSession
from calendarapp.devtools.terminal import Terminal, route_logging
from calendarapp.devtools.transcript import Chat, Press, find_button, render
from calendarapp.i18n import SUPPORTED_LANGUAGES, resolve_language
from calendarapp.selectors.users import get_user

ANSWER_TIMEOUT = 10.0  # seconds to wait for the bot's first answer
QUIET = 0.25  # the answer is complete once the bot has been quiet this long
DEFAULT_LOG = os.path.join(tempfile.gettempdir(), "calendar-chat.log")


class Console:
    """One terminal, several fake Telegram users (one at a time), the bot behind them."""

    def __init__(self, session: BotSession, terminal: Terminal, *, log_path: str):
        self.session, self.fake, self.terminal = session, session.fake, terminal
        self.log_path = log_path
        self.user: FakeUser | None = None
        self.language = translation.get_language()
        self.chats: dict[int, Chat] = {}
        self.hinted: set[int] = set()  # other users already told to have new messages
        self.printing: set[asyncio.Task] = set()
        self.fake.watchers.append(self.arrived)

    def chat(self, user_id: int) -> Chat:
        return self.chats.setdefault(user_id, Chat())

    def say(self, text, **fields) -> None:
        """Print a console text (lazy, formatted with `fields`) in the user's language."""
        with translation.override(self.language):
            self.terminal.say(text.format(**fields) if fields else str(text))

    def arrived(self, activity: Activity) -> None:
        """Called as the bot does anything in any chat, inside the fake's request handling
        (which a printing problem must not fail): shown right after, in a task of its own."""
        task = asyncio.get_running_loop().create_task(self.show_arrival(activity))
        self.printing.add(task)
        task.add_done_callback(self.printing.discard)

    async def show_arrival(self, activity: Activity) -> None:
        if self.user is not None and activity.chat_id == self.user.id:
            await self.follow_language()  # the answer to /language is already in it
            self.show_unread()
        elif activity.chat_id not in self.hinted:
            self.hinted.add(activity.chat_id)
            other = self.fake.users.get(activity.chat_id) or FakeUser(activity.chat_id)
            self.say(texts.CHAT_UNREAD, name=other.first_name, id=other.id)

    def show_unread(self) -> None:
        chat, activity = self.chat(self.user.id), self.fake.activity[self.user.id]
        with translation.override(self.language):
            lines = [line for item in activity[chat.shown :] for line in render(item, chat)]
        chat.shown = len(activity)
        if lines:
            self.terminal.say("\n".join(lines))

    async def follow_language(self) -> None:
        """The console speaks as the bot does to this user: /language, else the client's."""
        profile = await db(get_user)(self.user.id)
        chosen = profile.language if profile is not None else ""
        self.language = resolve_language(chosen, self.user.language_code)

    async def switch_to(self, user: FakeUser, *, announce: bool = True) -> None:
        """Be `user` from now on; their messages not seen yet are shown."""
        self.user = user
        self.hinted.discard(user.id)
        await self.follow_language()
        if announce:
            self.say(texts.CHAT_NOW_YOU, name=user.first_name, id=user.id)
        self.show_unread()

    async def wait_for_answer(self, mark: int, query_id: str = "") -> None:
        """Until the bot answered (a message, an edit, a toast, or a silently answered
        button) and then fell quiet, so the next prompt comes below the answer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ANSWER_TIMEOUT
        user_id = self.user.id
        while self.fake.cursor(user_id) == mark and query_id not in self.fake.answered_callbacks:
            if loop.time() > deadline:
                self.say(texts.CHAT_SILENT, log=self.log_path)
                return
            await asyncio.sleep(0.05)
        seen = -1
        while seen != self.fake.cursor(user_id):
            seen = self.fake.cursor(user_id)
            await asyncio.sleep(QUIET)

    async def press(self, typed: str) -> str | None:
        """Press `!typed`; the callback query id, or None when nothing was sent to the bot."""
        user = self.user
        found = find_button(typed, self.chat(user.id), self.fake.messages)
        if isinstance(found, Press) and "callback_data" in found.button:
            self.fake.press(user, found.message, found.button["callback_data"])
            return self.fake.last_query_id
        if isinstance(found, Press):
            self.say(texts.CHAT_LINK, url=found.button.get("url", ""))
            return None
        keyboard = self.fake.keyboards.get(user.id) or {}
        for row in keyboard.get("keyboard", []):
            for button in row:
                label = button["text"] if isinstance(button, dict) else button
                if label.strip().casefold() != typed.strip().casefold():
                    continue
                if isinstance(button, dict) and "request_users" in button:
                    self.say(texts.CHAT_SHARE_USAGE)
                    return None
                self.fake.send_text(user, label)  # a reply keyboard button sends its label
                return ""
        self.say(found)
        return None

    async def act(self, line: str) -> bool:
        """Do what the typed line says; True when it sent the bot a message whose answer the
        caller is to wait for (a press waits here: it also ends with a silent answer)."""
        fake, user = self.fake, self.user
        command, _space, rest = line.partition(" ")
        if command == ":help":
            self.say(texts.CHAT_HELP, log=self.log_path)
            return False
        if command == ":as":
            return await self.switch_user(rest.split())
        if command == ":share":
            try:
                other_id = int(rest)
            except ValueError:
                self.say(texts.CHAT_SHARE_USAGE)
                return False
            try:
                fake.share_users(user, fake.users.get(other_id) or FakeUser(other_id))
            except LookupError:
                self.say(texts.CHAT_NO_PICKER)
                return False
        elif line.startswith("!") and len(line) > 1:
            mark = fake.cursor(user.id)
            query_id = await self.press(line[1:])
            if query_id is None:
                return False
            await self.wait_for_answer(mark, query_id)
            return False
        elif line == ":photo":
            fake.send_photo(user)
        elif line == ":sticker":
            fake.send_sticker(user)
        else:
            fake.send_text(user, line)
        return True

    async def switch_user(self, words: list[str]) -> bool:
        try:
            other_id = int(words[0])
        except (IndexError, ValueError):
            self.say(texts.CHAT_AS_USAGE)
            return False
        username = words[1].lstrip("@") if len(words) > 1 else ""
        name = (username or str(other_id)).title()
        other = self.session.user(other_id, name, username, language_code=self.user.language_code)
        await self.switch_to(other)
        return False

    async def run(self, user: FakeUser) -> None:
        await self.switch_to(user, announce=False)
        self.say(texts.CHAT_HELP, log=self.log_path)
        while True:
            with translation.override(self.language):
                prompt = str(texts.CHAT_PROMPT)
            line = await self.terminal.read(prompt)
            if line is None or line.strip() == ":quit":
                return
            line = line.strip()
            if not line:
                continue
            mark = self.fake.cursor(self.user.id)
            with translation.override(self.language):  # the hints the line may get
                if await self.act(line):
                    await self.wait_for_answer(mark)
            await self.follow_language()


class Command(BaseCommand):
    help = "Chat with the bot in the terminal through a local fake Telegram Bot API."

    def add_arguments(self, parser):
        parser.add_argument("--user-id", type=int, default=100001, help="your fake Telegram id")
        parser.add_argument("--username", default="console_user")
        parser.add_argument("--first-name", default="Console")
        parser.add_argument(
            "--lang",
            "--language",
            dest="language",
            default="ru",
            choices=SUPPORTED_LANGUAGES,
            help="the fake Telegram client's language (the bot's and the console's)",
        )
        parser.add_argument("--verbose", action="store_true", help="show the bot's logs here")
        parser.add_argument("--log-file", default=DEFAULT_LOG, help="where the logs go")

    def handle(self, *args, **options):
        terminal = Terminal()
        route_logging(terminal, path=options["log_file"], verbose=options["verbose"])
        call_command("migrate", verbosity=0, interactive=False)
        try:
            asyncio.run(self.chat(terminal, options))
        except KeyboardInterrupt:
            pass  # Ctrl-C leaves, like :quit
        finally:
            terminal.restore()

    async def chat(self, terminal: Terminal, options) -> None:
        session = await BotSession(rate_limiter=False).start()
        console = Console(session, terminal, log_path=options["log_file"])
        user = session.user(
            options["user_id"],
            options["first_name"],
            options["username"],
            language_code=options["language"],
        )
        try:
            await console.run(user)
        finally:
            await session.close()
