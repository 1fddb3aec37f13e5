"""The squashed first migration: old databases keep working, later migrations still load."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from calendarapp.checks import squashed_history_is_whole

SQUASH = ("calendarapp", "0001_squashed_0012_rsvp")
# Written before the squash: the first of them names 0012_rsvp, which is no longer a file.
LATER = [
    ("calendarapp", "0013_rsvp_capacity"),
    ("calendarapp", "0014_ics_import"),
    ("calendarapp", "0015_overrides"),
    ("calendarapp", "0016_reminders"),
    ("calendarapp", "0017_ics_cache_table"),
    ("calendarapp", "0018_appointment_whole_series"),
]


def _forget(*names: str) -> None:
    """The database as one migrated before the squash (or part-way) would record it."""
    MigrationRecorder.Migration.objects.filter(app="calendarapp", name__in=names).delete()


def _plan(executor: MigrationExecutor, *, clean_start: bool = False) -> list[tuple[str, str]]:
    leaves = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(leaves, clean_start=clean_start)
    assert all(not backwards for _, backwards in plan)
    return [(migration.app_label, migration.name) for migration, _ in plan]


def test_the_migration_that_names_0012_rsvp_runs_after_the_squash():
    graph = MigrationLoader(None).graph
    assert graph.node_map[LATER[0]].parents == {graph.node_map[SQUASH]}
    assert ("calendarapp", "0012_rsvp") not in graph.nodes


@pytest.mark.django_db
def test_a_fresh_database_runs_the_squash_then_the_later_migrations():
    plan = _plan(MigrationExecutor(connection), clean_start=True)
    ours = [key for key in plan if key[0] == "calendarapp"]
    assert ours == [SQUASH, *LATER]


@pytest.mark.django_db
def test_a_database_that_ran_the_twelve_migrations_has_only_the_later_ones_to_apply():
    _forget(SQUASH[1], *(name for _, name in LATER))
    executor = MigrationExecutor(connection)
    assert SQUASH in executor.loader.applied_migrations
    assert _plan(executor) == LATER
    assert squashed_history_is_whole(databases=["default"]) == []


@pytest.mark.django_db
def test_a_database_that_ran_the_twelve_and_the_later_ones_has_nothing_to_apply():
    _forget(SQUASH[1])
    executor = MigrationExecutor(connection)
    assert SQUASH in executor.loader.applied_migrations
    assert _plan(executor) == []
    assert squashed_history_is_whole(databases=["default"]) == []


@pytest.mark.django_db
def test_a_database_part_way_through_the_twelve_is_stopped_at_migrate():
    _forget(SQUASH[1], "0011_event_rrule", "0012_rsvp")
    (error,) = squashed_history_is_whole(databases=["default"])
    assert error.id == "calendarapp.E001"
    assert "ran 10 of the 12 migrations" in error.msg
