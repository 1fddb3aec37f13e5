"""The calendar's data: one schema, owned by Django migrations, shared by bot and web.

The original project's names are kept (`TgUser`, `Event`, `Appointment`, `BotStatistics`).
Unlike there, `Event` is an ordinary managed model with a real foreign key to its owner.

Every label (verbose names, choices, help texts) is Russian wrapped in gettext_lazy, like the
bot's texts: the admin shows it in its reader's language (calendarapp/locale/en).

One module per concern: `calendar` (people, events, meetings), `statistics` (the admin's
chart), `feeds` (ICS subscriptions), `imports` (ICS files waiting to be imported),
`invitations` (links), `reminders` (lead times and snoozes), `rsvp` (answers to event cards),
`bot_state` (what the bot keeps between updates); `links` declares the kinds of foreign key
they share.
"""

from .bot_state import (
    BotDataEntry,
    BotIdentity,
    ConversationState,
    OutboxMessage,
    ProcessedUpdate,
)
from .calendar import (
    APPOINTMENT_DETAILS_MAX_LENGTH,
    DEFAULT_REMINDER_MINUTES,
    EARLIEST_DATE,
    EVENT_DETAILS_MAX_LENGTH,
    EVENT_NAME_MAX_LENGTH,
    ICS_UID_MAX_LENGTH,
    REMINDER_CHOICES,
    RRULE_MAX_LENGTH,
    Appointment,
    Event,
    TgUser,
)
from .feeds import CalendarFeed
from .imports import ImportDraft
from .invitations import UNDELIVERED_INVITATIONS, Invitation
from .reminders import Reminder, SnoozedReminder
from .rsvp import CARDS_TO_EDIT, EventCard, Rsvp
from .statistics import BotStatistics

__all__ = [
    "APPOINTMENT_DETAILS_MAX_LENGTH",
    "CARDS_TO_EDIT",
    "DEFAULT_REMINDER_MINUTES",
    "EARLIEST_DATE",
    "EVENT_DETAILS_MAX_LENGTH",
    "EVENT_NAME_MAX_LENGTH",
    "ICS_UID_MAX_LENGTH",
    "REMINDER_CHOICES",
    "RRULE_MAX_LENGTH",
    "UNDELIVERED_INVITATIONS",
    "Appointment",
    "BotDataEntry",
    "BotIdentity",
    "BotStatistics",
    "CalendarFeed",
    "ConversationState",
    "Event",
    "EventCard",
    "ImportDraft",
    "Invitation",
    "OutboxMessage",
    "ProcessedUpdate",
    "Reminder",
    "Rsvp",
    "SnoozedReminder",
    "TgUser",
]
