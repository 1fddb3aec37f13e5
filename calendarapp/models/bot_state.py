"""What the bot keeps between updates and processes: the outbox, dialog state, PTB data and
the bot's own name."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .queues import due_index


class OutboxMessage(models.Model):
    """A notification to deliver to a Telegram user, written in the same transaction as the
    change that caused it and sent later by the bot process (with retries and rate limits).

    The payload names what to say (`kind` plus ids); the bot renders the text at send time,
    so the message reflects the current state and the user's language.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает отправки")
        SENT = "sent", _("отправлено")
        FAILED = "failed", _("не доставлено")

    chat_id = models.BigIntegerField(_("получатель"))
    kind = models.CharField(_("вид"), max_length=32)
    payload = models.JSONField(_("данные"), default=dict, blank=True)
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    next_attempt_at = models.DateTimeField(_("следующая попытка"), auto_now_add=True)
    last_error = models.TextField(_("последняя ошибка"), blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("исходящее сообщение")
        verbose_name_plural = _("исходящие сообщения")
        ordering = ["id"]
        indexes = [
            due_index("next_attempt_at", "id", waiting=Q(status="pending"), name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.chat_id} ({self.get_status_display()})"


class ConversationState(models.Model):
    """python-telegram-bot dialog state, written through on every change (see bot.persistence)."""

    conversation = models.CharField(_("диалог"), max_length=64)
    key = models.CharField(_("ключ"), max_length=128)
    state = models.JSONField(_("состояние"), null=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("состояние диалога")
        verbose_name_plural = _("состояния диалогов")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "key"], name="conversation_key_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation}:{self.key}={self.state}"


class BotDataEntry(models.Model):
    """python-telegram-bot user_data/chat_data/bot_data, one JSON document per key."""

    class Scope(models.TextChoices):
        USER = "user", _("пользователь")
        CHAT = "chat", _("чат")
        BOT = "bot", _("бот")
        CALLBACK = "callback", _("кнопки")

    scope = models.CharField(_("область"), max_length=16, choices=Scope.choices)
    key = models.BigIntegerField(_("ключ"), default=0)
    data = models.JSONField(_("данные"), default=dict)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("данные бота")
        verbose_name_plural = verbose_name  # «данные» has no singular
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

    id = models.PositiveSmallIntegerField(_("номер"), primary_key=True, default=SINGLETON_ID)
    username = models.CharField(_("имя бота в Telegram"), max_length=32)
    updated_at = models.DateTimeField(_("обновлено"), default=timezone.now)

    class Meta:
        verbose_name = _("имя бота")
        verbose_name_plural = verbose_name  # one row
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="botidentity_singleton"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}"


class ProcessedUpdate(models.Model):
    """A Telegram update the bot has handled, written in the same transaction as the
    handler's writes and its dialog state (bot/runtime/once.py): a redelivered update finds
    its row and changes nothing. Pruned after BOT_PROCESSED_UPDATES_DAYS (Telegram keeps an
    undelivered update for 24 hours, so older ones never come again)."""

    update_id = models.BigIntegerField(_("номер обновления"), primary_key=True)
    processed_at = models.DateTimeField(_("обработано"), db_index=True)

    class Meta:
        verbose_name = _("обработанное обновление")
        verbose_name_plural = _("обработанные обновления")

    def __str__(self) -> str:
        return str(self.update_id)
