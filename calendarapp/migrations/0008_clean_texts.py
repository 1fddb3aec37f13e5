"""Texts stored before they were cleaned where they enter (calendarapp.text): control
characters out of names, comments and profiles, so old rows export as new ones do."""

from django.db import migrations

from calendarapp.text import clean_text

# model -> {field: multi-line?}
TEXT_FIELDS = {
    "TgUser": {"username": False, "first_name": False, "last_name": False, "language_code": False},
    "Event": {"name": False, "details": True},
    "Appointment": {"details": True},
}


def clean_stored_texts(apps, schema_editor):
    for model_name, fields in TEXT_FIELDS.items():
        model = apps.get_model("calendarapp", model_name)
        changed = []
        for row in model.objects.only("pk", *fields).iterator(chunk_size=2000):
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


class Migration(migrations.Migration):

    dependencies = [
        ("calendarapp", "0007_cache_table"),
    ]

    operations = [migrations.RunPython(clean_stored_texts, migrations.RunPython.noop)]
