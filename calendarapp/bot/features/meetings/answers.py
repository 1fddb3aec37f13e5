"""Accept / Decline on an invitation: the same service as the API, the organiser told
through the outbox."""

from telegram import (
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    ContextTypes,
)

from calendarapp.bot import texts
from calendarapp.bot.outbox import notifications
from calendarapp.bot.runtime.groups import Group
from calendarapp.bot.ui.dialog import (
    db,
    deliver,
    stops,
)
from calendarapp.exceptions import Conflict, DomainError
from calendarapp.services import appointments as meetings

CB_ANSWER = r"^inv:(yes|no):(\d{1,18})$"


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
            participant_tg_id=update.effective_user.id, appointment_id=appointment_id, accept=accept
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


def handlers():
    return [(Group.MEETING_BUTTONS, CallbackQueryHandler(answer_invitation, pattern=CB_ANSWER))]
