"""One reminder row per event and lead time, for every occurrence of a series, and
reminders put off («Отложить»). The single lead time of each event moves into a row: a
reminder still pending stays due at the same instant; one already handled of a series is
due again for the series' next occurrence."""

import datetime as dt
from zoneinfo import ZoneInfo

import django.db.models.deletion
from dateutil import rrule as rr
from django.db import migrations, models
from django.utils import timezone


def _next_occurrence(event, replaced):
    """The series' second occurrence, leaving out the days cancelled and those an override
    row stands in for (the override has its own lead time, so its own reminder)."""
    start = dt.datetime.combine(event.date, event.time)
    rules = rr.rruleset(cache=False)
    rules.rrule(rr.rrulestr(event.rrule, dtstart=start))
    for day in [*(event.exdates or []), *replaced]:
        rules.exdate(dt.datetime.combine(dt.date.fromisoformat(day), event.time))
    return rules.after(start)


def _overridden_days(Event):
    days = {}
    rows = Event.objects.filter(recurrence_of__isnull=False).values_list(
        "recurrence_of_id", "recurrence_id"
    )
    for series_id, day in rows.iterator(chunk_size=2000):
        days.setdefault(series_id, []).append(day.isoformat())
    return days


def move_lead_times(apps, schema_editor):
    Event = apps.get_model("calendarapp", "Event")
    Reminder = apps.get_model("calendarapp", "Reminder")
    rows = []
    replaced = _overridden_days(Event)
    events = Event.objects.filter(reminder_minutes__isnull=False).select_related("owner")
    for event in events.iterator(chunk_size=2000):
        occurrence, next_at = None, None
        if event.reminder_sent_at is None:
            occurrence, next_at = event.date, event.remind_at
        elif event.rrule:
            moment = _next_occurrence(event, replaced.get(event.pk, ()))
            if moment is not None:
                starts = moment.replace(tzinfo=ZoneInfo(event.owner.timezone))
                occurrence = moment.date()
                next_at = starts - dt.timedelta(minutes=event.reminder_minutes)
        rows.append(
            Reminder(
                event_id=event.pk,
                minutes=event.reminder_minutes,
                occurrence=occurrence,
                next_at=next_at,
            )
        )
        if len(rows) >= 2000:
            Reminder.objects.bulk_create(rows)
            rows = []
    Reminder.objects.bulk_create(rows)


def back_to_one_lead_time(apps, schema_editor):
    Event = apps.get_model("calendarapp", "Event")
    Reminder = apps.get_model("calendarapp", "Reminder")
    now = timezone.now()
    for reminder in Reminder.objects.order_by("event_id", "minutes").iterator():
        Event.objects.filter(pk=reminder.event_id, reminder_minutes__isnull=True).update(
            reminder_minutes=reminder.minutes,
            remind_at=reminder.next_at,
            reminder_sent_at=None if reminder.next_at else now,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('calendarapp', '0015_overrides'),
    ]

    operations = [
        migrations.CreateModel(
            name='Reminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('minutes', models.PositiveIntegerField(choices=[(10, 'за 10 минут'), (30, 'за 30 минут'), (60, 'за 1 час'), (1440, 'за 1 день')], verbose_name='напомнить за')),
                ('occurrence', models.DateField(blank=True, null=True, verbose_name='для даты')),
                ('next_at', models.DateTimeField(blank=True, null=True, verbose_name='напомнить в')),
            ],
            options={
                'verbose_name': 'напоминание',
                'verbose_name_plural': 'напоминания',
                'ordering': ['event', 'minutes'],
            },
        ),
        migrations.CreateModel(
            name='SnoozedReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('chat_id', models.BigIntegerField(verbose_name='получатель')),
                ('occurrence', models.DateField(verbose_name='для даты')),
                ('due_at', models.DateTimeField(verbose_name='напомнить в')),
                ('queued_at', models.DateTimeField(blank=True, null=True, verbose_name='поставлено в очередь')),
            ],
            options={
                'verbose_name': 'отложенное напоминание',
                'verbose_name_plural': 'отложенные напоминания',
            },
        ),
        migrations.AddField(
            model_name='reminder',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='calendarapp.event', verbose_name='событие'),
        ),
        migrations.AddField(
            model_name='snoozedreminder',
            name='event',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='snoozes', to='calendarapp.event', verbose_name='событие'),
        ),
        migrations.AddIndex(
            model_name='reminder',
            index=models.Index(condition=models.Q(('next_at__isnull', False)), fields=['next_at'], name='reminder_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='reminder',
            constraint=models.UniqueConstraint(fields=('event', 'minutes'), name='reminder_one_per_lead'),
        ),
        migrations.AddIndex(
            model_name='snoozedreminder',
            index=models.Index(condition=models.Q(('queued_at__isnull', True)), fields=['due_at'], name='snooze_due_idx'),
        ),
        migrations.RunPython(move_lead_times, back_to_one_lead_time),
        migrations.RemoveIndex(
            model_name='event',
            name='event_reminder_due_idx',
        ),
        migrations.RemoveField(
            model_name='event',
            name='remind_at',
        ),
        migrations.RemoveField(
            model_name='event',
            name='reminder_minutes',
        ),
        migrations.RemoveField(
            model_name='event',
            name='reminder_sent_at',
        ),
    ]
