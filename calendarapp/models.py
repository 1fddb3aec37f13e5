"""The calendar's data: one schema, owned by Django migrations, shared by bot and web.

The seed's names are kept (`TgUser`, `Event`, `Appointment`, `BotStatistics`). Unlike the
seed, `Event` is an ordinary managed model with a real foreign key to its owner.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

EVENT_NAME_MAX_LENGTH = 200
EVENT_DETAILS_MAX_LENGTH = 1000
APPOINTMENT_DETAILS_MAX_LENGTH = 500

# Reminder lead times a person can choose, in minutes (None: no reminder).
REMINDER_CHOICES = [
    (None, "без напоминания"),
    (10, "за 10 минут"),
    (30, "за 30 минут"),
    (60, "за 1 час"),
    (1440, "за 1 день"),
]
DEFAULT_REMINDER_MINUTES = 30


class TimeStamped(models.Model):
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        abstract = True


class TgUser(TimeStamped):
    """A Telegram account known to the calendar; the Telegram id is the primary key."""

    tg_id = models.BigIntegerField("Telegram ID", primary_key=True)
    username = models.CharField("username", max_length=64, blank=True, db_index=True)
    first_name = models.CharField("имя", max_length=256, blank=True)
    last_name = models.CharField("фамилия", max_length=256, blank=True)
    language_code = models.CharField("язык", max_length=16, blank=True)
    # The bot's language chosen with /language; empty: follow the Telegram client's language.
    language = models.CharField(
        "язык бота", max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )
    timezone = models.CharField("часовой пояс", max_length=64, default=settings.TIME_ZONE)
    # Set when the person talks to the bot: only then can the bot message them.
    bot_started_at = models.DateTimeField("писал боту", null=True, blank=True)
    # Cleared when Telegram answers 403 (the user blocked the bot).
    is_active = models.BooleanField("активен", default=True)
    default_reminder_minutes = models.PositiveIntegerField(
        "напоминать по умолчанию",
        choices=REMINDER_CHOICES,
        null=True,
        blank=True,
        default=DEFAULT_REMINDER_MINUTES,
    )
    events_created = models.PositiveIntegerField("создано событий", default=0)
    events_edited = models.PositiveIntegerField("изменено событий", default=0)
    events_cancelled = models.PositiveIntegerField("удалено событий", default=0)

    class Meta:
        verbose_name = "пользователь Telegram"
        verbose_name_plural = "пользователи Telegram"
        ordering = ["tg_id"]

    def __str__(self) -> str:
        if self.username:
            return f"@{self.username} ({self.tg_id})"
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return f"{name or 'user'} ({self.tg_id})"

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

    owner = models.ForeignKey(
        TgUser, verbose_name="владелец", on_delete=models.CASCADE, related_name="events"
    )
    name = models.CharField("название", max_length=EVENT_NAME_MAX_LENGTH)
    date = models.DateField("дата")
    time = models.TimeField("время")
    details = models.TextField("описание", max_length=EVENT_DETAILS_MAX_LENGTH, blank=True)
    is_public = models.BooleanField("публичное", default=False)
    reminder_minutes = models.PositiveIntegerField(
        "напомнить за", choices=REMINDER_CHOICES, null=True, blank=True
    )
    # The instant to remind at (aware), derived from date, time, zone and lead time.
    remind_at = models.DateTimeField("напомнить в", null=True, blank=True)
    reminder_sent_at = models.DateTimeField("напоминание обработано", null=True, blank=True)

    class Meta:
        verbose_name = "событие"
        verbose_name_plural = "события"
        ordering = ["date", "time", "id"]
        indexes = [
            models.Index(fields=["owner", "date", "time"], name="event_owner_date_idx"),
            models.Index(
                fields=["date", "time"], condition=Q(is_public=True), name="event_public_date_idx"
            ),
            models.Index(
                fields=["remind_at"],
                condition=Q(reminder_sent_at__isnull=True),
                name="event_reminder_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d} {self.time:%H:%M})"


class Appointment(TimeStamped):
    """An invitation of one user to another user's event."""

    class Status(models.TextChoices):
        PENDING = "pending", "ожидает ответа"
        CONFIRMED = "confirmed", "подтверждена"
        CANCELLED = "cancelled", "отменена"

    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED)

    # A soft link, as in the seed: deleting the event keeps the meeting's history.
    event = models.ForeignKey(
        Event,
        verbose_name="событие",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    organizer = models.ForeignKey(
        TgUser,
        verbose_name="организатор",
        on_delete=models.CASCADE,
        related_name="organized_appointments",
        db_column="organizer_tg_id",
    )
    participant = models.ForeignKey(
        TgUser,
        verbose_name="участник",
        on_delete=models.CASCADE,
        related_name="appointments",
        db_column="participant_tg_id",
    )
    date = models.DateField("дата")
    time = models.TimeField("время")
    details = models.TextField("комментарий", max_length=APPOINTMENT_DETAILS_MAX_LENGTH, blank=True)
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    responded_at = models.DateTimeField("ответ получен", null=True, blank=True)

    class Meta:
        verbose_name = "встреча"
        verbose_name_plural = "встречи"
        ordering = ["-date", "-time", "-id"]
        indexes = [
            models.Index(fields=["participant", "status"], name="appt_participant_status_idx"),
            models.Index(fields=["organizer", "status"], name="appt_organizer_status_idx"),
            models.Index(fields=["participant", "date", "time"], name="appt_participant_when_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="appt_one_active_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.organizer_id} → {self.participant_id} ({self.status})"

    # The seed's API speaks in Telegram ids; these keep its vocabulary available.
    @property
    def organizer_tg_id(self) -> int:
        return self.organizer_id

    @property
    def participant_tg_id(self) -> int:
        return self.participant_id


class BotStatistics(models.Model):
    """Daily activity counters; one row per day, updated with F() upserts."""

    date = models.DateField("дата", unique=True)
    user_count = models.PositiveIntegerField("новых пользователей", default=0)
    event_count = models.PositiveIntegerField("создано событий", default=0)
    edited_events = models.PositiveIntegerField("изменено событий", default=0)
    cancelled_events = models.PositiveIntegerField("удалено событий", default=0)
    appointment_count = models.PositiveIntegerField("создано встреч", default=0)

    class Meta:
        verbose_name = "статистика за день"
        verbose_name_plural = "статистика по дням"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class CalendarFeed(models.Model):
    """A private calendar subscription URL: `/feed/<token>.ics` serves the owner's calendar.

    The token is stored as issued (not hashed): calendar apps keep polling the URL they
    subscribed to, so /feed must show the same link again, which a hash could not give back.
    Rotating replaces the token, and the old URL stops working at once.
    """

    owner = models.OneToOneField(
        TgUser,
        verbose_name="владелец",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="calendar_feed",
    )
    token = models.CharField("ключ ссылки", max_length=64, unique=True)
    issued_at = models.DateTimeField("выдан", auto_now=True)
    # The calendar's version as last served (an ETag) and when it was first served; that
    # instant is the feed's Last-Modified (see services.feeds.note_feed_version).
    version = models.CharField("версия", max_length=64, blank=True)
    changed_at = models.DateTimeField("изменён", default=timezone.now)

    class Meta:
        verbose_name = "подписка на календарь"
        verbose_name_plural = "подписки на календарь"

    def __str__(self) -> str:
        return f"feed of {self.owner_id}"


class OutboxMessage(models.Model):
    """A notification to deliver to a Telegram user, written in the same transaction as the
    change that caused it and sent later by the bot process (with retries and rate limits).

    The payload names what to say (`kind` plus ids); the bot renders the text at send time,
    so the message reflects the current state and the user's language.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "ожидает отправки"
        SENT = "sent", "отправлено"
        FAILED = "failed", "не доставлено"

    chat_id = models.BigIntegerField("получатель")
    kind = models.CharField("вид", max_length=32)
    payload = models.JSONField("данные", default=dict, blank=True)
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    next_attempt_at = models.DateTimeField("следующая попытка", auto_now_add=True)
    last_error = models.TextField("последняя ошибка", blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "исходящее сообщение"
        verbose_name_plural = "исходящие сообщения"
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.chat_id} ({self.status})"


class ConversationState(models.Model):
    """python-telegram-bot dialog state, written through on every change (see bot.persistence)."""

    conversation = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    state = models.JSONField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "key"], name="conversation_key_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation}:{self.key}={self.state}"


class BotDataEntry(models.Model):
    """python-telegram-bot user_data/chat_data/bot_data, one JSON document per key."""

    class Scope(models.TextChoices):
        USER = "user"
        CHAT = "chat"
        BOT = "bot"
        CALLBACK = "callback"

    scope = models.CharField(max_length=16, choices=Scope.choices)
    key = models.BigIntegerField(default=0)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="botdata_scope_key_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class BotIdentity(models.Model):
    """The bot's own Telegram username, as getMe told the bot when it last started.

    The web side shows the bot's t.me link but never holds the token, so the bot leaves its
    name here. One row: the check keeps it that way even against a stray insert.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID)
    username = models.CharField(max_length=32)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="botidentity_singleton"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"
