"""Many workspaces (OAuth mode): Slack installations and OAuth state kept in the bot's database,
every token encrypted with NMS_TOKEN_KEY (Fernet), so the database alone reveals no token.

Bolt's own SQLAlchemy stores keep tokens in plain columns (and need SQLAlchemy's asyncio extra);
these implement the same interfaces (slack_sdk's InstallationStore and OAuthStateStore) over the
tables the migrations create (nms_bot/storage/schema.py, `installation_tables`). One row per
workspace (and installing user) is kept: a new installation or a rotated token replaces it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from cryptography.fernet import InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store import OAuthStateStore
from sqlalchemy import MetaData, Table, Text, and_, delete, func, insert, select, update
from sqlalchemy.types import TypeDecorator

from ...storage.schema import installation_tables
from ...storage.store import Store, StoreUnavailable
from ..common.limits import TooManyStates
from ..common.settings import TokenKeyError

log = logging.getLogger("nms_bot.installations")
STATE_SECONDS = 600  # an OAuth state is good for ten minutes, as Bolt's default
# States live at once, across instances: anyone may open /slack/install, and each visit is a row.
# Far more than admins installing at once; beyond it the install page says to try again later.
MAX_LIVE_STATES = 1000
T = TypeVar("T")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Sealed(TypeDecorator[str]):
    """A text column holding Fernet ciphertext: plain in Python, sealed in the database."""

    impl = Text
    cache_ok = False  # holds the key; never share compiled statements across stores

    def __init__(self, sealer: MultiFernet):
        super().__init__()
        self.sealer = sealer

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.sealer.encrypt(str(value).encode()).decode()

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return self.sealer.decrypt(str(value).encode()).decode()
        except InvalidToken:
            raise TokenKeyError(
                "NMS_TOKEN_KEY cannot decrypt the Slack tokens stored in the database: set the key "
                "they were stored with (a new key goes first, the old one after it)"
            ) from None


def _scope(table: Table, client_id: str, enterprise_id: str | None, team_id: str | None) -> Any:
    c = table.c  # `== None` compiles to IS NULL: org-wide installs have no team, others no enterprise
    return and_(c.client_id == client_id, c.enterprise_id == enterprise_id, c.team_id == team_id)


class DatabaseInstallationStore(InstallationStore):
    """slack_sdk's InstallationStore over our tables, tokens sealed; calls bounded by the store's
    deadline (a stalled database means "not installed" for that request, never a hung ack)."""

    def __init__(self, store: Store, client_id: str, sealer: MultiFernet):
        self.store, self.client_id = store, client_id
        self.installations, self.bots, _ = installation_tables(MetaData(), Sealed(sealer))

    @property
    def logger(self) -> logging.Logger:
        return log

    def _write(self, fn: Callable[[], T]) -> T:
        return self.store.bounded(fn)

    def _row(self, table: Table, values: dict[str, Any]) -> dict[str, Any]:
        row = {k: v for k, v in values.items() if k in table.c and k != "id"}
        for k in ("installed_at", "bot_token_expires_at", "user_token_expires_at"):
            if k in row:
                row[k] = normalize_datetime_for_db(row[k])
        row["client_id"] = self.client_id
        row["is_enterprise_install"] = bool(row.get("is_enterprise_install"))
        return row

    def save(self, installation: Installation) -> None:
        row = self._row(self.installations, installation.to_dict())
        i = self.installations

        def write() -> None:
            with self.store.engine.begin() as conn:
                conn.execute(
                    delete(i).where(
                        _scope(i, self.client_id, installation.enterprise_id, installation.team_id),
                        i.c.user_id == installation.user_id,
                    )
                )
                conn.execute(insert(i).values(**row))

        self._write(write)
        if installation.bot_token:
            self.save_bot(installation.to_bot())

    def save_bot(self, bot: Bot) -> None:
        row = self._row(self.bots, bot.to_dict())
        b = self.bots

        def write() -> None:
            with self.store.engine.begin() as conn:
                conn.execute(delete(b).where(_scope(b, self.client_id, bot.enterprise_id, bot.team_id)))
                conn.execute(insert(b).values(**row))

        self._write(write)

    def _latest(self, table: Table, where: Any) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            with self.store.engine.connect() as conn:
                row = conn.execute(
                    select(table).where(where).order_by(table.c.installed_at.desc(), table.c.id.desc()).limit(1)
                ).first()
            return dict(row._mapping) if row else None

        try:
            return self.store.bounded(read)
        except StoreUnavailable:
            return None  # the store has logged it; the request goes unanswered, its ack does not wait

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        if is_enterprise_install or team_id is None:
            team_id = None
        b = self.bots
        row = self._latest(b, and_(_scope(b, self.client_id, enterprise_id, team_id), b.c.bot_token.is_not(None)))
        if row is None:
            return None
        return Bot(**{k: v for k, v in row.items() if k not in ("id", "client_id")})

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        if is_enterprise_install or team_id is None:
            team_id = None
        i = self.installations
        where = _scope(i, self.client_id, enterprise_id, team_id)
        if user_id is not None:
            where = and_(where, i.c.user_id == user_id)
        row = self._latest(i, where)
        if row is None:
            return None
        installation = Installation(**{k: v for k, v in row.items() if k not in ("id", "client_id")})
        if user_id is not None or installation.bot_token is None:
            # The workspace's latest bot token, as Bolt's own stores do (an install by another user)
            bot = self.find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
            )
            if bot is not None and bot.bot_token != installation.bot_token:
                installation.bot_id, installation.bot_user_id = bot.bot_id, bot.bot_user_id
                installation.bot_token, installation.bot_scopes = bot.bot_token, bot.bot_scopes
                installation.bot_refresh_token = bot.bot_refresh_token
                installation.bot_token_expires_at = bot.bot_token_expires_at
        return installation

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """The workspace's bot tokens go, also from its installation rows (tokens_revoked)."""
        b, i = self.bots, self.installations

        def write() -> None:
            with self.store.engine.begin() as conn:
                conn.execute(delete(b).where(_scope(b, self.client_id, enterprise_id, team_id)))
                conn.execute(
                    update(i)
                    .where(_scope(i, self.client_id, enterprise_id, team_id))
                    .values(bot_token=None, bot_refresh_token=None, bot_token_expires_at=None)
                )

        self._write(write)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        i = self.installations
        where = _scope(i, self.client_id, enterprise_id, team_id)
        if user_id is not None:
            where = and_(where, i.c.user_id == user_id)

        def write() -> None:
            with self.store.engine.begin() as conn:
                conn.execute(delete(i).where(where))

        self._write(write)

    def bot_tokens(self) -> Iterator[str]:
        """Each installed workspace's bot token, newest installation first."""
        b = self.bots
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(b.c.bot_token)
                .where(b.c.client_id == self.client_id, b.c.bot_token.is_not(None))
                .order_by(b.c.installed_at.desc())
            ).all()
        for (token,) in rows:
            yield token

    def check_key(self) -> None:
        """TokenKeyError now, at start-up, if NMS_TOKEN_KEY cannot open the stored tokens."""
        for table in (self.bots, self.installations):
            with self.store.engine.connect() as conn:
                conn.execute(select(table.c.bot_token).where(table.c.bot_token.is_not(None)).limit(1)).all()


