"""Webhook replicas (bot/replicas.py): several real `runbot` processes on one PostgreSQL.

The fake Bot API plays Telegram: it posts each update to the webhook until it gets a 2xx,
one person's updates in order. First two replicas taking turns directly, then Debian's nginx
balancing three of them, one SIGKILLed and restarted mid-run.

PostgreSQL only: several processes on one SQLite file are not a supported deployment (the
replicas coordinate through PostgreSQL's advisory locks).
"""

import asyncio
import datetime as dt
import os
import re

import psycopg
import pytest

from calendarapp.devtools.fake_bot_api import FakeBotApi
from calendarapp.devtools.replica_fleet import Nginx, Replica, nginx_binary, replica_env
from calendarapp.devtools.replica_load import Load, event_dialog
from tests.support.fake_telegram import say
from tests.support.processes import child_env, manage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

URL = os.environ.get("DATABASE_URL", "")
if not URL.startswith(("postgres://", "postgresql://")):
    pytest.skip(
        "webhook replicas need PostgreSQL: several processes on one SQLite file are not a "
        "supported deployment",
        allow_module_level=True,
    )


@pytest.fixture
def database():
    """A migrated database of its own for the replicas (they are other processes)."""
    admin = URL.rsplit("/", 1)[0] + "/postgres"
    name = f"replicas_{os.getpid()}"
    url = URL.rsplit("/", 1)[0] + f"/{name}"

    def sql(statement: str) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(statement)

    sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sql(f'CREATE DATABASE "{name}"')
    env = child_env(
        "TELEGRAM_",
        DATABASE_URL=url,
        TELEGRAM_OVERALL_MAX_RATE="0",  # measure the bot, not Telegram's pacing
        REMINDER_POLL_INTERVAL="0.5",
        OUTBOX_POLL_INTERVAL="0.5",
        LOG_LEVEL="INFO",
    )
    manage(env, "migrate", "--noinput", "-v0")
    yield env, url
    sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


async def start(replicas: list[Replica]) -> None:
    for replica in replicas:
        replica.start()
    await asyncio.gather(*(asyncio.to_thread(r.wait_ready) for r in replicas))


def stop_all(replicas: list[Replica]) -> list[int | None]:
    return [replica.stop() for replica in replicas]


