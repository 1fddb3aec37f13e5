"""The table of the database cache (settings.CACHES without REDIS_URL), created with the
migrations so that no deployment step can forget `createcachetable`. Created whichever cache is
configured today, so a later switch from Redis to the database finds it in place."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


TABLE = "calendar_cache"  # settings.CACHE_TABLE


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ("calendarapp", "0006_verbose_names"),
    ]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
