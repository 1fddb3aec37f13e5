"""Invitation links: `/start i-<code>` shows the invitation, «Принять» / «Отклонить» answer it,
«Отозвать ссылку» withdraws it. The rules (who may answer, once, before it expires) are in
services.invitations; the link itself is built here from the bot's own username."""

from urllib.parse import urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from calendarapp.bot import texts
from calendarapp.bot.outbox import notifications
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.runtime.profiles import profile_of, remember_profile
from calendarapp.bot.ui.dialog import db, deliver, send, stops
from calendarapp.bot.ui.formatting import date_text, time_text
from calendarapp.exceptions import DomainError
from calendarapp.services import invitations
from calendarapp.services.users import note_bot_started, register_user
from calendarapp.timezones import offset_name

CB_ANSWER = r"^link:(yes|no):([A-Za-z0-9_-]{22})$"
CB_REVOKE = r"^link:revoke:([A-Za-z0-9_-]{22})$"


def link_of(invitation, context: ContextTypes.DEFAULT_TYPE) -> str:
    return f"https://t.me/{context.bot.username}?start={invitations.start_payload(invitation)}"


def share_button(invitation, url: str) -> InlineKeyboardButton:
    """Telegram's own share dialog: pick any chat, the link goes there with a line of text."""
    text = texts.LINK_SHARE_TEXT.format(
        name=invitation.event.name,
        date=date_text(invitation.event.date),
        time=time_text(invitation.event.time),
    )
    query = urlencode({"url": url, "text": text})
    return InlineKeyboardButton(
        str(texts.BTN_FORWARD_INVITATION), url=f"https://t.me/share/url?{query}"
    )


def link_keyboard(invitation, url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [share_button(invitation, url)],
            [
                InlineKeyboardButton(
                    str(texts.BTN_REVOKE_LINK), callback_data=f"link:revoke:{invitation.code}"
                )
            ],
        ]
    )


def invitation_card(invitation) -> tuple[str, InlineKeyboardMarkup]:
    """What the invited person sees: the organiser's time, their zone said."""
    event = invitation.event
    details = (
        texts.INVITATION_COMMENT.format(details=invitation.details) if invitation.details else ""
    )
    text = texts.LINK_INVITATION.format(
        who=invitation.organizer.display_name,
        name=event.name,
        date=date_text(event.date),
        time=time_text(event.time),
        zone=offset_name(invitation.organizer.timezone),
        details=details,
    )
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    str(texts.BTN_ACCEPT), callback_data=f"link:yes:{invitation.code}"
                ),
                InlineKeyboardButton(
                    str(texts.BTN_DECLINE), callback_data=f"link:no:{invitation.code}"
                ),
            ]
        ]
    )
    return text, buttons


async def show_invitation(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    """`/start i-<code>`: the invitation, or why it cannot be answered. Opening it counts as
    its delivery, so the outbox does not send it a second time."""
    tg_id = update.effective_user.id
    try:
        invitation = await db(invitations.open_invitation)(payload=payload, tg_id=tg_id)
    except DomainError as error:
        known = await db(note_bot_started)(tg_id)
        remember_profile(context, known)
        await send(update, texts.error_text(error))
        return
    known = await db(note_bot_started)(tg_id)
    remember_profile(context, known)
    notifications.wake(context)  # other invitations that waited for this first /start
    text, buttons = invitation_card(invitation)
    await send(update, text, reply_markup=buttons)


@stops
async def answer_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """Pressing registers the person (the bot needs them to hold a meeting), then answers."""
    accept = context.match.group(1) == "yes"
    code = context.match.group(2)
    user, _created = await db(register_user)(profile_of(update))
    remember_profile(context, user)
    try:
        appointment = await db(invitations.answer_invitation)(
            code=code, tg_id=user.pk, accept=accept
        )
    except DomainError as error:  # the card stays as it was: nothing changed
        toast = texts.error_text(error)
        await deliver(lambda: update.callback_query.answer(toast, show_alert=True))
        return
    notifications.wake(context)
    template = texts.LINK_ACCEPTED if accept else texts.LINK_DECLINED
    await send(
        update,
        template.format(
            name=appointment.event.name,
            date=date_text(appointment.date),
            time=time_text(appointment.time),
        ),
    )


@stops
async def revoke_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        await db(invitations.revoke_invitation)(
            organizer_tg_id=update.effective_user.id, code=context.match.group(1)
        )
    except DomainError as error:
        toast = texts.error_text(error)
        await deliver(lambda: update.callback_query.answer(toast, show_alert=True))
        return
    await send(update, texts.LINK_REVOKED)


def handlers():
    return [
        (Group.MEETING_BUTTONS, CallbackQueryHandler(answer_pressed, pattern=CB_ANSWER)),
        (Group.MEETING_BUTTONS, CallbackQueryHandler(revoke_pressed, pattern=CB_REVOKE)),
    ]
