"""`python manage.py chat`: talk to the bot offline, as a Telegram user, in the terminal.

The real bot runs against the project's fake Bot API (no token, no network) and the
configured database. Type messages and commands; press a button with `!<number>` or
`!<label>`; `:photo` and `:sticker` send media; `:quit` (or Ctrl-D) leaves.
Several people: `:as <id> [username]` switches to (or creates) another Telegram user, whose
unread messages are shown; `:share <id>` presses the user-picker button (as in /invite).
"""

import asyncio
import itertools
import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand

from calendarapp.devtools.fake_bot_api import FakeUser
from calendarapp.devtools.session import BotSession

HELP = (
    "Offline chat with the bot (fake Telegram, real bot and database).\n"
    "Type text or /commands. Buttons: !1, !2 … or !<label>. Media: :photo, :sticker. "
    "Another user: :as <id> [username]; pick a user in the user picker: :share <id>. "
    "Leave: :quit or Ctrl-D.\n"
)


class Command(BaseCommand):
    help = "Chat with the bot in the terminal through a local fake Telegram Bot API."

    def add_arguments(self, parser):
        parser.add_argument("--user-id", type=int, default=100001, help="your fake Telegram id")
        parser.add_argument("--username", default="console_user")
        parser.add_argument("--first-name", default="Console")
        parser.add_argument("--language", default="ru", help="language_code of the fake user")

    def handle(self, *args, **options):
        logging.getLogger("telegram").setLevel(logging.WARNING)  # keep the console readable
        call_command("migrate", verbosity=0, interactive=False)
        asyncio.run(self.chat(options))

    def show(self, activity, numbering) -> None:
        if activity.kind == "answer":
            self.stdout.write(f"  (всплывающее уведомление) {activity.text}")
            return
        prefix = "bot (изменено)" if activity.kind != "send" else "bot"
        self.stdout.write(f"{prefix}: " + activity.text.replace("\n", "\n     "))
        for button in activity.message.buttons():
            number = next(numbering)
            target = f" → {button['url']}" if "url" in button else ""
            self.stdout.write(f"  [{number}] {button['text']}{target}")

    def show_new(self, fake, user, shown: dict[int, int]) -> list[tuple]:
        """Print what the bot did in this user's chat since last time; returns the buttons."""
        numbering = itertools.count(1)
        buttons = []
        for activity in fake.activity[user.id][shown.get(user.id, 0) :]:
            self.show(activity, numbering)
            if activity.message is not None:
                buttons += [(activity.message, b) for b in activity.message.buttons()]
        shown[user.id] = len(fake.activity[user.id])
        keyboard = fake.keyboards.get(user.id)
        if keyboard:
            rows = keyboard.get("keyboard", [])
            labels = [b["text"] if isinstance(b, dict) else b for row in rows for b in row]
            self.stdout.write("  клавиатура: " + " | ".join(labels) + "  (:share <id>)")
        return buttons

    async def chat(self, options) -> None:
        session = await BotSession(rate_limiter=False).start()
        fake = session.fake
        user = session.user(
            options["user_id"],
            options["first_name"],
            options["username"],
            language_code=options["language"],
        )
        self.stdout.write(HELP)
        shown: dict[int, int] = {}
        buttons: list[tuple] = []
        try:
            while True:
                line = await asyncio.to_thread(_read_line)
                if line is None or line.strip() == ":quit":
                    break
                line = line.strip()
                if not line:
                    continue
                mark = fake.cursor(user.id)
                if line.startswith(":as "):
                    parts = line.split()
                    try:
                        other_id = int(parts[1])
                    except ValueError:
                        self.stdout.write("  :as <число> [username]")
                        continue
                    username = parts[2].lstrip("@") if len(parts) > 2 else ""
                    user = session.user(other_id, (username or str(other_id)).title(), username)
                    self.stdout.write(f"  теперь вы — {user.first_name} ({user.id})")
                    buttons = self.show_new(fake, user, shown)
                    continue
                if line.startswith("!"):
                    choice = line[1:].strip()
                    found = [
                        b for i, b in enumerate(buttons, 1) if choice in (str(i), b[1]["text"])
                    ]
                    if not found:
                        self.stdout.write("  нет такой кнопки")
                        continue
                    message, button = found[0]
                    if "callback_data" not in button:
                        self.stdout.write(f"  ссылка: {button['url']}")
                        continue
                    fake.press(user, message, button["callback_data"])
                elif line.startswith(":share "):
                    try:
                        other = fake.users.get(int(line.split()[1])) or FakeUser(
                            int(line.split()[1])
                        )
                        fake.share_users(user, other)
                    except (ValueError, LookupError):
                        self.stdout.write("  нет кнопки выбора пользователя (или не число)")
                        continue
                elif line == ":photo":
                    fake.send_photo(user)
                elif line == ":sticker":
                    fake.send_sticker(user)
                else:
                    fake.send_text(user, line)
                try:
                    await fake.wait_for_activity(user.id, mark, timeout=10)
                except TimeoutError:
                    self.stdout.write("  (бот молчит)")
                await asyncio.sleep(0.15)  # let a second answer, if any, arrive
                buttons = self.show_new(fake, user, shown)
        finally:
            await session.close()


def _read_line() -> str | None:
    try:
        return input("you: ")
    except EOFError:
        return None