class DatabaseOAuthStateStore(OAuthStateStore):
    """OAuth `state` values, each consumed once, within ten minutes of being issued; at most
    `max_live` live at once (TooManyStates beyond). `now`: the clock (UTC, naive), for tests."""

    def __init__(
        self,
        store: Store,
        expiration_seconds: int = STATE_SECONDS,
        max_live: int = MAX_LIVE_STATES,
        now: Callable[[], dt.datetime] = _utcnow,
    ):
        self.store, self.expiration_seconds, self.max_live, self.now = store, expiration_seconds, max_live, now
        _, _, self.states = installation_tables(MetaData())

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = uuid.uuid4().hex
        now = self.now()
        expire = now + dt.timedelta(seconds=self.expiration_seconds)

        def write() -> None:
            with self.store.engine.begin() as conn:
                conn.execute(delete(self.states).where(self.states.c.expire_at <= now))  # housekeeping
                if conn.execute(select(func.count()).select_from(self.states)).scalar_one() >= self.max_live:
                    raise TooManyStates
                conn.execute(insert(self.states).values(state=state, expire_at=expire))

        self.store.bounded(write)
        return state

    def consume(self, state: str) -> bool:
        now = self.now()

        def take() -> bool:
            with self.store.engine.begin() as conn:
                return (
                    conn.execute(
                        delete(self.states).where(self.states.c.state == state[:200], self.states.c.expire_at > now)
                    ).rowcount
                    == 1
                )

        try:
            return self.store.bounded(take)
        except StoreUnavailable:
            return False
