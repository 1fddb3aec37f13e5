"""Two processes (think: bot and web) writing one SQLite file at the same time."""

import subprocess
import sys

from tests.support.processes import ROOT, python, settings_free_env
from tests.support.sqlite import migrated_sqlite, sqlite_env
from tests.support.waiting import START

WRITER = """
import datetime as dt, sys
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from calendarapp.services.events import create_event, update_event_details
from calendarapp.services.users import TelegramProfile, register_user

tg_id, rounds = int(sys.argv[1]), int(sys.argv[2])
register_user(TelegramProfile(tg_id=tg_id))
tomorrow = timezone.localdate() + dt.timedelta(days=1)
for i in range(rounds):
    event = create_event(owner_tg_id=tg_id, name=f"e{i}", date=tomorrow, time=dt.time(10, 0))
    update_event_details(owner_tg_id=tg_id, event_id=event.pk, details=f"details {i}")
print("ok")
"""


def test_bot_and_web_processes_write_at_once_without_lock_errors(tmp_path):
    path = migrated_sqlite(tmp_path / "shared.sqlite3")
    env = sqlite_env(path, settings_free_env(DJANGO_SETTINGS_MODULE="webapp.settings"))
    rounds = 60
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tg_id), str(rounds)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tg_id in (1, 2, 3)
    ]
    for writer in writers:
        out, err = writer.communicate(timeout=START)
        assert writer.returncode == 0, err
        assert "database is locked" not in err
        assert out.strip() == "ok"
    counts = python(
        env,
        "from calendarapp.models import BotStatistics, Event\n"
        "s = BotStatistics.objects.get()\n"
        "print(Event.objects.count(), s.event_count, s.edited_events, s.user_count)",
    )
    assert counts.split() == [str(3 * rounds), str(3 * rounds), str(3 * rounds), "3"]
