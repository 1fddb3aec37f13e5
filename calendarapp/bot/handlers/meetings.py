"""Meetings: /invite (participant -> event -> comment), Accept/Decline on the invitation,
/meetings with cancel buttons, and the outbox renderers of their notifications.

Every rule is in services.appointments (shared with POST /api/appointments/); notifications
to the other person go through the outbox (bot/notifications.py), never straight from here.
"""

from django.utils import timezone
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from calendarapp.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from calendarapp.models import Appointment
from calendarapp.parsing import parse_id
from calendarapp.selectors.appointments import active_meetings_of, get_appointment
from calendarapp.selectors.events import events_of
from calendarapp.selectors.users import find_user_by_username, get_user
from calendarapp.services import appointments as meetings
from calendarapp.services.events import user_now
from calendarapp.services.users import validate_tg_id

from .. import keyboards, notifications, texts
from ..dialog import (
    CANCEL_FILTER,
    COMMANDS_GROUP,
    END,
    TEXT,
    ask,
    ask_again,
    command_args,
    conversation,
    db,
    deliver,
    forget,
    registered_user,
    reject,
    remember,
    send,
    stops,
)
from ..notifications import Notification, renderer, undeliverable

PARTICIPANT = "INVITE_WAIT_PARTICIPANT"
EVENT = "INVITE_WAIT_EVENT_ID"
DETAILS = "INVITE_WAIT_DETAILS"
USER_REQUEST_ID = 1  # the id of /invite's KeyboardButtonRequestUsers
BUTTONS_GROUP = -10  # before the dialogs: a meeting button works in the middle of any dialog
PICK_PAGE_SIZE = 8
MEETINGS_PAGE_SIZE = 8
CB_ANSWER = r"^inv:(yes|no):(\d{1,18})$"
CB_PICK_EVENT = r"^inv:ev:(\d{1,18})$"
CB_PICK_PAGE = r"^inv:evp:(\d{1,6})$"
CB_CANCEL_MEETING = r"^mt:x:(\d{1,18}):(\d{1,6})$"
CB_MEETINGS_PAGE = r"^mt:p:(\d{1,6})$"


# --- formatting -------------------------------------------------------------------------------
def _when(appointment: Appointment) -> dict:
    return {
        "name": appointment.event.name if appointment.event else texts.MEETING_NO_EVENT,
        "date": f"{appointment.date:%Y-%m-%d}",
        "time": f"{appointment.time:%H:%M}",
    }


def invitation_text(appointment: Appointment) -> str:
    organizer, participant = appointment.organizer, appointment.participant
    zone = (
        texts.INVITATION_ZONE.format(zone=organizer.timezone)
        if organizer.timezone != participant.timezone
        else ""
    )
    text = texts.INVITATION.format(who=organizer.display_name, zone=zone, **_when(appointment))
    if appointment.details:
        text += texts.INVITATION_COMMENT.format(details=appointment.details)
    return text


def answer_buttons(appointment_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BTN_ACCEPT, callback_data=f"inv:yes:{appointment_id}"),
                InlineKeyboardButton(texts.BTN_DECLINE, callback_data=f"inv:no:{appointment_id}"),
            ]
        ]
    )


# --- outbox renderers (sync, on the ORM thread) -----------------------------------------------
def _appointment_of(message) -> Appointment | None:
    appointment_id = message.payload.get("appointment_id")
    return get_appointment(appointment_id) if isinstance(appointment_id, int) else None


