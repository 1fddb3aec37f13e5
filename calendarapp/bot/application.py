"""Build the bot: one `Application` with persistence, rate limiting and every handler."""

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import translation
from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    BaseRateLimiter,
    CommandHandler,
    ConversationHandler,
)

from calendarapp.bot import texts
from calendarapp.bot.features import (
    card_job,
    cards,
    export,
    fallback,
    feed,
    gate,
    group_post,
    miniapp,
    post,
    registration,
    sharing,
)
from calendarapp.bot.features.events import create, delete, edit, importing, read, repeat
from calendarapp.bot.features.meetings import answers, invite, links, listing
from calendarapp.bot.features.miniapp import set_app_menu_button
from calendarapp.bot.features.preferences import language, timezone
from calendarapp.bot.features.preferences import settings as settings_dialog  # not django.conf
from calendarapp.bot.outbox import (
    notifications,
    reminders,
    renderers,  # noqa: F401  (registers the meeting notifications)
    rsvp_renderers,  # noqa: F401  (and those around event cards)
)
from calendarapp.bot.runtime.botclient import CalendarBot
from calendarapp.bot.runtime.errors import on_error
from calendarapp.bot.runtime.groups import check_dialog_groups
from calendarapp.bot.runtime.i18n import update_language
from calendarapp.bot.runtime.identity import remember_identity
from calendarapp.bot.runtime.once import handling
from calendarapp.bot.runtime.persistence import DjangoPersistence
from calendarapp.bot.runtime.processing import PerUserUpdateProcessor
from calendarapp.bot.runtime.profiles import Profiles, begin_update
from calendarapp.bot.transport.http import bot_requests
from calendarapp.bot.transport.ratelimit import RetryingRateLimiter
from calendarapp.bot.ui.dialog import pending_answers
from calendarapp.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES

logger = logging.getLogger("calendarapp.bot")

# (group, handlers) providers; a feature module adds itself by appending a function here or
# by passing `extra_handlers` to build_application.
HandlerProvider = Callable[[], Iterable[tuple[int, BaseHandler]]]


class CalendarApplication(Application):
    """Saves dialog state after each update (not once a minute), then sends the answers.

    Order matters: state first, answers second. If the process dies in between, the user
    sees no answer and repeats themselves; never a question the bot will not remember.
    The handlers' writes, the state and the update's id commit together (runtime/once.py),
    so a redelivered update changes nothing.

    `fresh_state` (webhook replicas): the person's dialog state, draft and profile are read
    from the database for every update, since another process may have handled the
    previous one; otherwise this process's memory is the truth (one process per person).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fresh_state = False
        self.stale_people: set[int] = set()  # their last update failed (runtime/once.py)
        self.people_in_flight: set[int] = set()  # their update is being handled (once.py)
        self.profiles = Profiles()

    def read_fresh_state(self) -> None:
        self.fresh_state = True
        self.profiles = Profiles(ttl=0)  # the /language choice too

    async def process_update(self, update: object) -> None:
        answers: list = []
        sender = update.effective_user if isinstance(update, Update) else None
        # The sender's profile (profiles.py): polling, one process serves each person, so it
        # is read before the update's transaction, on its own (an update whose handlers
        # then send no statement needs no BEGIN and COMMIT: runtime/once.py). A replica
        # reads it after the person's lock, inside, where it is fresh.
        profile = None
        if sender is not None and not self.fresh_state:
            profile = await self.profiles.get(sender.id)
        async with handling(self, update, fresh_state=self.fresh_state) as outcome:
            if not outcome.new:
                return
            if sender is not None and self.fresh_state:
                profile = await self.profiles.get(sender.id)
            language = await self._handle(update, profile, answers)
        if outcome.redelivered:
            return
        with translation.override(language):
            for make_request in answers:
                try:
                    await make_request()
                except Exception as error:
                    await self.process_error(update=update, error=error)
                    break

    async def _handle(self, update: object, profile, answers: list) -> str:
        """The handlers and python-telegram-bot's persistence run; the answers wait in
        `answers`."""
        # The sender's profile and language for everything this update says, the answers
        # sent after the commit included. Both context-local: concurrent updates of
        # different people keep their own.
        begin_update(profile)
        language = update_language(update, profile)
        with translation.override(language):
            token = pending_answers.set(answers)
            try:
                await super().process_update(update)
                if self.persistence is not None:
                    # Queued only: handling() writes them with the update's commit.
                    await super().update_persistence()
            finally:
                pending_answers.reset(token)
        return language

    async def update_persistence(self) -> None:
        """python-telegram-bot's run queues the writes; they go out here, together."""
        await super().update_persistence()
        if isinstance(self.persistence, DjangoPersistence):
            # Not for people being handled (their update writes theirs) or whose memory
            # is known wrong (their last update failed: their next one reads it back).
            await self.persistence.write_pending(busy=self.people_in_flight | self.stale_people)


