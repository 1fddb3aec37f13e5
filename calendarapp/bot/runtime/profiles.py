"""The profile (TgUser row) of the person behind each update, read once a minute, not per step.

Every update needs its sender's row: the language to answer in, whether they registered,
their time zone for "today" and "tomorrow", their default reminder. Reading it at each step
of a dialog cost a query per update, the largest single piece of the bot's CPU after
python-telegram-bot itself (Django builds each SELECT anew: ~0.4 ms). `Profiles` keeps
the rows this bot process read recently; `CalendarApplication.process_update` looks the
sender up once and `current_profile()` gives it to the handlers.

Freshness: an entry lives `ttl` seconds, so a change made elsewhere (the admin, the API)
shows within that time; this process's own changes (/register, /start, /timezone,
/settings, /language) replace the entry at once (`remember_profile`). One person's updates always
reach the same process (`runbot --workers` routes by user), so that is where their own
changes happen. Services still check what they must inside their transactions (creating
an event re-reads the owner): a stale entry can only word an answer, never write one.
"""

import time
from contextvars import ContextVar

from telegram import Update
from telegram.ext import ContextTypes

from calendarapp.bot.runtime.orm import db
from calendarapp.models import TgUser
from calendarapp.selectors.users import get_user
from calendarapp.services.users import TelegramProfile


def profile_of(update: Update) -> TelegramProfile:
    user = update.effective_user
    return TelegramProfile(
        tg_id=user.id,
        username=user.username or "",
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        language_code=user.language_code or "",
    )


_current: ContextVar[TgUser | None] = ContextVar("current_profile", default=None)


class Profiles:
    """Recently read TgUser rows by Telegram id (None: no such user), oldest first."""

    def __init__(self, ttl: float = 60.0, max_size: int = 100_000, clock=time.monotonic):
        self.ttl, self.max_size, self.clock = ttl, max_size, clock
        self._entries: dict[int, tuple[TgUser | None, float]] = {}

    async def get(self, tg_id: int) -> TgUser | None:
        entry = self._entries.get(tg_id)
        if entry is not None and self.clock() - entry[1] < self.ttl:
            return entry[0]
        user = await db(get_user)(tg_id)
        self.set(tg_id, user)
        return user

    def forget(self, tg_id: int) -> None:
        self._entries.pop(tg_id, None)

    def set(self, tg_id: int, user: TgUser | None) -> None:
        self._entries.pop(tg_id, None)
        while len(self._entries) >= self.max_size:
            del self._entries[next(iter(self._entries))]
        self._entries[tg_id] = (user, self.clock())


def begin_update(user: TgUser | None):
    """Make `user` the current profile for the rest of this update (its asyncio context)."""
    return _current.set(user)


def current_profile(update: Update) -> TgUser | None:
    """The sender's profile as read at the start of this update, if they are registered."""
    user = _current.get()
    sender = update.effective_user
    if user is None or sender is None or user.tg_id != sender.id:
        return None
    return user


async def sender_profile(update: Update) -> TgUser | None:
    """The sender's profile; None means not registered now, not merely a minute ago: a
    person who was unknown at the last read may have registered since (elsewhere)."""
    return current_profile(update) or await db(get_user)(update.effective_user.id)


def owner_of(update: Update) -> TgUser | int:
    """What the event services take as the owner: the known profile, else the id (the
    service then reads the row itself and refuses an unregistered person)."""
    return current_profile(update) or update.effective_user.id


def remember_profile(context: ContextTypes.DEFAULT_TYPE, user: TgUser | None) -> None:
    """This process just changed (or created) the row: later updates see it at once."""
    if user is None:
        return
    profiles = getattr(context.application, "profiles", None)
    if profiles is not None:
        profiles.set(user.tg_id, user)
    if _current.get() is not None and _current.get().tg_id == user.tg_id:
        _current.set(user)
