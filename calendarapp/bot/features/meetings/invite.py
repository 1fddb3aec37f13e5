"""/invite: participant -> event (for a series: the whole series or one of its next
occurrences) -> comment -> the invitation goes out through the outbox.

Every rule is in services.appointments (shared with POST /api/appointments/); the
invitation reaches the other person through the outbox (bot/outbox/), never from here.
Instead of a participant, «🔗 Ссылка-приглашение» -> event gives a link anyone can answer
(services.invitations); someone the bot cannot write to yet gets their invitation as a
link the organiser forwards, and as a message when they first open the bot.
"""

import datetime as dt

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from calendarapp.bot import texts
from calendarapp.bot.features.meetings import links
from calendarapp.bot.outbox import notifications
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui import dialog, keyboards
from calendarapp.bot.ui.formatting import date_text, local_moment_text, time_text
from calendarapp.bot.ui.meeting_cards import series_rule, when
from calendarapp.bot.ui.occurrence_step import (
    CB_OCCURRENCE,
    occurrence_day,
    upcoming_days,
    which_markup,
)
from calendarapp.bot.ui.pick_step import pick_event_step
from calendarapp.exceptions import DomainError, NotFound, ValidationFailed
from calendarapp.parsing import parse_telegram_user
from calendarapp.selectors.users import find_user
from calendarapp.services import appointments as meetings
from calendarapp.services import invitations
from calendarapp.services.recurrence_words import describe

PARTICIPANT = "INVITE_WAIT_PARTICIPANT"
EVENT = "INVITE_WAIT_EVENT_ID"
OCCURRENCE = "INVITE_WAIT_OCCURRENCE"
DETAILS = "INVITE_WAIT_DETAILS"
USER_REQUEST_ID = 1  # the id of /invite's KeyboardButtonRequestUsers
PICK_ACTION = "invite"  # the event picker's callback data: pick:invite:<id>


