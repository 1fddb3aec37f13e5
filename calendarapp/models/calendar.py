"""The calendar itself: people, their events and the meetings between them."""

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from calendarapp.timezones import starts_at as instant_of

from .links import part_of, soft_link

EVENT_NAME_MAX_LENGTH = 200
EVENT_DETAILS_MAX_LENGTH = 1000
APPOINTMENT_DETAILS_MAX_LENGTH = 500
RRULE_MAX_LENGTH = 300
ICS_UID_MAX_LENGTH = 255
# No meeting or event is dated before this day (services.dates): earlier dates have no use in a
# calendar, and calendar programs read them badly (khal refuses a whole file with year 1).
EARLIEST_DATE = dt.date(1900, 1, 1)

# Reminder lead times a person can choose, in minutes (None: no reminder).
REMINDER_CHOICES = [
    (None, _("без напоминания")),
    (10, _("за 10 минут")),
    (30, _("за 30 минут")),
    (60, _("за 1 час")),
    (1440, _("за 1 день")),
]
DEFAULT_REMINDER_MINUTES = 30

# A person's activity counters, labelled as the day's counters are (statistics.BotStatistics).
EVENTS_CREATED = _("создано событий")
EVENTS_EDITED = _("изменено событий")
EVENTS_CANCELLED = _("удалено событий")

# The languages of settings.LANGUAGES, named in the reader's language (settings names each
# language in its own, for the bot's /language buttons).
LANGUAGE_LABELS = {"ru": _("русский"), "en": _("английский")}
LANGUAGE_CHOICES = [(code, LANGUAGE_LABELS.get(code, name)) for code, name in settings.LANGUAGES]


def _keep_starts_at(row, zone_owner, save_kwargs: dict) -> None:
    """A row's `starts_at` follows its date and time whoever writes them (services, the
    admin, fixtures): saved with them. A change of the zone itself is the services' job
    (services.users.set_user_timezone), as are bulk updates."""
    fields = save_kwargs.get("update_fields")
    if fields is not None and not {"date", "time"} & set(fields):
        return
    row.starts_at = instant_of(date=row.date, time=row.time, zone_name=zone_owner.timezone)
    if fields is not None:
        save_kwargs["update_fields"] = {*fields, "starts_at"}


# What a calendar client shows of an event: a change to any of them raises its SEQUENCE.
_SEQUENCED_FIELDS = {"name", "date", "time", "details", "is_public", "rrule", "exdates"}


def _bump_sequence(row, save_kwargs: dict) -> None:
    """RFC 5545 wants SEQUENCE raised whenever an event is revised; counted where every
    writer (services, the admin) saves, so no write path can forget it."""
    if row._state.adding:
        return
    fields = save_kwargs.get("update_fields")
    if fields is not None and not _SEQUENCED_FIELDS & set(fields):
        return
    row.sequence += 1
    if fields is not None:
        save_kwargs["update_fields"] = {*fields, "sequence"}


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        abstract = True