@renderer(meetings.INVITATION)
def render_invitation(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None or appointment.status != Appointment.Status.PENDING:
        return None  # cancelled before it could be delivered
    return Notification(invitation_text(appointment), answer_buttons(appointment.pk))


@undeliverable(meetings.INVITATION)
def invitation_undeliverable(message) -> None:
    appointment_id = message.payload.get("appointment_id")
    if isinstance(appointment_id, int):
        meetings.cancel_undelivered_invitation(appointment_id)


@renderer(meetings.INVITATION_ANSWERED)
def render_answer(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None:
        return None
    accepted = message.payload.get("accepted")
    if accepted is None:
        accepted = appointment.status == Appointment.Status.CONFIRMED
    template = texts.ANSWER_ACCEPTED if accepted else texts.ANSWER_DECLINED
    return Notification(
        template.format(who=appointment.participant.display_name, **_when(appointment))
    )


@renderer(meetings.APPOINTMENT_CANCELLED)
def render_cancelled(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None:
        return None
    by = message.payload.get("cancelled_by")
    who = appointment.organizer if by == appointment.organizer_id else appointment.participant
    return Notification(
        texts.MEETING_CANCELLED_BY.format(who=who.display_name, **_when(appointment))
    )


@renderer(meetings.INVITATION_UNDELIVERED)
def render_undelivered(message) -> Notification | None:
    appointment = _appointment_of(message)
    if appointment is None:
        return None
    return Notification(
        texts.INVITATION_UNDELIVERED.format(
            who=appointment.participant.display_name, **_when(appointment)
        )
    )


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
        [[picker], [KeyboardButton(texts.BTN_CANCEL)]],
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
    if text.isdecimal():
        if len(text) > 19:  # more than any 64-bit id
            raise ValidationFailed("Not a Telegram id.", code="invalid_tg_id")
        tg_id = validate_tg_id(int(text))
    else:
        user = find_user_by_username(text) if len(text) <= 65 else None
        if user is None:
            raise UnknownInvitee(text[:65])
        tg_id = user.pk
    try:
        return meetings.check_invitee(organizer_id, tg_id)
    except NotFound:
        raise UnknownInvitee(shown_as or text[:65]) from None


def _upcoming_own_events(owner_id: int):
    """The organiser's events from today on (their today), soonest first."""
    owner = get_user(owner_id)
    today = user_now(owner).date() if owner else timezone.localdate()
    return events_of(owner_id).filter(date__gte=today)


def event_picker(owner_id: int, page: int = 1) -> InlineKeyboardMarkup | None:
    """The organiser's upcoming events as buttons, a page at a time (None: no events)."""
    events = _upcoming_own_events(owner_id)
    total = events.count()
    if not total:
        return None
    pages = -(-total // PICK_PAGE_SIZE)
    page = min(max(page, 1), pages)
    rows = [
        [
            InlineKeyboardButton(
                f"#{e.pk} {e.date:%Y-%m-%d} {e.time:%H:%M} {e.name}"[:60],
                callback_data=f"inv:ev:{e.pk}",
            )
        ]
        for e in events[(page - 1) * PICK_PAGE_SIZE : page * PICK_PAGE_SIZE]
    ]
    pager = []
    if page > 1:
        pager.append(InlineKeyboardButton(texts.BTN_PREV, callback_data=f"inv:evp:{page - 1}"))
    if page < pages:
        pager.append(InlineKeyboardButton(texts.BTN_NEXT, callback_data=f"inv:evp:{page + 1}"))
    if pager:
        rows.append(pager)
    rows.append([InlineKeyboardButton(texts.BTN_CANCEL, callback_data=keyboards.CB_CANCEL)])
    return InlineKeyboardMarkup(rows)


async def invite_start(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """/invite asks for the participant; `/invite @bob` (or an id) goes straight on."""
    if await registered_user(update) is None:
        return END
    forget(context, "draft")
    args = command_args(context) if update.message is not None else []
    if not args:
        await ask(update, context, texts.ASK_PARTICIPANT, participant_keyboard())
        return PARTICIPANT
    remember(context, texts.ASK_PARTICIPANT, participant_keyboard())
    state = await _participant_chosen(update, context, args[0])
    return PARTICIPANT if state is None else state


@stops
async def cancel_participant(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """«Отмена» while the user-picker keyboard is shown: end and take the keyboard away."""
    forget(context, "draft")
    chat = update.effective_chat
    await deliver(lambda: chat.send_message(texts.CANCELLED, reply_markup=ReplyKeyboardRemove()))
    return END


async def _participant_chosen(update, context, text: str, shown_as: str = ""):
    try:
        participant = await db(_resolve_invitee)(update.effective_user.id, text, shown_as)
    except UnknownInvitee as unknown:
        return await ask_again(update, context, texts.INVITEE_UNKNOWN.format(who=unknown.who))
    except DomainError as error:
        return await reject(update, context, error)
    context.user_data["draft"] = {"participant_id": participant.pk}
    chat = update.effective_chat
    chosen = texts.PARTICIPANT_CHOSEN.format(who=participant.display_name)
    await deliver(lambda: chat.send_message(chosen, reply_markup=ReplyKeyboardRemove()))
    markup = await db(event_picker)(update.effective_user.id)
    if markup is None:
        forget(context, "draft")
        await send(update, texts.NO_EVENTS_TO_INVITE)
        return END
    await ask(update, context, texts.ASK_INVITE_EVENT, markup)
    return EVENT


@stops
async def participant_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _participant_chosen(update, context, update.message.text)


@stops
async def participant_shared(update: Update, context: ContextTypes.DEFAULT_TYPE):
    shared = update.message.users_shared
    if shared.request_id != USER_REQUEST_ID or not shared.users:
        return await ask_again(update, context, texts.PARTICIPANT_EXPECTED)
    person = shared.users[0]
    shown_as = f"@{person.username}" if person.username else (person.first_name or "")
    return await _participant_chosen(update, context, str(person.user_id), shown_as)


async def _event_chosen(update, context, event_id: int):
    participant_id = context.user_data.get("draft", {}).get("participant_id")
    if participant_id is None:  # a draft lost to an old dialog: start again
        return await invite_start(update, context)
    try:
        event = await db(meetings.check_invitation)(
            update.effective_user.id, participant_id, event_id
        )
    except DomainError as error:
        return await reject(update, context, error)
    context.user_data["draft"]["event_id"] = event.pk
    await ask(update, context, texts.ASK_INVITE_DETAILS, keyboards.skip_or_cancel())
    return DETAILS


@stops
async def event_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    try:
        event_id = parse_id(update.message.text)
    except DomainError as error:
        return await reject(update, context, error)
    return await _event_chosen(update, context, event_id)


@stops
async def event_picked(update: Update, context: ContextTypes.DEFAULT_TYPE):
    # the answer to the button press is given by send()/ask_again()
    return await _event_chosen(update, context, int(context.match.group(1)))


@stops
async def event_page(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    markup = await db(event_picker)(update.effective_user.id, int(context.match.group(1)))
    await query.answer()
    if markup is None:
        return None
    context.user_data["markup"] = markup.to_dict()

    async def edit():
        try:
            await query.edit_message_reply_markup(markup)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise

    await deliver(edit)
    return None


async def _create(update, context, details: str):
    draft = context.user_data.get("draft", {})
    if "event_id" not in draft:
        return await invite_start(update, context)
    try:
        appointment = await db(meetings.create_appointment)(
            update.effective_user.id, draft["participant_id"], draft["event_id"], details=details
        )
    except ValidationFailed as error:  # too long a comment: try again
        return await reject(update, context, error)
    except DomainError as error:  # the situation changed meanwhile (busy, invited)
        forget(context, "draft")
        await send(update, texts.error_text(error))
        return END
    forget(context, "draft")
    notifications.wake(context)
    # create_appointment returns the meeting with its event and participant loaded
    who = appointment.participant.display_name
    await send(update, texts.INVITE_SENT.format(who=who, **_when(appointment)))
    return END


@stops
async def details_typed(update: Update, context: ContextTypes.DEFAULT_TYPE):
    text = update.message.text.strip()
    return await _create(update, context, "" if text == "-" else text)


@stops
async def details_skipped(update: Update, context: ContextTypes.DEFAULT_TYPE):
    return await _create(update, context, "")


# --- answering an invitation ------------------------------------------------------------------
async def _drop_buttons(query) -> None:
    async def edit():
        try:
            await query.edit_message_reply_markup(None)
        except BadRequest as error:  # no buttons left already
            if "not modified" not in str(error).lower():
                raise

    if getattr(query.message, "reply_markup", None):
        await deliver(edit)


@stops
async def answer_invitation(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    accept = context.match.group(1) == "yes"
    appointment_id = int(context.match.group(2))
    try:
        await db(meetings.respond_to_invitation)(
            update.effective_user.id, appointment_id, accept=accept
        )
    except Conflict as error:
        status = error.params.get("status", "")
        await query.answer(texts.ALREADY_ANSWERED.get(status, texts.error_text(error)))
        await _drop_buttons(query)
        return
    except DomainError:  # missing, or someone else's invitation
        await query.answer(texts.INVITATION_GONE)
        return
    notifications.wake(context)
    await query.answer()
    outcome = texts.YOU_ACCEPTED if accept else texts.YOU_DECLINED
    original = getattr(query.message, "text", None)
    if original:
        await deliver(lambda: query.edit_message_text(f"{original}\n\n{outcome}"))
    else:  # a message too old to edit: say it anew
        chat = update.effective_chat
        await deliver(lambda: chat.send_message(outcome))


# --- /meetings --------------------------------------------------------------------------------
def meetings_page(viewer_id: int, page: int = 1) -> tuple[str, InlineKeyboardMarkup | None]:
    queryset = active_meetings_of(viewer_id)
    total = queryset.count()
    if not total:
        return texts.NO_MEETINGS, None
    pages = -(-total // MEETINGS_PAGE_SIZE)
    page = min(max(page, 1), pages)
    lines, rows = [], []
    for item in queryset[(page - 1) * MEETINGS_PAGE_SIZE : page * MEETINGS_PAGE_SIZE]:
        mine = item.organizer_id == viewer_id
        template = texts.MEETING_AS_ORGANIZER if mine else texts.MEETING_AS_GUEST
        other = item.participant if mine else item.organizer
        lines.append(
            template.format(
                id=item.pk,
                who=other.display_name,
                status=texts.MEETING_STATUS.get(item.status, item.status),
                **_when(item),
            )
        )
        label = texts.BTN_CANCEL_MEETING.format(id=item.pk)
        rows.append([InlineKeyboardButton(label, callback_data=f"mt:x:{item.pk}:{page}")])
    pager = []
    if page > 1:
        pager.append(InlineKeyboardButton(texts.BTN_PREV, callback_data=f"mt:p:{page - 1}"))
    if page < pages:
        pager.append(InlineKeyboardButton(texts.BTN_NEXT, callback_data=f"mt:p:{page + 1}"))
    if pager:
        rows.append(pager)
    suffix = texts.PAGE_SUFFIX.format(page=page, pages=pages) if pages > 1 else ""
    text = f"{texts.MEETINGS_TITLE}{suffix}:\n\n" + "\n".join(lines)
    return text, InlineKeyboardMarkup(rows)


async def list_meetings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    text, markup = await db(meetings_page)(update.effective_user.id)
    chat = update.effective_chat
    await deliver(lambda: chat.send_message(text, reply_markup=markup))


async def _show_page(query, text: str, markup) -> None:
    async def edit():
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise

    await deliver(edit)


@stops
async def meetings_turn(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    text, markup = await db(meetings_page)(update.effective_user.id, int(context.match.group(1)))
    await query.answer()
    await _show_page(query, text, markup)


@stops
async def cancel_meeting(update: Update, context: ContextTypes.DEFAULT_TYPE):
    query = update.callback_query
    appointment_id, page = int(context.match.group(1)), int(context.match.group(2))
    viewer = update.effective_user.id
    try:
        appointment = await db(meetings.cancel_appointment)(viewer, appointment_id)
    except NotFound as error:
        await query.answer(texts.error_text(error))
        return
    except DomainError as error:  # already cancelled: show the list as it is now
        await query.answer(texts.error_text(error))
    else:
        notifications.wake(context)
        other_id = (
            appointment.participant_id
            if appointment.organizer_id == viewer
            else appointment.organizer_id
        )
        who = await db(_display_name)(other_id)
        await query.answer(texts.MEETING_CANCELLED.format(id=appointment.pk, who=who))
    text, markup = await db(meetings_page)(viewer, page)
    await _show_page(query, text, markup)


def _display_name(tg_id: int) -> str:
    user = get_user(tg_id)
    return user.display_name if user else str(tg_id)


def handlers():
    invite = conversation(
        "invite",
        [CommandHandler("invite", invite_start)],
        {
            PARTICIPANT: [
                CommandHandler("cancel", cancel_participant),
                MessageHandler(CANCEL_FILTER, cancel_participant),
                MessageHandler(filters.StatusUpdate.USERS_SHARED, participant_shared),
                MessageHandler(TEXT, participant_typed),
            ],
            EVENT: [
                CallbackQueryHandler(event_picked, pattern=CB_PICK_EVENT),
                CallbackQueryHandler(event_page, pattern=CB_PICK_PAGE),
                MessageHandler(TEXT, event_typed),
            ],
            DETAILS: [
                CallbackQueryHandler(details_skipped, pattern=f"^{keyboards.CB_SKIP}$"),
                MessageHandler(TEXT, details_typed),
            ],
        },
    )
    return [
        (BUTTONS_GROUP, CallbackQueryHandler(answer_invitation, pattern=CB_ANSWER)),
        (BUTTONS_GROUP, CallbackQueryHandler(cancel_meeting, pattern=CB_CANCEL_MEETING)),
        (BUTTONS_GROUP, CallbackQueryHandler(meetings_turn, pattern=CB_MEETINGS_PAGE)),
        (6, invite),
        (COMMANDS_GROUP, CommandHandler("meetings", list_meetings)),
    ]