# --- /invite ----------------------------------------------------------------------------------
def participant_keyboard() -> ReplyKeyboardMarkup:
    picker = KeyboardButton(
        texts.BTN_PICK_USER,
        request_users=KeyboardButtonRequestUsers(
            request_id=USER_REQUEST_ID,
            user_is_bot=False,
            max_quantity=1,
            request_name=True,
            request_username=True,
        ),
    )
    return ReplyKeyboardMarkup(
        [[picker], [KeyboardButton(texts.BTN_INVITE_LINK)], [KeyboardButton(texts.BTN_CANCEL)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


class UnknownInvitee(Exception):
    def __init__(self, who: str):
        super().__init__(who)
        self.who = who


def _resolve_invitee(organizer_id: int, text: str, shown_as: str = ""):
    """A typed Telegram id or @username (or a shared user's id) -> the invitable TgUser."""
    text = text.strip()
    who = parse_telegram_user(text)  # once read, the text is short enough to show
    if isinstance(who, str):
        user = find_user(who)
        if user is None:
            raise UnknownInvitee(text)
        who = user.pk
    try:
        return meetings.check_invitee(organizer_tg_id=organizer_id, participant_tg_id=who)
    except NotFound:
        raise UnknownInvitee(shown_as or text) from None


async def invite_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """/invite asks for the participant; `/invite @bob` (or an id) goes straight on."""
    if not await dialog.begin(update, context):
        return dialog.END
    args = dialog.command_args(context) if update.message is not None else []
    if not args:
        await dialog.ask(update, context, texts.ASK_PARTICIPANT, participant_keyboard())
        return PARTICIPANT
    dialog.remember(context, texts.ASK_PARTICIPANT, participant_keyboard())
    state = await _participant_chosen(update, context, args[0])
    return PARTICIPANT if state is None else state


@dialog.stops
async def cancel_participant(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """«Отмена» while the user-picker keyboard is shown: end and take the keyboard away."""
    dialog.forget(context, "draft")
    dialog.reply_keyboard_removed(context)
    chat = update.effective_chat
    await dialog.deliver(
        lambda: chat.send_message(texts.CANCELLED, reply_markup=ReplyKeyboardRemove())
    )
    return dialog.END


async def _participant_chosen(update, context, text: str, shown_as: str = ""):
    try:
        participant = await dialog.db(_resolve_invitee)(update.effective_user.id, text, shown_as)
    except UnknownInvitee as unknown:
        return await dialog.ask_again(
            update, context, texts.INVITEE_UNKNOWN.format(who=unknown.who)
        )
    except DomainError as error:
        return await dialog.reject(update, context, error)
    context.user_data["draft"] = {"participant_id": participant.pk}
    chat = update.effective_chat
    chosen = texts.PARTICIPANT_CHOSEN.format(who=participant.display_name)
    dialog.reply_keyboard_removed(context)
    await dialog.deliver(lambda: chat.send_message(chosen, reply_markup=ReplyKeyboardRemove()))
    return await EVENT_STEP.offer(update, context)  # END if there are no events to invite to


@dialog.stops
async def participant_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    if update.message.text.strip() == str(texts.BTN_INVITE_LINK):
        context.user_data["draft"] = {"link": True}
        dialog.reply_keyboard_removed(context)
        chat = update.effective_chat
        await dialog.deliver(
            lambda: chat.send_message(texts.BTN_INVITE_LINK, reply_markup=ReplyKeyboardRemove())
        )
        return await EVENT_STEP.offer(update, context)
    return await _participant_chosen(update, context, update.message.text)


@dialog.stops
async def participant_shared(update: Update, context: ContextTypes.DEFAULT_TYPE):
    shared = update.message.users_shared
    if shared.request_id != USER_REQUEST_ID or not shared.users:
        return await dialog.ask_again(update, context, texts.PARTICIPANT_EXPECTED)
    person = shared.users[0]
    shown_as = f"@{person.username}" if person.username else (person.first_name or "")
    return await _participant_chosen(update, context, str(person.user_id), shown_as)


async def _link_chosen(update, context, event_id: int):
    """«Ссылка-приглашение» then an event: an open link, with a share and a revoke button."""
    dialog.forget(context, "draft")
    try:
        invitation = await dialog.db(invitations.issue_open_invitation)(
            organizer_tg_id=update.effective_user.id, event_id=event_id
        )
    except DomainError as error:
        return await dialog.reject(update, context, error)
    url = links.link_of(invitation, context)
    event = invitation.event
    text = texts.INVITE_LINK.format(
        name=event.name,
        date=date_text(event.date),
        time=time_text(event.time),
        url=url,
        expires=local_moment_text(invitation.expires_at, event.owner.timezone),
    )
    await dialog.send(update, text, reply_markup=links.link_keyboard(invitation, url))
    return dialog.END


async def _event_chosen(
    update, context, event_id: int, *, day: dt.date | None = None, whole_series: bool = False
):
    """The event (and, for a series, the occurrence or the whole of it): checked, then the
    comment is asked."""
    if context.user_data.get("draft", {}).get("link"):
        return await _link_chosen(update, context, event_id)
    participant_id = context.user_data.get("draft", {}).get("participant_id")
    if participant_id is None:  # a draft lost to an old dialog: start again
        return await invite_start(update, context)
    try:
        await dialog.db(meetings.check_invitation)(
            organizer_tg_id=update.effective_user.id,
            participant_tg_id=participant_id,
            event_id=event_id,
            date=day,
            whole_series=whole_series,
        )
    except DomainError as error:
        return await dialog.reject(update, context, error)
    # The series' id even for an overridden day: the service finds the override itself.
    context.user_data["draft"].update(
        event_id=event_id, date=day and day.isoformat(), whole_series=whole_series
    )
    await dialog.ask(update, context, texts.ASK_INVITE_DETAILS, keyboards.skip_or_cancel())
    return DETAILS


async def event_picked(update: Update, context: ContextTypes.DEFAULT_TYPE, event):
    """The pick step (bot/ui/pick_step.py) checked ownership; the invitation rules follow.
    A series asks one more question first: the whole series or which occurrence."""
    draft = context.user_data.get("draft", {})
    if not event.rrule or draft.get("link"):
        return await _event_chosen(update, context, event.pk)
    draft["series_id"] = event.pk
    days = await dialog.db(upcoming_days)(event)
    rule = describe(event.rrule, start=event.date, time=event.time)
    question = texts.ASK_INVITE_OCCURRENCE.format(name=event.name, rule=rule)
    await dialog.ask(update, context, question, which_markup(event, days, texts.BTN_WHOLE_SERIES))
    return OCCURRENCE


@dialog.stops
async def occurrence_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """«Вся серия» (`occ:all:<id>`) or one of the days (`occ:<yyyymmdd>:<id>`)."""
    which, event_id = context.match.group(1), int(context.match.group(2))
    day = None if which == "all" else occurrence_day(which)
    expired = event_id != context.user_data.get("draft", {}).get("series_id")
    if expired or (day is None and which != "all"):  # an older question's, or forged
        await update.callback_query.answer(texts.BUTTON_EXPIRED)
        return None
    return await _event_chosen(update, context, event_id, day=day, whole_series=day is None)


@dialog.stops
async def occurrence_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await dialog.ask_again(update, context, texts.INVITE_OCCURRENCE_EXPECTED)


EVENT_STEP = pick_event_step(PICK_ACTION, texts.ASK_INVITE_EVENT, event_picked, state=EVENT)


async def _create(update, context, details: str):
    draft = context.user_data.get("draft", {})
    if "event_id" not in draft:
        return await invite_start(update, context)
    try:
        appointment = await dialog.db(meetings.create_appointment)(
            organizer_tg_id=update.effective_user.id,
            participant_tg_id=draft["participant_id"],
            event_id=draft["event_id"],
            details=details,
            date=dt.date.fromisoformat(draft["date"]) if draft.get("date") else None,
            whole_series=draft.get("whole_series", False),
        )
    except ValidationFailed as error:  # too long a comment: try again
        return await dialog.reject(update, context, error)
    except DomainError as error:  # the situation changed meanwhile (busy, invited)
        dialog.forget(context, "draft")
        await dialog.send(update, texts.error_text(error))
        return dialog.END
    dialog.forget(context, "draft")
    notifications.wake(context)
    # create_appointment returns the meeting with its event and participant loaded
    who = appointment.participant.display_name
    moment = when(appointment, appointment.organizer)
    rule = series_rule(appointment)
    series = texts.INVITATION_SERIES.format(rule=rule) if rule else ""
    if appointment.participant.can_receive_messages:
        await dialog.send(update, texts.INVITE_SENT.format(who=who, **moment) + series)
        return dialog.END
    # Nobody to write to yet: the link create_appointment issued goes to the organiser.
    invitation = appointment.invitation
    url = links.link_of(invitation, context)
    await dialog.send(
        update,
        texts.INVITE_WAITS_FOR_START.format(who=who, url=url, **moment),
        reply_markup=InlineKeyboardMarkup([[links.share_button(invitation, url)]]),
    )
    return dialog.END


@dialog.stops
async def details_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    text = update.message.text.strip()
    return await _create(update, context, "" if text == "-" else text)


@dialog.stops
async def details_skipped(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _create(update, context, "")


def handlers():
    invite = dialog.command_dialog(
        "invite",
        invite_start,
        {
            PARTICIPANT: [
                CommandHandler("cancel", cancel_participant),
                MessageHandler(dialog.CANCEL_FILTER, cancel_participant),
                MessageHandler(filters.StatusUpdate.USERS_SHARED, participant_shared),
                MessageHandler(dialog.TEXT, participant_typed),
            ],
            EVENT: EVENT_STEP.handlers,
            OCCURRENCE: [
                CallbackQueryHandler(
                    occurrence_pressed, pattern=rf"^{CB_OCCURRENCE}:(\d{{8}}|all):(\d{{1,18}})$"
                ),
                MessageHandler(dialog.TEXT, occurrence_typed),
            ],
            DETAILS: [
                CallbackQueryHandler(details_skipped, pattern=f"^{keyboards.CB_SKIP}$"),
                MessageHandler(dialog.TEXT, details_typed),
            ],
        },
    )
    return [(Group.INVITE, invite)]