class TgUser(TimeStamped):
    """A Telegram account known to the calendar; the Telegram id is the primary key."""

    tg_id = models.BigIntegerField(_("Telegram ID"), primary_key=True)
    username = models.CharField(_("имя пользователя"), max_length=64, blank=True, db_index=True)
    first_name = models.CharField(_("имя"), max_length=256, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=256, blank=True)
    language_code = models.CharField(_("язык приложения"), max_length=16, blank=True)
    # The bot's language chosen with /language; empty: follow the Telegram client's language.
    language = models.CharField(
        _("язык бота"),
        max_length=8,
        blank=True,
        default="",
        choices=LANGUAGE_CHOICES,
        help_text=_("Пусто: язык приложения Telegram."),
    )
    timezone = models.CharField(_("часовой пояс"), max_length=64, default=settings.TIME_ZONE)
    # Set when the person talks to the bot: only then can the bot message them.
    bot_started_at = models.DateTimeField(_("писал боту"), null=True, blank=True)
    # Cleared when Telegram answers 403 (the user blocked the bot).
    is_active = models.BooleanField(_("активен"), default=True)
    default_reminder_minutes = models.PositiveIntegerField(
        _("напоминать по умолчанию"),
        choices=REMINDER_CHOICES,
        null=True,
        blank=True,
        default=DEFAULT_REMINDER_MINUTES,
    )
    events_created = models.PositiveIntegerField(EVENTS_CREATED, default=0)
    events_edited = models.PositiveIntegerField(EVENTS_EDITED, default=0)
    events_cancelled = models.PositiveIntegerField(EVENTS_CANCELLED, default=0)

    class Meta:
        verbose_name = _("пользователь Telegram")
        verbose_name_plural = _("пользователи Telegram")
        ordering = ["tg_id"]

    def __str__(self) -> str:
        if self.username:
            return f"@{self.username} ({self.tg_id})"
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return f"{name or gettext('пользователь')} ({self.tg_id})"

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        if self.username:
            return f"{name} (@{self.username})" if name else f"@{self.username}"
        return name or str(self.tg_id)

    @property
    def can_receive_messages(self) -> bool:
        return self.bot_started_at is not None and self.is_active


