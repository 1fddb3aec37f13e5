"""A meeting may be on every occurrence of a series (`Appointment.whole_series`); the
existing ones are on one day, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("calendarapp", "0017_ics_cache_table")]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="whole_series",
            field=models.BooleanField(default=False, verbose_name="вся серия"),
        ),
    ]