def handler_providers() -> list[HandlerProvider]:
    """Every feature's handlers; the order matters only inside a group (runtime/groups.py)."""
    return [
        gate.handlers,  # first: group chats, edits and block notices stop there
        registration.handlers,
        create.handlers,
        read.handlers,
        repeat.handlers,
        edit.handlers,
        delete.handlers,
        sharing.handlers,
        export.handlers,
        importing.handlers,
        answers.handlers,
        links.handlers,
        cards.handlers,
        group_post.handlers,  # before post: /post in a group is the picker
        post.handlers,
        invite.handlers,
        listing.handlers,
        feed.handlers,
        miniapp.handlers,
        language.handlers,
        settings_dialog.handlers,
        timezone.handlers,
        fallback.handlers,  # last: cancel outside dialogs, unknown commands, stray text
    ]


def file_base_url(base_url: str) -> str:
    """https://api.telegram.org/bot -> https://api.telegram.org/file/bot"""
    head, sep, tail = base_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}" if sep else f"{base_url}/file"


async def set_menu(application: Application) -> None:
    """The command menu in every language from the catalog: Russian for everyone, English
    for clients set to English (Telegram picks by the client's language).

    Best effort: the menu is a convenience, so a Bot API that refuses it (an outage at
    start, a proxy or test server without the method) is logged and the bot runs on.
    """
    for code in SUPPORTED_LANGUAGES:
        with translation.override(code):
            commands = [BotCommand(name, text) for name, text in texts.command_menu()]
        language = {} if code == DEFAULT_LANGUAGE else {"language_code": code}
        try:
            await application.bot.set_my_commands(
                commands, scope=BotCommandScopeDefault(), **language
            )
        except TelegramError as error:
            logger.warning("Could not set the command menu (%s): %s", code, error)


async def on_start(application: Application) -> None:
    """After getMe: the command menu (and the Mini App's menu button), and the username the
    front page links to."""
    await set_menu(application)
    await set_app_menu_button(application)
    await remember_identity(application)


def build_application(
    token: str,
    base_url: str | None = None,
    *,
    persistence: DjangoPersistence | bool | None = True,
    rate_limiter: BaseRateLimiter | bool | None = True,
    extra_providers: Iterable[HandlerProvider] = (),
    concurrent_updates: int = 64,
    updater: bool = True,
    scheduled_jobs: bool = True,
    overall_max_rate: int | None = None,
) -> Application:
    """A ready-to-run Application; `persistence=True` means the database persistence.

    For a worker of a multi-process bot (bot/workers.py): `updater=False` (the front polls),
    `scheduled_jobs=False` on all workers but one (the outbox and reminder jobs once), and
    `overall_max_rate` its share of Telegram's overall limit.
    """
    base_url = base_url or settings.TELEGRAM_API_BASE_URL
    if persistence is True:
        persistence = DjangoPersistence()
    if rate_limiter is True:
        rate_limiter = RetryingRateLimiter(
            max_retries=settings.TELEGRAM_MAX_RETRIES,
            overall_max_rate=(
                settings.TELEGRAM_OVERALL_MAX_RATE if overall_max_rate is None else overall_max_rate
            ),
        )
    # Built here rather than by the builder (which always makes a plain ExtBot).
    request, get_updates_request = bot_requests()
    bot = CalendarBot(
        token=token,
        base_url=base_url,
        base_file_url=file_base_url(base_url),
        request=request,
        get_updates_request=get_updates_request,
        rate_limiter=rate_limiter or None,
    )
    builder = (
        ApplicationBuilder()
        .application_class(CalendarApplication)
        .bot(bot)
        .concurrent_updates(PerUserUpdateProcessor(concurrent_updates))
        .post_init(on_start)
    )
    if persistence:
        builder = builder.persistence(persistence)
    if not updater:
        builder = builder.updater(None)
    application = builder.build()
    handlers = [
        pair for provider in [*handler_providers(), *extra_providers] for pair in provider()
    ]
    check_dialog_groups(handlers)
    for group, handler in handlers:
        application.add_handler(handler, group=group)
    application.add_error_handler(on_error)
    if scheduled_jobs:
        notifications.schedule(application)
        reminders.schedule(application)
        card_job.schedule(application)
    application.bot_data["known_commands"] = known_commands(application)
    return application


def known_commands(application: Application) -> frozenset[str]:
    """Every command some handler answers (dialog entry points included)."""
    names: set[str] = set()
    for handlers in application.handlers.values():
        for handler in handlers:
            candidates = (
                handler.entry_points if isinstance(handler, ConversationHandler) else [handler]
            )
            for candidate in candidates:
                if isinstance(candidate, CommandHandler):
                    names |= set(candidate.commands)
    return frozenset(names)
