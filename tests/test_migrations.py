"""Schema migrations: an empty database, a database made before migrations (with rows), two
processes at once, a database newer than the code; on SQLite and on a throwaway PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, insert, inspect, select, text

from nms_bot.storage import migrate
from nms_bot.storage.migrate import VERSION_TABLE, MigrationError
from nms_bot.storage.schema import metadata
from nms_bot.storage.store import Store

from . import postgres
from .test_db_faults import first_start_race


def release_tables(replies: bool = True, reminders: bool = True) -> MetaData:
    """The tables as releases before migrations made them with create_all (copied from the code of
    commit 90fb0a7 for the first four, then of the releases that added replies and reminders)."""
    meta = MetaData()
    Table(
        "nms_seen_events",
        meta,
        Column("event_id", String(100), primary_key=True),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    )
    Table(
        "nms_answers",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("topic_id", String(100), nullable=False),
        Column("surface", String(20), nullable=False),
        Column("team", String(40), nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    )
    Table(
        "nms_feedback",
        meta,
        Column("vote_key", String(64), primary_key=True),
        Column("topic_id", String(100), nullable=False),
        Column("verdict", String(20), nullable=False),
        Column("surface", String(20), nullable=False),
        Column("team", String(40), nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    )
    Table(
        "nms_gaps",
        meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("status", String(20), nullable=False),
        Column("text", String(600), nullable=False),
        Column("team", String(40), nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    )
    if replies:
        Table(
            "nms_replies",
            meta,
            Column("message_key", String(100), primary_key=True),
            Column("version", String(40), nullable=False),
            Column("verdict", String(64), nullable=False),
            Column("reply_ts", String(40)),
            Column("created_at", DateTime(timezone=True), nullable=False, index=True),
        )
    if reminders:
        Table(
            "nms_reminders",
            meta,
            Column("owner_id", String(40), primary_key=True),
            Column("topic_id", String(100), primary_key=True),
            Column("reason", String(20), primary_key=True),
            Column("period", String(80), primary_key=True),
            Column("created_at", DateTime(timezone=True), nullable=False),
        )
    return meta


NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=1)  # within retention
ROWS = {
    "nms_seen_events": [{"event_id": "Ev1", "created_at": NOW}],
    "nms_answers": [
        {"topic_id": "cooling", "surface": "dm", "team": "T1", "created_at": NOW},
        {"topic_id": "dantrolene", "surface": "mention", "team": "T2", "created_at": NOW},
    ],
    "nms_feedback": [
        {
            "vote_key": "k" * 64,
            "topic_id": "cooling",
            "verdict": "helpful",
            "surface": "dm",
            "team": "T1",
            "created_at": NOW,
        }
    ],
    "nms_gaps": [{"status": "none", "text": "lithium [MRN]", "team": "T1", "created_at": NOW}],
    "nms_replies": [
        {"message_key": "C1:1.1", "version": "1.1", "verdict": "v" * 64, "reply_ts": "1.2", "created_at": NOW}
    ],
    "nms_reminders": [
        {"owner_id": "U1", "topic_id": "cooling", "reason": "overdue", "period": "2026-10-01", "created_at": NOW}
    ],
}


def make_release_database(url: str, replies: bool = True, reminders: bool = True) -> None:
    """A database as an older release left it: its tables by create_all, a row in each, no version."""
    engine = create_engine(url)
    meta = release_tables(replies, reminders)
    meta.create_all(engine)
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            conn.execute(insert(table), ROWS[table.name])
    engine.dispose()


def schema_differences(url: str) -> list:
    """What Alembic's autogenerate finds between the database and nms_bot/storage/schema.py."""
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "compare_type": True})
        diffs = compare_metadata(context, metadata)
    engine.dispose()
    return diffs


