"""Every table of the calendar, as the twelve migrations up to 0012_rsvp left them, in one step.

`replaces` keeps a database that ran all twelve working: Django counts this migration as
applied there, and a later migration that names ('calendarapp', '0012_rsvp') is pointed here. A
database part-way through the twelve cannot use it (their files are gone): it is brought to
0012_rsvp with an older release first (docs/architecture.md, "Migrations").

The columns stand in the order the twelve created them (fields added later come last), so that
a new database and an upgraded one are alike to the column. The steps that rewrote stored rows
(control characters out of texts, `starts_at` of older rows) are not here: a new database has
no rows, and one with rows ran them. Labels are the Russian msgids, as Django writes them.
"""

import datetime

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations, models

CACHE_TABLE = "calendar_cache"  # settings.CACHE_TABLE
CASCADE = django.db.models.deletion.CASCADE
SET_NULL = django.db.models.deletion.SET_NULL
REMINDER_CHOICES = [
    (None, "без напоминания"),
    (10, "за 10 минут"),
    (30, "за 30 минут"),
    (60, "за 1 час"),
    (1440, "за 1 день"),
]


def create_cache_table(apps, schema_editor):
    """The database cache's table (settings.CACHES without REDIS_URL), made by `migrate` so
    that no deployment step can forget `createcachetable`; made whichever cache is configured
    today, so that a later switch from Redis to the database finds it in place."""
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


def _id():
    return ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))


def _stamps():
    return [
        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="создан")),
        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="изменён")),
    ]


def _link(field, to, on_delete, related_name, verbose_name, **options):
    return field(on_delete=on_delete, related_name=related_name, to=f"calendarapp.{to}", verbose_name=verbose_name, **options)


def _moment(verbose_name):
    """An optional instant: set when something has happened."""
    return models.DateTimeField(blank=True, null=True, verbose_name=verbose_name)


def _counter(verbose_name):
    return models.PositiveIntegerField(default=0, verbose_name=verbose_name)


def _date():
    return models.DateField(validators=[django.core.validators.MinValueValidator(datetime.date(1900, 1, 1))], verbose_name="дата")


def _starts_at():
    return models.DateTimeField(editable=False, null=True, verbose_name="начало (UTC)")


def _options(verbose_name, verbose_name_plural, **more):
    return {"verbose_name": verbose_name, "verbose_name_plural": verbose_name_plural, **more}


def _unique(name, *fields):
    return models.UniqueConstraint(fields=fields, name=name)


def _index(name, *fields, **options):
    return models.Index(fields=list(fields), name=name, **options)