class Event(TimeStamped):
    """A calendar entry; date and time are wall-clock values in the owner's time zone."""

    owner = part_of(TgUser, verbose_name=_("владелец"), related_name="events")
    name = models.CharField(_("название"), max_length=EVENT_NAME_MAX_LENGTH)
    date = models.DateField(_("дата"), validators=[MinValueValidator(EARLIEST_DATE)])
    time = models.TimeField(_("время"))
    # The instant date and time mean in the owner's zone (timezones.starts_at): what
    # exports sort by and write as UTC.
    starts_at = models.DateTimeField(_("начало (UTC)"), null=True, editable=False)
    details = models.TextField(_("описание"), max_length=EVENT_DETAILS_MAX_LENGTH, blank=True)
    is_public = models.BooleanField(_("публичное"), default=False)
    # RFC 5545 RRULE text without DTSTART (date and time are the first occurrence; UNTIL is
    # a wall-clock moment of the owner's zone), empty for a one-off event. services.recurrence
    # checks and expands it.
    rrule = models.CharField(_("правило повторения"), max_length=RRULE_MAX_LENGTH, blank=True)
    # Wall-clock days (ISO text) whose occurrence is cancelled: the series' EXDATEs.
    exdates = models.JSONField(_("исключённые даты"), default=list, blank=True)
    # The organiser stopped answers to the event's cards (models/rsvp.py): read with the
    # event that every press loads anyway, so it costs no join and no extra row.
    rsvp_closed = models.BooleanField(_("ответы закрыты"), default=False)
    # The UID the event had in the calendar file it was imported from (services.imports):
    # importing the same file again updates the event instead of adding it twice. Empty for
    # an event made here.
    ics_uid = models.CharField(
        _("UID из импорта"), max_length=ICS_UID_MAX_LENGTH, blank=True, default="", editable=False
    )
    # Seats for «Иду», guests included (None: no limit); beyond it a «Иду» waits in line.
    capacity = models.PositiveIntegerField(_("мест"), null=True, blank=True)
    # One occurrence of a series changed on its own (RFC 5545's RECURRENCE-ID): an ordinary
    # one-off row that lists, reminds and is edited as such, and stands in for the series'
    # occurrence on the wall-clock day `recurrence_id` (selectors.occurrences skips that day).
    recurrence_of = part_of(
        "self",
        verbose_name=_("изменённое повторение серии"),
        null=True,
        blank=True,
        related_name="overrides",
    )
    recurrence_id = models.DateField(_("день повторения"), null=True, blank=True)
    # RFC 5545's SEQUENCE: raised on every change a calendar client must pick up.
    sequence = models.PositiveIntegerField(_("версия"), default=0)

    class Meta:
        verbose_name = _("событие")
        verbose_name_plural = _("события")
        ordering = ["date", "time", "id"]
        indexes = [
            models.Index(fields=["owner", "date", "time"], name="event_owner_date_idx"),
            models.Index(fields=["owner", "starts_at"], name="event_owner_starts_idx"),
            models.Index(
                fields=["date", "time"], condition=Q(is_public=True), name="event_public_date_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "ics_uid"],
                condition=~Q(ics_uid=""),
                name="event_owner_ics_uid_uniq",
            ),
            models.UniqueConstraint(
                fields=["recurrence_of", "recurrence_id"],
                condition=Q(recurrence_of__isnull=False),
                name="event_one_override_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d} {self.time:%H:%M})"

    def save(self, *args, **kwargs):
        _keep_starts_at(self, self.owner, kwargs)
        _bump_sequence(self, kwargs)
        super().save(*args, **kwargs)

    @property
    def repeats(self) -> bool:
        """A series, or one occurrence of a series changed on its own (marked 🔁 in lists)."""
        return bool(self.rrule) or self.recurrence_of_id is not None

    # Its reminders are rows of their own (models/reminders.py), one per lead time; these
    # read them (through prefetch_related("reminders") when the caller did that).
    @property
    def leads(self) -> list[int]:
        """The lead times in minutes, shortest first."""
        return sorted(reminder.minutes for reminder in self.reminders.all())

    @property
    def reminder_minutes(self) -> int | None:
        """The shortest lead time, None without reminders: what a client that shows one
        lead time (the Mini App's select) reads."""
        return next(iter(self.leads), None)

    @property
    def remind_at(self) -> dt.datetime | None:
        """When the next reminder of this event goes out (None: none is pending)."""
        pending = [r.next_at for r in self.reminders.all() if r.next_at is not None]
        return min(pending, default=None)


class Appointment(TimeStamped):
    """An invitation of one user to another user's event."""

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает ответа")
        CONFIRMED = "confirmed", _("подтверждена")
        CANCELLED = "cancelled", _("отменена")

    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED)

    # A soft link, as in the original project: deleting the event keeps the meeting's history.
    event = soft_link(Event, verbose_name=_("событие"), related_name="appointments")
    organizer = part_of(
        TgUser,
        verbose_name=_("организатор"),
        related_name="organized_appointments",
        db_column="organizer_tg_id",
    )
    participant = part_of(
        TgUser,
        verbose_name=_("участник"),
        related_name="appointments",
        db_column="participant_tg_id",
    )
    date = models.DateField(_("дата"), validators=[MinValueValidator(EARLIEST_DATE)])
    time = models.TimeField(_("время"))
    # As Event.starts_at, in the organiser's zone.
    starts_at = models.DateTimeField(_("начало (UTC)"), null=True, editable=False)
    details = models.TextField(
        _("комментарий"), max_length=APPOINTMENT_DETAILS_MAX_LENGTH, blank=True
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    responded_at = models.DateTimeField(_("ответ получен"), null=True, blank=True)
    # An invitation to every occurrence of a series: date and time are its first one, and
    # the busy check and the guest's calendar read the series' occurrences.
    whole_series = models.BooleanField(_("вся серия"), default=False)

    class Meta:
        verbose_name = _("встреча")
        verbose_name_plural = _("встречи")
        ordering = ["-date", "-time", "-id"]
        indexes = [
            models.Index(fields=["participant", "status"], name="appt_participant_status_idx"),
            models.Index(fields=["organizer", "status"], name="appt_organizer_status_idx"),
            models.Index(fields=["participant", "date", "time"], name="appt_participant_when_idx"),
            models.Index(fields=["participant", "starts_at"], name="appt_participant_starts_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="appt_one_active_invitation",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.organizer_id} → {self.participant_id} ({self.get_status_display()})"
        )

    def save(self, *args, **kwargs):
        _keep_starts_at(self, self.organizer, kwargs)
        super().save(*args, **kwargs)

    # The original API speaks in Telegram ids; these keep its vocabulary available.
    @property
    def organizer_tg_id(self) -> int:
        return self.organizer_id

    @property
    def participant_tg_id(self) -> int:
        return self.participant_id
