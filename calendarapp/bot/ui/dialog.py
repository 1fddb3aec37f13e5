"""Shared pieces of every dialog: asking, re-asking, cancelling, leaving for another command.

Rules of the road (see docs/architecture.md, "The bot"):
- each ConversationHandler sits in its own handler group, simple commands in
  Group.COMMANDS (bot/runtime/groups.py assigns them all);
- callbacks inside a dialog raise ApplicationHandlerStop, so nothing else answers the same
  message; a command that starts a dialog does not, so another open dialog sees it and ends.
"""

import functools
import json
import re
import warnings
from contextvars import ContextVar

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from calendarapp.bot import texts
from calendarapp.bot.runtime.i18n import plain
from calendarapp.bot.runtime.orm import db
from calendarapp.bot.runtime.profiles import sender_profile
from calendarapp.bot.ui import keyboards
from calendarapp.exceptions import DomainError
from calendarapp.parsing import parse_id
from calendarapp.selectors.events import get_own_event

END = ConversationHandler.END
REPLY_KEYBOARD = "reply_keyboard"  # user_data: a reply keyboard is on the person's screen
CANCEL_FILTER = filters.Regex(
    re.compile(r"^\s*(" + "|".join(texts.CANCEL_WORDS) + r")\s*[.!]?\s*$", re.IGNORECASE)
)
TEXT = filters.TEXT & ~filters.COMMAND & ~CANCEL_FILTER  # an answer inside a dialog


def stops(callback):
    """Run a dialog callback and stop other handler groups from answering the same update."""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE):
        raise ApplicationHandlerStop(await callback(update, context))

    return wrapper


def step(callback):
    """An answer to the open dialog's question (and `stops`): a DomainError the callback
    lets through is a refused answer, so the person is told why and asked the same question
    again, and the dialog stays where it is. A step then reads as the happy path.

    Only for dialog states: a button outside a dialog has no question of its own to repeat
    (user_data may still hold an older dialog's), so those handle their errors themselves.
    """

    @functools.wraps(callback)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE):
        try:
            return await callback(update, context)
        except DomainError as error:
            await reject(update, context, error)
            return None

    return stops(wrapper)


# Answers wait here until the update's dialog state is in the database (see
# CalendarApplication.process_update): a crash can then never show a question whose state
# was not saved.
pending_answers: ContextVar[list | None] = ContextVar("pending_answers", default=None)


async def deliver(make_request) -> None:
    """Send now, or after the persistence write when handling an update."""
    queue = pending_answers.get()
    if queue is None:
        await make_request()
    else:
        queue.append(make_request)


def unless_unchanged(make_request):
    """An edit that would change nothing (a button pressed twice, quicker than the first
    edit arrived) is Telegram's 400 "message is not modified": the message already says
    it, so that is success, not an error."""

    async def request():
        try:
            return await make_request()
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise
            return None

    return request


async def send(update: Update, text: str, reply_markup=None) -> None:
    """Answer: a pressed button edits its own message, anything else gets a new message."""
    query = update.callback_query
    if query is not None:
        # After the commit too (runtime/once.py): the transaction holds no round trip.
        await deliver(query.answer)
        await deliver(
            unless_unchanged(lambda: query.edit_message_text(text, reply_markup=reply_markup))
        )
    else:
        chat = update.effective_chat
        await deliver(lambda: chat.send_message(text, reply_markup=reply_markup))


def remember(context: ContextTypes.DEFAULT_TYPE, question: str, markup=None) -> None:
    """Keep the current question, so a bad answer (or a restart) can repeat it."""
    context.user_data["question"] = str(question)  # rendered now, in the update's language
    remember_markup(context, markup)


def remember_markup(context: ContextTypes.DEFAULT_TYPE, markup) -> None:
    """Keep the question's buttons as JSON text, rendered in the update's language.

    Text, not the dict: user_data is deep-copied and compared after every update to decide
    what to save, and a month calendar is ~45 nested dicts; a string costs nothing there.
    """
    context.user_data["markup"] = (
        json.dumps(plain(markup.to_dict()), ensure_ascii=False) if markup is not None else None
    )
    if isinstance(markup, ReplyKeyboardMarkup):
        # It stays on the person's screen, whatever dialog comes next, until removed.
        context.user_data[REPLY_KEYBOARD] = True
        context.reply_keyboard_shown = True  # by this very update


