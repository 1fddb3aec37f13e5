"""The table of the ICS writer's cache (settings.CACHES["ics"] without REDIS_URL), kept apart
from the rate limits' table; created whichever cache is configured, as 0007 does."""

from django.core.management import call_command
from django.db import migrations

TABLE = "calendar_ics_cache"  # settings.ICS_CACHE_TABLE


def create(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("calendarapp", "0016_reminders")]

    operations = [migrations.RunPython(create, drop)]