def revision(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    engine.dispose()
    return found


def indexes(url: str) -> dict[str, list[str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = {
            t: sorted(i["name"] for i in inspect(conn).get_indexes(t))
            for t in inspect(conn).get_table_names()
            if t.startswith("nms_")
        }
    engine.dispose()
    return found


def rows(store: Store) -> dict[str, list[dict]]:
    with store.engine.connect() as conn:
        return {
            name: [
                {k: v for k, v in r._mapping.items() if k != "id"} for r in conn.execute(select(metadata.tables[name]))
            ]
            for name in ROWS
        }


# Columns that later migrations add to those tables, as a row written before them has them.
ADDED_LATER = {"nms_replies": {"claimed_by": None}}


def same_rows(found: dict[str, list[dict]], expected: dict[str, list[dict]]) -> bool:
    def norm(value):  # SQLite hands back naive datetimes
        return value.replace(tzinfo=dt.timezone.utc) if isinstance(value, dt.datetime) and not value.tzinfo else value

    expected = {t: [{**r, **ADDED_LATER.get(t, {})} for r in rs] for t, rs in expected.items()}
    return {t: [{k: norm(v) for k, v in r.items()} for r in rs] for t, rs in found.items()} == expected


# ---------------------------------------------------------------- one set of checks, two databases


DATABASE_NUMBERS = itertools.count()


class Databases:
    """Fresh databases of one kind: SQLite files, or databases in one PostgreSQL cluster."""

    def __init__(self, kind: str, tmp_path: Path, cluster_url: str | None = None):
        self.kind, self.tmp, self.cluster, self.n = kind, tmp_path, cluster_url, 0

    def new(self) -> str:
        self.n += 1
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp / f'db{self.n}.db'}"
        return postgres.create_database(self.cluster, f"mig_{next(DATABASE_NUMBERS)}")

    def env(self, url: str) -> dict[str, str]:
        if self.kind == "sqlite":
            return {"NMS_DB": url.removeprefix("sqlite:///")}
        return {"DATABASE_URL": url.replace("postgresql+psycopg", "postgresql")}


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[str | None]:
    if postgres.available():
        yield None
        return
    with postgres.cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def dbs(request, tmp_path: Path, pg_cluster: str | None) -> Databases:
    if request.param == "postgresql" and pg_cluster is None:
        pytest.skip(postgres.available())
    return Databases(request.param, tmp_path, pg_cluster)


def test_an_empty_database_is_migrated_to_exactly_the_tables_the_code_uses(dbs: Databases):
    url = dbs.new()
    store = Store(url)
    store.close()
    assert store.revision == migrate.head() == revision(url)
    assert schema_differences(url) == []
    assert indexes(url)["nms_answers"] == ["ix_nms_answers_created_at"]


def test_revision_0001_creates_the_tables_of_the_last_release_before_migrations(dbs: Databases):
    """Same tables, columns, types and index names as create_all made from that release's code."""
    migrated, made = dbs.new(), dbs.new()
    engine = migrate_engine(migrated)
    from alembic import command

    with engine.connect() as conn:
        command.upgrade(migrate._config(conn), "0001")
        conn.commit()
    engine.dispose()
    make_release_database(made, replies=False, reminders=False)
    engine = create_engine(migrated)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "compare_type": True})
        assert compare_metadata(context, release_tables(replies=False, reminders=False)) == []
    engine.dispose()
    without_version = {t: i for t, i in indexes(migrated).items() if t != VERSION_TABLE}
    assert without_version == indexes(made)


def migrate_engine(url: str):
    from nms_bot.storage.engines import admin_engine

    return admin_engine(url)