class Migration(migrations.Migration):

    replaces = [
        ("calendarapp", "0001_initial"),
        ("calendarapp", "0002_reminders_and_timezones"),
        ("calendarapp", "0003_feed"),
        ("calendarapp", "0004_language"),
        ("calendarapp", "0005_botidentity"),
        ("calendarapp", "0006_verbose_names"),
        ("calendarapp", "0007_cache_table"),
        ("calendarapp", "0008_clean_texts_starts_at"),
        ("calendarapp", "0009_invitations"),
        ("calendarapp", "0010_processed_updates"),
        ("calendarapp", "0011_event_rrule"),
        ("calendarapp", "0012_rsvp"),
    ]

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="BotStatistics",
            fields=[
                _id(),
                ("date", models.DateField(unique=True, verbose_name="дата")),
                ("user_count", _counter("новых пользователей")),
                ("event_count", _counter("создано событий")),
                ("edited_events", _counter("изменено событий")),
                ("cancelled_events", _counter("удалено событий")),
                ("appointment_count", _counter("создано встреч")),
            ],
            options=_options("статистика за день", "статистика по дням", ordering=["-date"]),
        ),
        migrations.CreateModel(
            name="TgUser",
            fields=[
                *_stamps(),
                ("tg_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="Telegram ID")),
                ("username", models.CharField(blank=True, db_index=True, max_length=64, verbose_name="имя пользователя")),
                ("first_name", models.CharField(blank=True, max_length=256, verbose_name="имя")),
                ("last_name", models.CharField(blank=True, max_length=256, verbose_name="фамилия")),
                ("language_code", models.CharField(blank=True, max_length=16, verbose_name="язык приложения")),
                ("timezone", models.CharField(default="Europe/Moscow", max_length=64, verbose_name="часовой пояс")),
                ("bot_started_at", _moment("писал боту")),
                ("is_active", models.BooleanField(default=True, verbose_name="активен")),
                ("events_created", _counter("создано событий")),
                ("events_edited", _counter("изменено событий")),
                ("events_cancelled", _counter("удалено событий")),
                ("default_reminder_minutes", models.PositiveIntegerField(blank=True, choices=REMINDER_CHOICES, default=30, null=True, verbose_name="напоминать по умолчанию")),
                ("language", models.CharField(blank=True, choices=[("ru", "русский"), ("en", "английский")], default="", help_text="Пусто: язык приложения Telegram.", max_length=8, verbose_name="язык бота")),
            ],
            options=_options("пользователь Telegram", "пользователи Telegram", ordering=["tg_id"]),
        ),
        migrations.CreateModel(
            name="BotDataEntry",
            fields=[
                _id(),
                ("scope", models.CharField(choices=[("user", "пользователь"), ("chat", "чат"), ("bot", "бот"), ("callback", "кнопки")], max_length=16, verbose_name="область")),
                ("key", models.BigIntegerField(default=0, verbose_name="ключ")),
                ("data", models.JSONField(default=dict, verbose_name="данные")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="изменено")),
            ],
            options=_options("данные бота", "данные бота", constraints=[_unique("botdata_scope_key_uniq", "scope", "key")]),
        ),
        migrations.CreateModel(
            name="ConversationState",
            fields=[
                _id(),
                ("conversation", models.CharField(max_length=64, verbose_name="диалог")),
                ("key", models.CharField(max_length=128, verbose_name="ключ")),
                ("state", models.JSONField(null=True, verbose_name="состояние")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="изменено")),
            ],
            options=_options("состояние диалога", "состояния диалогов", constraints=[_unique("conversation_key_uniq", "conversation", "key")]),
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                _id(),
                ("chat_id", models.BigIntegerField(verbose_name="получатель")),
                ("kind", models.CharField(max_length=32, verbose_name="вид")),
                ("payload", models.JSONField(blank=True, default=dict, verbose_name="данные")),
                ("status", models.CharField(choices=[("pending", "ожидает отправки"), ("sent", "отправлено"), ("failed", "не доставлено")], default="pending", max_length=16, verbose_name="статус")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="попыток")),
                ("next_attempt_at", models.DateTimeField(auto_now_add=True, verbose_name="следующая попытка")),
                ("last_error", models.TextField(blank=True, verbose_name="последняя ошибка")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="создано")),
                ("sent_at", _moment("отправлено")),
            ],
            options=_options(
                "исходящее сообщение", "исходящие сообщения",
                ordering=["id"],
                indexes=[_index("outbox_due_idx", "next_attempt_at", "id", condition=models.Q(("status", "pending")))],
            ),
        ),
        migrations.CreateModel(
            name="Event",
            fields=[
                _id(),
                *_stamps(),
                ("name", models.CharField(max_length=200, verbose_name="название")),
                ("date", _date()),
                ("time", models.TimeField(verbose_name="время")),
                ("details", models.TextField(blank=True, max_length=1000, verbose_name="описание")),
                ("is_public", models.BooleanField(default=False, verbose_name="публичное")),
                ("owner", _link(models.ForeignKey, "tguser", CASCADE, "events", "владелец")),
                ("remind_at", _moment("напомнить в")),
                ("reminder_minutes", models.PositiveIntegerField(blank=True, choices=REMINDER_CHOICES, null=True, verbose_name="напомнить за")),
                ("reminder_sent_at", _moment("напоминание обработано")),
                ("starts_at", _starts_at()),
                ("exdates", models.JSONField(blank=True, default=list, verbose_name="исключённые даты")),
                ("rrule", models.CharField(blank=True, max_length=300, verbose_name="правило повторения")),
                ("rsvp_closed", models.BooleanField(default=False, verbose_name="ответы закрыты")),
            ],
            options=_options(
                "событие", "события",
                ordering=["date", "time", "id"],
                indexes=[
                    _index("event_owner_date_idx", "owner", "date", "time"),
                    _index("event_public_date_idx", "date", "time", condition=models.Q(("is_public", True))),
                    _index("event_reminder_due_idx", "remind_at", condition=models.Q(("reminder_sent_at__isnull", True))),
                    _index("event_owner_starts_idx", "owner", "starts_at"),
                ],
            ),
        ),
        migrations.CreateModel(
            name="Appointment",
            fields=[
                _id(),
                *_stamps(),
                ("date", _date()),
                ("time", models.TimeField(verbose_name="время")),
                ("details", models.TextField(blank=True, max_length=500, verbose_name="комментарий")),
                ("status", models.CharField(choices=[("pending", "ожидает ответа"), ("confirmed", "подтверждена"), ("cancelled", "отменена")], default="pending", max_length=16, verbose_name="статус")),
                ("responded_at", _moment("ответ получен")),
                ("event", _link(models.ForeignKey, "event", SET_NULL, "appointments", "событие", blank=True, null=True)),
                ("organizer", _link(models.ForeignKey, "tguser", CASCADE, "organized_appointments", "организатор", db_column="organizer_tg_id")),
                ("participant", _link(models.ForeignKey, "tguser", CASCADE, "appointments", "участник", db_column="participant_tg_id")),
                ("starts_at", _starts_at()),
            ],
            options=_options(
                "встреча", "встречи",
                ordering=["-date", "-time", "-id"],
                indexes=[
                    _index("appt_participant_status_idx", "participant", "status"),
                    _index("appt_organizer_status_idx", "organizer", "status"),
                    _index("appt_participant_when_idx", "participant", "date", "time"),
                    _index("appt_participant_starts_idx", "participant", "starts_at"),
                ],
                constraints=[
                    models.UniqueConstraint(condition=models.Q(("status__in", ["pending", "confirmed"])), fields=("event", "participant"), name="appt_one_active_invitation"),
                ],
            ),
        ),
        migrations.CreateModel(
            name="CalendarFeed",
            fields=[
                ("owner", _link(models.OneToOneField, "tguser", CASCADE, "calendar_feed", "владелец", primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=64, unique=True, verbose_name="ключ ссылки")),
                ("issued_at", models.DateTimeField(auto_now=True, verbose_name="выдан")),
                ("version", models.CharField(blank=True, max_length=64, verbose_name="версия")),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="изменён")),
            ],
            options=_options("подписка на календарь", "подписки на календарь"),
        ),
        migrations.CreateModel(
            name="BotIdentity",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False, verbose_name="номер")),
                ("username", models.CharField(max_length=32, verbose_name="имя бота в Telegram")),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="обновлено")),
            ],
            options=_options(
                "имя бота", "имя бота",
                constraints=[models.CheckConstraint(condition=models.Q(("id", 1)), name="botidentity_singleton")],
            ),
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
        migrations.CreateModel(
            name="Invitation",
            fields=[
                _id(),
                *_stamps(),
                ("code", models.CharField(max_length=32, unique=True, verbose_name="код ссылки")),
                ("invitee_tg_id", models.BigIntegerField(blank=True, null=True, verbose_name="для Telegram ID")),
                ("details", models.TextField(blank=True, verbose_name="комментарий")),
                ("status", models.CharField(choices=[("open", "ждёт ответа"), ("accepted", "принято"), ("declined", "отклонено"), ("revoked", "отозвано")], default="open", max_length=16, verbose_name="статус")),
                ("expires_at", models.DateTimeField(verbose_name="действует до")),
                ("delivered_at", _moment("доставлено")),
                ("appointment", _link(models.OneToOneField, "appointment", SET_NULL, "invitation", "встреча", blank=True, null=True)),
                ("event", _link(models.ForeignKey, "event", SET_NULL, "invitations", "событие", blank=True, null=True)),
                ("organizer", _link(models.ForeignKey, "tguser", CASCADE, "sent_invitations", "организатор")),
            ],
            options=_options("приглашение по ссылке", "приглашения по ссылке", indexes=[_index("invitation_waiting_idx", "invitee_tg_id", condition=models.Q(("delivered_at__isnull", True), ("invitee_tg_id__isnull", False)))]),
        ),
        migrations.CreateModel(
            name="ProcessedUpdate",
            fields=[
                ("update_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="номер обновления")),
                ("processed_at", models.DateTimeField(db_index=True, verbose_name="обработано")),
            ],
            options=_options("обработанное обновление", "обработанные обновления"),
        ),
        migrations.CreateModel(
            name="EventCard",
            fields=[
                _id(),
                *_stamps(),
                ("inline_message_id", models.CharField(max_length=255, unique=True, verbose_name="ID сообщения")),
                ("dirty", models.BooleanField(default=False, verbose_name="ждёт правки")),
                ("next_edit_at", _moment("править не раньше")),
                ("edits", _counter("правок")),
                ("gone_at", _moment("сообщение удалено")),
                ("event", _link(models.ForeignKey, "event", CASCADE, "cards", "событие")),
            ],
            options=_options("карточка события", "карточки событий", indexes=[_index("card_due_idx", "next_edit_at", condition=models.Q(("dirty", True), ("gone_at__isnull", True)))]),
        ),
        migrations.CreateModel(
            name="Rsvp",
            fields=[
                _id(),
                *_stamps(),
                ("answer", models.CharField(choices=[("going", "иду"), ("maybe", "может быть"), ("not_going", "не иду")], max_length=16, verbose_name="ответ")),
                ("answered_at", models.DateTimeField(verbose_name="ответ получен")),
                ("event", _link(models.ForeignKey, "event", CASCADE, "rsvps", "событие")),
                ("person", _link(models.ForeignKey, "tguser", CASCADE, "rsvps", "кто")),
            ],
            options=_options(
                "ответ на карточку", "ответы на карточки",
                indexes=[
                    _index("rsvp_card_idx", "event", "answer", "answered_at"),
                    _index("rsvp_going_idx", "person", "event", condition=models.Q(("answer", "going"))),
                ],
                constraints=[_unique("rsvp_one_per_person", "event", "person")],
            ),
        ),
    ]
