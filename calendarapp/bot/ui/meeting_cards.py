"""How a meeting reads: its invitation, its answer buttons, its name and time."""

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from calendarapp.bot import texts
from calendarapp.models import Appointment


def when(appointment: Appointment) -> dict:
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
    text = texts.INVITATION.format(who=organizer.display_name, zone=zone, **when(appointment))
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