@pytest.mark.parametrize(
    "replies, reminders, adopted", [(False, False, "0001"), (True, False, "0002"), (True, True, "0003")]
)
def test_a_database_made_before_migrations_is_adopted_without_losing_a_row(
    dbs: Databases, replies: bool, reminders: bool, adopted: str
):
    url = dbs.new()
    make_release_database(url, replies, reminders)
    before = {t: r for t, r in ROWS.items() if (t != "nms_replies" or replies) and (t != "nms_reminders" or reminders)}
    store = Store(url)
    try:
        found = rows(store)
        assert same_rows({t: found[t] for t in before}, before)
        assert all(found[t] == [] for t in ROWS if t not in before)  # tables added by the upgrade
        assert store.revision == migrate.head() == revision(url)
        assert f"adopted at revision {adopted} and upgraded to {migrate.head()}" in store.schema_upgrade
        # ... and it works as a store
        assert store.claim_event("Ev2") and not store.claim_event("Ev1")
    finally:
        store.close()
    assert schema_differences(url) == []


def test_processes_adopting_a_database_made_before_migrations_at_once_all_start_and_keep_every_row(dbs: Databases):
    for _ in range(2):
        url = dbs.new()
        make_release_database(url)
        assert first_start_race(dbs.env(url)) == ["ok"] * 4
        store = Store(url)
        try:
            assert same_rows(rows(store), ROWS)
        finally:
            store.close()
        assert revision(url) == migrate.head()


def test_a_database_newer_than_the_code_is_refused_in_one_line(dbs: Databases, tmp_path: Path):
    url = dbs.new()
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9001'"))
    engine.dispose()
    with pytest.raises(MigrationError, match="revision 9001, newer than this nms-bot knows"):
        Store(url)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-1-2-3",
        "SLACK_APP_TOKEN": "xapp-1-2",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        **dbs.env(url),
    }
    env.pop("DATABASE_URL" if dbs.kind == "sqlite" else "NMS_DB", None)
    r = subprocess.run([sys.executable, "-m", "nms_bot", "serve"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert "newer than this nms-bot knows (up to " in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "nms_bot", "db", "current"], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 2 and "newer than this nms-bot knows" in r.stderr


def test_db_current_and_upgrade_on_a_database_made_before_migrations(dbs: Databases):
    url = dbs.new()
    make_release_database(url, replies=True, reminders=False)
    env = {**os.environ, **dbs.env(url)}
    env.pop("DATABASE_URL" if dbs.kind == "sqlite" else "NMS_DB", None)

    def db(action: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "nms_bot", "db", action], capture_output=True, text=True, env=env, timeout=60
        )

    r = db("current")
    assert r.returncode == 1 and "made before migrations, matches revision 0002" in r.stdout
    r = db("upgrade")
    assert r.returncode == 0 and f"schema revision {migrate.head()} (up to date)" in r.stdout
    assert "adopted at revision 0002" in r.stdout
    r = db("current")
    assert r.returncode == 0 and f"schema revision {migrate.head()} (the newest" in r.stdout


# ---------------------------------------------------------------- SQLite only


def test_a_database_with_only_part_of_a_release_s_tables_is_refused(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    engine = create_engine(url)
    meta = release_tables()
    meta.tables["nms_answers"].create(engine)
    meta.tables["nms_reminders"].create(engine)
    engine.dispose()
    with pytest.raises(MigrationError, match="some of nms-bot's tables"):
        Store(url)


def test_db_current_never_creates_a_database(tmp_path: Path):
    r = subprocess.run(
        [sys.executable, "-m", "nms_bot", "db", "current"],
        capture_output=True,
        text=True,
        env={**os.environ, "NMS_DB": str(tmp_path / "none.db")},
        timeout=60,
    )
    assert r.returncode == 2 and "no database at" in r.stderr and not (tmp_path / "none.db").exists()


def test_every_migration_downgrades_and_upgrades_again(tmp_path: Path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'round.db'}"
    Store(url).close()
    engine = migrate_engine(url)
    with engine.connect() as conn:
        command.downgrade(migrate._config(conn), "base")
        conn.commit()
        assert [t for t in inspect(conn).get_table_names() if t != VERSION_TABLE] == []
    engine.dispose()
    Store(url).close()
    assert schema_differences(url) == []
