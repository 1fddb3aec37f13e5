"""The squashed first migration: old databases keep working, later migrations still load."""

import pytest
from django.db import connection, migrations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from calendarapp.checks import squashed_history_is_whole

SQUASH = ("calendarapp", "0001_squashed_0012_rsvp")
LATER = ("calendarapp", "0013_later")


class _Later(migrations.Migration):
    """A migration written before the squash, as the ones on other branches are."""

    dependencies = [("calendarapp", "0012_rsvp")]


class _WithLater(MigrationLoader):
    def load_disk(self):
        super().load_disk()
        self.disk_migrations[LATER] = _Later(LATER[1], LATER[0])


def _forget(*names: str) -> None:
    """The database as one migrated before the squash (or part-way) would record it."""
    MigrationRecorder.Migration.objects.filter(app="calendarapp", name__in=names).delete()


def test_a_later_migration_that_names_0012_rsvp_runs_after_the_squash():
    graph = _WithLater(None).graph
    assert graph.node_map[LATER].parents == {graph.node_map[SQUASH]}
    assert ("calendarapp", "0012_rsvp") not in graph.nodes


@pytest.mark.django_db
def test_a_database_that_ran_the_twelve_migrations_has_nothing_to_apply():
    _forget(SQUASH[1])
    executor = MigrationExecutor(connection)
    assert SQUASH in executor.loader.applied_migrations
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert squashed_history_is_whole(databases=["default"]) == []


@pytest.mark.django_db
def test_a_database_part_way_through_the_twelve_is_stopped_at_migrate():
    _forget(SQUASH[1], "0011_event_rrule", "0012_rsvp")
    (error,) = squashed_history_is_whole(databases=["default"])
    assert error.id == "calendarapp.E001"
    assert "ran 10 of the 12 migrations" in error.msg