def test_two_replicas_share_one_dialog_register_once_and_ignore_a_redelivery(database, tmp_path):
    env, url = database

    async def scenario():
        fake = await FakeBotApi().start()
        replicas = [Replica(n, replica_env(env, fake), tmp_path) for n in range(2)]
        try:
            await start(replicas)
            fake.route_webhooks_to(*(f"http://127.0.0.1:{r.port}" for r in replicas))
            # One leader registered the webhook; the other left it alone.
            assert fake.calls["setWebhook"] == 1
            roles = [("leader" in r.output(), "follower" in r.output()) for r in replicas]
            assert sorted(roles) == [(False, True), (True, False)], roles

            # Every step goes to the other replica than the last (the balancer takes turns):
            # each reads the dialog the other one left.
            ann = fake.user(7301, "Ann", "ann")
            assert "зарегистрированы" in await say(fake, ann, "/register")
            starts = dt.datetime(2031, 1, 15, 18, 30)
            for step in event_dialog("Relay", starts, register=False):
                answer = await say(fake, ann, step.text)
                assert step.expect(answer), (step.text, answer)

            # Telegram sends the last update again (to the other replica): nothing happens.
            last = max(fake.sent_updates)
            mark = fake.cursor(ann.id)
            fake.redeliver(last)
            await say(fake, ann, "/help")
            assert fake.cursor(ann.id) == mark + 1  # /help's answer only
            assert fake.delivered[last] == 2
            assert rows(url, "SELECT name FROM calendarapp_event") == [("Relay",)]

            # A language chosen elsewhere (the admin) counts at the next update, on either
            # replica: no process keeps the profile it read before.
            assert "Commands" not in await say(fake, ann, "/help")
            rows(url, "UPDATE calendarapp_tguser SET language = 'en' RETURNING tg_id")
            for _ in range(2):
                assert "Commands" in await say(fake, ann, "/help")
            rows(url, "UPDATE calendarapp_tguser SET language = '' RETURNING tg_id")

            # The answer is slow to leave, so Telegram's wait for the delivery runs out and
            # it tries the other replica while the first is still sending: the first had
            # committed before answering, the retry is a no-op. One answer.
            fake.webhook_timeout = 0.1
            fake.slow("sendMessage", 0.5)
            mark = fake.cursor(ann.id)
            assert "/create_event" in await say(fake, ann, "/help")
            await asyncio.sleep(0.5)
            assert fake.cursor(ann.id) == mark + 1
            assert fake.redeliveries >= 1
            fake.webhook_timeout = 10

            # The database drops every connection (a restart, a failover): the replicas go
            # on, on new connections (an update that hit the dead one fails and is
            # retried), each with the server-side statements prepared again (runtime/claims.py).
            rows(
                url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            for _ in range(2):
                assert "/create_event" in await say(fake, ann, "/help")

            # One replica SIGKILLed: deliveries that reach its port fail and are retried
            # until the other one takes them.
            replicas[0].kill()
            before = fake.redeliveries
            for _ in range(2):
                assert "/create_event" in await say(fake, ann, "/help")
            assert fake.redeliveries > before
            assert stop_all(replicas)[1] == 0
        finally:
            for replica in replicas:
                replica.kill()
            await fake.stop()
        for replica in replicas:
            # The only errors: work that hit a connection the database had dropped.
            entries = re.split(r"\n(?=\d{4}-\d\d-\d\d )", replica.output())
            failures = [entry for entry in entries if "Traceback" in entry]
            assert all(LOST_CONNECTION in entry for entry in failures), replica.output()

    asyncio.run(scenario())


LOST_CONNECTION = "django.db.utils.OperationalError"


def test_replicas_with_database_lanes_start_register_once_and_stop_cleanly(database, tmp_path):
    """With BOT_DB_THREADS > 0 the ORM is refused on the event loop's thread, so the
    leader's lock must be taken, and given up at the end, on a thread of its own: both
    replicas start, one registers, a dialog goes from one to the other, both exit 0."""
    env, url = database

    async def scenario():
        fake = await FakeBotApi().start()
        lanes = replica_env(env, fake) | {"BOT_DB_THREADS": "2"}
        replicas = [Replica(n, lanes, tmp_path) for n in range(2)]
        try:
            await start(replicas)
            fake.route_webhooks_to(*(f"http://127.0.0.1:{r.port}" for r in replicas))
            assert fake.calls["setWebhook"] == 1
            bea = fake.user(7302, "Bea", "bea")
            assert "зарегистрированы" in await say(fake, bea, "/register")
            for step in event_dialog("Lanes", dt.datetime(2031, 2, 1, 9, 0), register=False):
                answer = await say(fake, bea, step.text)
                assert step.expect(answer), (step.text, answer)
            assert rows(url, "SELECT name FROM calendarapp_event") == [("Lanes",)]
            assert stop_all(replicas) == [0, 0], [r.output() for r in replicas]
        finally:
            for replica in replicas:
                replica.kill()
            await fake.stop()
        for replica in replicas:
            assert "Traceback" not in replica.output(), replica.output()

    asyncio.run(scenario())


@pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (.ci/run installs it)")
def test_fifty_people_through_nginx_to_three_replicas_one_killed_mid_run(database, tmp_path):
    """300 updates at 300/s, every person's dialog answered in order, nothing twice, nothing
    lost, though one replica is SIGKILLed a third of the way through and started again; then
    each event's reminder (the outbox, claimed by all three) arrives exactly once."""
    env, url = database
    starts = dt.datetime.now() + dt.timedelta(days=30)

    async def scenario():
        fake = await FakeBotApi().start()
        replicas = [Replica(n, replica_env(env, fake), tmp_path) for n in range(3)]
        nginx = Nginx(tmp_path, [r.port for r in replicas])
        scripts = {8000 + n: event_dialog(f"Meet {n}", starts, register=True) for n in range(50)}
        load = Load(fake, scripts, rate=300)
        restarted = []

        async def kill_one(sent: int) -> None:
            if sent == load.total // 3:
                replicas[1].kill()
                replicas[1].start()  # back while the others carry the load
                restarted.append(asyncio.create_task(asyncio.to_thread(replicas[1].wait_ready)))

        try:
            await start(replicas)
            nginx.start()
            fake.route_webhooks_to(nginx.origin)
            await load.send_all(after_each=kill_one)
            await load.wait_settled(timeout=120)
            await asyncio.gather(*restarted)
            # Every event's reminder falls due at once: the three replicas' reminder jobs
            # and outboxes claim side by side (SKIP LOCKED).
            rows(url, "UPDATE calendarapp_reminder SET next_at = now() RETURNING event_id")
            await load.wait_done(timeout=60, reminders_each=1, answers=False)
            await asyncio.sleep(1)  # a late duplicate would show up by now

            assert load.out_of_script() == {}  # in order, none twice
            assert fake.undelivered == []  # none lost
            assert set(fake.delivered) == set(fake.sent_updates)
            handled = rows(url, "SELECT update_id FROM calendarapp_processedupdate")
            assert {update_id for (update_id,) in handled} == set(fake.sent_updates)
            # An update whose answers were on their way when its replica was killed was
            # committed, so its redelivery is a no-op: that answer is lost (never doubled).
            # At most the few updates in flight on that replica at that instant.
            assert load.missing() <= 5, load.missing()
            assert {tg_id: len(texts) for tg_id, texts in load.reminders.items()} == {
                tg_id: 1 for tg_id in scripts
            }
            assert sorted(
                rows(url, "SELECT owner_id, count(*) FROM calendarapp_event GROUP BY 1")
            ) == [(tg_id, 1) for tg_id in scripts]
            assert rows(
                url, "SELECT status, count(*) FROM calendarapp_outboxmessage GROUP BY 1"
            ) == [("sent", 50)]
            # Every replica took part, the restarted one too.
            assert all(r.output().count("Webhook replica serving") >= 1 for r in replicas)
            assert replicas[1].starts == 2
            assert stop_all(replicas) == [0, 0, 0]
        finally:
            nginx.stop()
            for replica in replicas:
                replica.kill()
            await fake.stop()

    asyncio.run(scenario())
