"""A bot process (`manage.py runbot`, `bot.py`) talking to the fake Bot API of the test.

The fake runs in the test's event loop: everything here waits without blocking that loop.
"""

import signal
import sys

from calendarapp.devtools.fake_bot_api import FakeBotApi, FakeUser

from .processes import Child
from .waiting import DEADLINE, STOP, until


def bot_env(fake: FakeBotApi, env: dict[str, str]) -> dict[str, str]:
    """`env` with the fake's token and address for the bot."""
    return env | {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url}


def runbot(fake: FakeBotApi, env: dict[str, str], *args: str) -> Child:
    """`manage.py runbot <args>` against the fake."""
    return Child([sys.executable, "manage.py", "runbot", *args], bot_env(fake, env))


async def say(fake: FakeBotApi, user: FakeUser, text: str, timeout: float = DEADLINE) -> str:
    """`user` writes `text`; the text of the bot's next action in the chat."""
    mark = fake.cursor(user.id)
    fake.send_text(user, text)
    return (await fake.wait_for_activity(user.id, mark, timeout=timeout))[0].text


async def exited(fake: FakeBotApi, bot: Child, timeout: float = STOP) -> int:
    """The bot's exit status, once it has ended; its long polls are answered meanwhile, so
    that stopping need not wait for one to time out."""

    async def ended():
        await fake.release_polls()
        return bot.poll() is not None

    await until(ended, timeout, message=f"{bot} did not exit")
    return await bot.wait_async(10)


async def stop(fake: FakeBotApi, bot: Child, timeout: float = STOP) -> int:
    """SIGTERM (as `docker stop` or Ctrl-C), then the exit status."""
    bot.send_signal(signal.SIGTERM)
    return await exited(fake, bot, timeout)
