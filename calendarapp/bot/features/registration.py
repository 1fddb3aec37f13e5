"""/start, /help, /register, /login."""

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.features.meetings.links import show_invitation
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.profiles import profile_of, remember_profile
from calendarapp.bot.ui.dialog import db, deliver
from calendarapp.services.invitations import is_invitation_payload
from calendarapp.services.users import note_bot_started, register_user


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, and /start <payload> from a t.me link (an invitation's, see meetings/links.py)."""
    payload = context.args[0] if context.args else ""
    if is_invitation_payload(payload):
        await show_invitation(update, context, payload)
        return
    known = await db(note_bot_started)(update.effective_user.id)
    remember_profile(context, known)
    hint = "" if known else texts.START_REGISTER_HINT
    text = f"{texts.START}{hint}{texts.help_text()}"
    await deliver(lambda: update.effective_chat.send_message(text))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await deliver(lambda: update.effective_chat.send_message(texts.help_text()))


async def register(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, created = await db(register_user)(profile_of(update))
    remember_profile(context, user)
    template = texts.REGISTERED_NEW if created else texts.REGISTERED_AGAIN
    text = template.format(name=user.display_name)
    await deliver(lambda: update.effective_chat.send_message(text))


def handlers():
    return [
        (Group.COMMANDS, CommandHandler("start", start)),
        (Group.COMMANDS, CommandHandler("help", help_command)),
        (Group.COMMANDS, CommandHandler(["register", "login"], register)),
    ]
