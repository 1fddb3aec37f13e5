"""How a meeting reads: its invitation, its answer buttons, its name and time.

A meeting's date and time are wall-clock values in the organiser's zone; each person is
shown them on their own clock.
"""

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from calendarapp.bot import texts
from calendarapp.bot.ui.formatting import date_text, day_and_weekday, time_text
from calendarapp.models import Appointment, TgUser
from calendarapp.services.recurrence_words import describe
from calendarapp.timezones import in_zone, offset_name


def _name(appointment: Appointment) -> str:
    return appointment.event.name if appointment.event else texts.MEETING_NO_EVENT


def _seen_by(appointment: Appointment, reader: TgUser):
    return in_zone(
        date=appointment.date,
        time=appointment.time,
        written_in=appointment.organizer.timezone,
        read_in=reader.timezone,
    )


def when(appointment: Appointment, reader: TgUser) -> dict:
    """The meeting's name, date and time as `reader` (organiser or guest) sees them."""
    moment = _seen_by(appointment, reader)
    return {"name": _name(appointment), "date": date_text(moment.date()), "time": time_text(moment)}


def series_rule(appointment: Appointment) -> str:
    """A whole-series meeting's rule in words (on the organiser's clock), or ""."""
    event = appointment.event
    if not appointment.whole_series or event is None or not event.rrule:
        return ""
    return describe(event.rrule, start=event.date, time=event.time)


def invitation_text(appointment: Appointment) -> str:
    """On the guest's clock, with the weekday; the organiser's own time too if it differs."""
    organizer, participant = appointment.organizer, appointment.participant
    zone = ""
    if organizer.timezone != participant.timezone:
        zone = texts.INVITATION_ZONE.format(
            time=time_text(appointment.time), zone=offset_name(organizer.timezone)
        )
    moment = _seen_by(appointment, participant)
    text = texts.INVITATION.format(
        who=organizer.display_name,
        zone=zone,
        name=_name(appointment),
        date=day_and_weekday(moment.date()),
        time=time_text(moment),
    )
    rule = series_rule(appointment)
    if rule:
        text += texts.INVITATION_SERIES.format(rule=rule)
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
