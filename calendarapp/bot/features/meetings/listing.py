"""/meetings: my pending and confirmed meetings, paged, with cancel, accept and decline."""

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from calendarapp.bot import texts
from calendarapp.bot.outbox import notifications
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui.dialog import db, deliver, registered_user, stops, unless_unchanged
from calendarapp.bot.ui.meeting_cards import series_rule, when
from calendarapp.bot.ui.pager import Page, titled
from calendarapp.exceptions import Conflict, DomainError, NotFound
from calendarapp.models import Appointment
from calendarapp.selectors.appointments import active_meetings_of
from calendarapp.selectors.users import get_user
from calendarapp.services import appointments as meetings

MEETINGS_PAGE_SIZE = 8
CB_CANCEL_MEETING = r"^mt:x:(\d{1,18}):(\d{1,6})$"
CB_MEETINGS_PAGE = r"^mt:p:(\d{1,6})$"
CB_ANSWER_IN_LIST = r"^mt:(a|d):(\d{1,18}):(\d{1,6})$"  # accept / decline from /meetings


# --- /meetings --------------------------------------------------------------------------------
def meetings_page(viewer_id: int, page: int = 1) -> tuple[str, InlineKeyboardMarkup | None]:
    queryset = active_meetings_of(viewer_id)
    total = queryset.count()
    if not total:
        return texts.NO_MEETINGS, None
    shown = Page.of(total, MEETINGS_PAGE_SIZE, page)
    page = shown.number
    lines, rows = [], []
    for item in shown.items(queryset):
        mine = item.organizer_id == viewer_id
        template = texts.MEETING_AS_ORGANIZER if mine else texts.MEETING_AS_GUEST
        me, other = (
            (item.organizer, item.participant) if mine else (item.participant, item.organizer)
        )
        line = template.format(
            id=item.pk,
            who=other.display_name,
            status=texts.MEETING_STATUS.get(item.status, item.status),
            **when(item, me),
        )
        rule = series_rule(item)
        lines.append(line + texts.MEETING_SERIES_NOTE.format(rule=rule) if rule else line)
        label = texts.BTN_CANCEL_MEETING.format(id=item.pk)
        cancel = InlineKeyboardButton(label, callback_data=f"mt:x:{item.pk}:{page}")
        if not mine and item.status == Appointment.Status.PENDING:  # answer here too
            accept = texts.BTN_ACCEPT_MEETING.format(id=item.pk)
            decline = texts.BTN_DECLINE_MEETING.format(id=item.pk)
            rows.append(
                [
                    InlineKeyboardButton(accept, callback_data=f"mt:a:{item.pk}:{page}"),
                    InlineKeyboardButton(decline, callback_data=f"mt:d:{item.pk}:{page}"),
                ]
            )
        else:
            rows.append([cancel])
    pager = shown.turn_row(
        lambda number: f"mt:p:{number}", back=texts.BTN_PREV, forward=texts.BTN_NEXT
    )
    if pager:
        rows.append(pager)
    return titled(texts.MEETINGS_TITLE, shown, lines), InlineKeyboardMarkup(rows)


async def list_meetings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await registered_user(update) is None:
        return
    text, markup = await db(meetings_page)(update.effective_user.id)
    chat = update.effective_chat
    await deliver(lambda: chat.send_message(text, reply_markup=markup))


async def _show_page(query, text: str, markup) -> None:
    await deliver(unless_unchanged(lambda: query.edit_message_text(text, reply_markup=markup)))


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
        appointment = await db(meetings.cancel_appointment)(
            actor_tg_id=viewer, appointment_id=appointment_id
        )
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


@stops
async def answer_in_list(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """«Принять #N» / «Отклонить #N» in /meetings: the same service, the list refreshed."""
    query = update.callback_query
    accept = context.match.group(1) == "a"
    appointment_id, page = int(context.match.group(2)), int(context.match.group(3))
    viewer = update.effective_user.id
    try:
        await db(meetings.respond_to_invitation)(
            participant_tg_id=viewer, appointment_id=appointment_id, accept=accept
        )
    except Conflict as error:
        status = error.params.get("status", "")
        await query.answer(texts.ALREADY_ANSWERED.get(status, texts.error_text(error)))
    except DomainError:
        await query.answer(texts.INVITATION_GONE)
        return
    else:
        notifications.wake(context)
        await query.answer(texts.TOAST_ACCEPTED if accept else texts.TOAST_DECLINED)
    text, markup = await db(meetings_page)(viewer, page)
    await _show_page(query, text, markup)


def _display_name(tg_id: int) -> str:
    user = get_user(tg_id)
    return user.display_name if user else str(tg_id)


def handlers():
    return [
        (Group.MEETING_BUTTONS, CallbackQueryHandler(cancel_meeting, pattern=CB_CANCEL_MEETING)),
        (Group.MEETING_BUTTONS, CallbackQueryHandler(meetings_turn, pattern=CB_MEETINGS_PAGE)),
        (Group.MEETING_BUTTONS, CallbackQueryHandler(answer_in_list, pattern=CB_ANSWER_IN_LIST)),
        (Group.COMMANDS, CommandHandler("meetings", list_meetings)),
    ]
