"""Texts and instants for rows stored before the rules that now make them.

Texts: control characters out of names, comments and profiles (calendarapp.text), so old rows
export as new ones do. Instants: `starts_at`, the moment an event's or meeting's wall clock
means in its owner's (organiser's) zone (calendarapp.timezones.starts_at), which exports sort
by. Dates before 1900 are refused from now on (services.dates); rows that have one keep it.
"""

import datetime

import django.core.validators
from django.db import migrations, models

from calendarapp.text import clean_text
from calendarapp.timezones import starts_at

# model -> {field: multi-line?}
TEXT_FIELDS = {
    "TgUser": {"username": False, "first_name": False, "last_name": False, "language_code": False},
    "Event": {"name": False, "details": True},
    "Appointment": {"details": True},
}
BATCH = 2000


def clean_stored_texts(apps, schema_editor):
    for model_name, fields in TEXT_FIELDS.items():
        model = apps.get_model("calendarapp", model_name)
        changed = []
        for row in model.objects.only("pk", *fields).iterator(chunk_size=BATCH):
            dirty = False
            for name, multiline in fields.items():
                value = getattr(row, name)
                clean = clean_text(value, multiline=multiline)
                if not multiline:
                    clean = clean.strip()
                if clean != value:
                    setattr(row, name, clean)
                    dirty = True
            if dirty:
                changed.append(row)
        model.objects.bulk_update(changed, list(fields), batch_size=500)


def fill_starts_at(apps, schema_editor):
    for model_name, zone in (("Event", "owner__timezone"), ("Appointment", "organizer__timezone")):
        model = apps.get_model("calendarapp", model_name)
        rows = []
        for pk, date, time, zone_name in (
            model.objects.values_list("pk", "date", "time", zone).iterator(chunk_size=BATCH)
        ):
            row = model(pk=pk, starts_at=starts_at(date=date, time=time, zone_name=zone_name))
            rows.append(row)
            if len(rows) >= BATCH:
                model.objects.bulk_update(rows, ["starts_at"], batch_size=500)
                rows = []
        model.objects.bulk_update(rows, ["starts_at"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("calendarapp", "0007_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="starts_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="начало (UTC)"),
        ),
        migrations.AddField(
            model_name="event",
            name="starts_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="начало (UTC)"),
        ),
        migrations.AlterField(
            model_name="appointment",
            name="date",
            field=models.DateField(
                validators=[django.core.validators.MinValueValidator(datetime.date(1900, 1, 1))],
                verbose_name="дата",
            ),
        ),
        migrations.AlterField(
            model_name="event",
            name="date",
            field=models.DateField(
                validators=[django.core.validators.MinValueValidator(datetime.date(1900, 1, 1))],
                verbose_name="дата",
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                fields=["participant", "starts_at"], name="appt_participant_starts_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["owner", "starts_at"], name="event_owner_starts_idx"),
        ),
        # Data last: no schema change follows row updates in the same transaction.
        migrations.RunPython(clean_stored_texts, migrations.RunPython.noop),
        migrations.RunPython(fill_starts_at, migrations.RunPython.noop),
    ]
