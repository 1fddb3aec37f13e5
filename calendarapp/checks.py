"""A database that ran only some of the migrations a squash replaces is stopped at `migrate`.

Their files are gone once squashed, and Django would then leave such a database as it is
without a word (it drops a partly applied squash from its plan). `migrate` runs the checks
tagged `database`, so the error comes before anything is applied.
"""

from django.core import checks
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


@checks.register(checks.Tags.database)
def squashed_history_is_whole(app_configs=None, databases=None, **kwargs):
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        applied = set(MigrationRecorder(connection).applied_migrations())
        for (app, name), squash in MigrationLoader(None).replacements.items():
            done = applied.intersection(squash.replaces)
            if done and len(done) < len(squash.replaces):
                errors.append(
                    checks.Error(
                        f"The database {alias!r} ran {len(done)} of the {len(squash.replaces)} "
                        f"migrations that {app}.{name} replaces.",
                        hint="Migrate it to the last of them with the release that still has "
                        "them, then upgrade (docs/architecture.md, Migrations).",
                        id="calendarapp.E001",
                    )
                )
    return errors
