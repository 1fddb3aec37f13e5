"""An event's card as posted in a chat: its text and its buttons, in the organiser's
language (a card speaks to a whole chat, not to whoever pressed last)."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from calendarapp.bot import texts
from calendarapp.bot.ui.formatting import date_text, time_text
from calendarapp.i18n import recipient_language
from calendarapp.models import Rsvp
from calendarapp.selectors import rsvp as cards
from calendarapp.services import rsvp
from calendarapp.timezones import offset_name

MAX_TEXT = 4096
_ANSWERS = (
    (Rsvp.Answer.GOING, texts.BTN_GOING),
    (Rsvp.Answer.MAYBE, texts.BTN_MAYBE),
    (Rsvp.Answer.NOT_GOING, texts.BTN_NOT_GOING),
)
_GUESTS = ((rsvp.GUEST_MORE, texts.BTN_GUEST_MORE), (rsvp.GUEST_LESS, texts.BTN_GUEST_LESS))


def names_line(head: str, names: list[str], count: int) -> str:
    if not names:
        return head
    shown = ", ".join(names)
    if count > len(names):
        shown += " " + str(texts.CARD_MORE.format(count=count - len(names)))
    return f"{head} — {shown}"


def _seat_lines(state: cards.CardState) -> list[str]:
    counts, lines = state.counts, []
    if state.guests:
        lines.append(str(texts.CARD_GUESTS.format(count=state.guests)))
    if state.capacity is not None:
        taken = counts[Rsvp.Answer.GOING] + state.guests
        lines.append(str(texts.CARD_SEATS.format(taken=taken, capacity=state.capacity)))
    if counts.get(Rsvp.Answer.WAITING):
        lines.append(str(texts.CARD_WAITING.format(count=counts[Rsvp.Answer.WAITING])))
    return lines


def card_text(state: cards.CardState) -> str:
    """Name, when (the organiser's clock, their zone said), details, organiser, answers,
    seats. Never over Telegram's 4096 characters: without the names when they do not fit."""
    event, counts = state.event, state.counts
    heads = {
        answer: str(template.format(count=counts[answer]))
        for answer, template in (
            (Rsvp.Answer.GOING, texts.CARD_GOING),
            (Rsvp.Answer.MAYBE, texts.CARD_MAYBE),
            (Rsvp.Answer.NOT_GOING, texts.CARD_NOT_GOING),
        )
    }
    tail = _seat_lines(state) + ([str(texts.CARD_CLOSED)] if state.closed else [])

    def render(with_names: bool) -> str:
        lines = [
            names_line(
                heads[answer], state.names.get(answer, []) if with_names else [], counts[answer]
            )
            for answer in heads
        ]
        return texts.CARD.format(
            name=event.name,
            date=date_text(event.date),
            time=time_text(event.time),
            zone=offset_name(event.owner.timezone),
            details=texts.CARD_DETAILS.format(details=event.details) if event.details else "",
            who=event.owner.display_name,
            answers="\n".join(lines + tail),
        )

    text = render(with_names=True)
    if len(text) > MAX_TEXT:
        text = render(with_names=False)
    return text[:MAX_TEXT]


def _row(event_id: int, buttons) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            str(label), callback_data=rsvp.button_data(event_id=event_id, answer=a)
        )
        for a, label in buttons
    ]


def card_keyboard(event_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([_row(event_id, _ANSWERS), _row(event_id, _GUESTS)])


def render(event_id: int) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The card now (None: the event is gone)."""
    state = cards.card_state(event_id=event_id)
    return None if state is None else rendered(state)


def rendered(state: cards.CardState) -> tuple[str, InlineKeyboardMarkup | None]:
    with recipient_language(state.event.owner):
        text = card_text(state)
        markup = None if state.closed else card_keyboard(state.event.pk)
        if markup is not None:
            markup = InlineKeyboardMarkup.de_json(markup.to_dict(), None)
    return str(text), markup


def share_button(event_id: int) -> InlineKeyboardButton:
    """Opens the chat picker with `@bot #<id>` typed: the card of exactly that event."""
    return InlineKeyboardButton(str(texts.BTN_SHARE_CARD), switch_inline_query=f"#{event_id}")