def reply_keyboard_removed(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say so after sending a ReplyKeyboardRemove."""
    context.user_data.pop(REPLY_KEYBOARD, None)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, markup=None):
    """Ask a dialog question and remember it."""
    remember(context, question, markup)
    await send(update, question, markup)


async def ask_again(update: Update, context: ContextTypes.DEFAULT_TYPE, problem: str) -> None:
    """Say what was wrong and repeat the question; the dialog stays where it is."""
    question = context.user_data.get("question", "")
    markup = context.user_data.get("markup")
    if isinstance(markup, str):  # JSON text; an earlier version saved the dict itself
        markup = json.loads(markup)
    if markup:  # inline buttons, or a reply keyboard (e.g. /invite's user picker)
        kind = ReplyKeyboardMarkup if "keyboard" in markup else InlineKeyboardMarkup
        markup = kind.de_json(markup, context.bot)
    else:
        markup = None
    text = f"{problem}\n\n{question}" if question else problem
    if update.callback_query is not None:
        await deliver(update.callback_query.answer)
    chat = update.effective_chat
    await deliver(lambda: chat.send_message(text, reply_markup=markup))


async def reject(update: Update, context: ContextTypes.DEFAULT_TYPE, error: DomainError) -> None:
    await ask_again(update, context, texts.error_text(error))


def dialog_draft(context: ContextTypes.DEFAULT_TYPE) -> dict:
    """What the open dialog collected so far (saved with its state after every update)."""
    return context.user_data.setdefault("draft", {})


async def load_own_event(update: Update, text: str):
    """A typed event number -> the sender's own event (NotFound for anyone else's)."""
    return await db(get_own_event)(owner_tg_id=update.effective_user.id, event_id=parse_id(text))


def forget(context: ContextTypes.DEFAULT_TYPE, *keys: str) -> None:
    for key in ("question", "markup", *keys):
        context.user_data.pop(key, None)


async def registered_user(update: Update):
    """The TgUser behind the update, or None after telling them to /register."""
    user = await sender_profile(update)
    if user is None:
        await send(update, texts.NEED_REGISTER)
    return user


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A dialog's first step: for registered people only (others are told how), and with no
    draft left from an earlier dialog. False: the dialog does not open."""
    if await registered_user(update) is None:
        return False
    forget(context, "draft")
    return True


@stops
async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE):
    forget(context, "draft")
    await send(update, texts.CANCELLED)
    return END


async def leave_for_command(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """Another command during a dialog: the dialog ends quietly and the command runs.

    The draft and question in user_data are the open dialog's, unless the command started a
    dialog in an earlier handler group in this same update: then they are already the new
    dialog's and stay. Quietly, unless a reply keyboard (/invite's user picker) is on the
    screen from before: that one stays until the bot removes it, so they are told and it goes.
    """
    if not getattr(context, "dialog_opened", False):
        forget(context, "draft")
    if context.user_data.get(REPLY_KEYBOARD) and not getattr(
        context, "reply_keyboard_shown", False
    ):
        reply_keyboard_removed(context)
        # Sent now, not after the state write (it asks nothing): before the command's answer.
        await update.effective_chat.send_message(
            texts.DIALOG_LEFT, reply_markup=ReplyKeyboardRemove()
        )
    return END


@stops
async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await ask_again(update, context, texts.TEXT_EXPECTED)


def fallbacks() -> list:
    return [
        CommandHandler("cancel", cancel),
        MessageHandler(CANCEL_FILTER, cancel),
        CallbackQueryHandler(cancel, pattern=f"^{keyboards.CB_CANCEL}$"),
        MessageHandler(filters.COMMAND, leave_for_command),
        MessageHandler(~filters.COMMAND, not_text),
        CallbackQueryHandler(stops(expired_button)),
    ]


async def expired_button(update: Update, context: ContextTypes.DEFAULT_TYPE):
    await update.callback_query.answer(texts.BUTTON_EXPIRED)


def _opening(callback):
    """An entry point: dialogs of later groups that this command ends must leave the new
    dialog's draft alone (the update's context is shared by all groups)."""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE):
        context.dialog_opened = True
        return await callback(update, context)

    return wrapper


def conversation(name: str, entry_points: list, states: dict) -> ConversationHandler:
    for entry in entry_points:
        entry.callback = _opening(entry.callback)
    with warnings.catch_warnings():
        # Buttons belong to the chat's dialog, not to one message: per_message=False is meant.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=fallbacks(),
            name=name,
            persistent=True,
            allow_reentry=True,
        )


def command_dialog(command: str, start, states: dict) -> ConversationHandler:
    """A dialog that one command opens, kept (bot persistence) under the command's name."""
    return conversation(command, [CommandHandler(command, start)], states)


def command_args(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return list(context.args or [])


def command_tail(update: Update) -> str:
    """Everything after the command word, with the user's spacing and line breaks kept."""
    text = update.effective_message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""
