"""How each reader wants answers (brief or full, abbreviations spelled out or short): the Slack user
id and the choice only, shared by every instance. A part of Store; every call goes through its Guard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ..core.forms import ABBREVIATIONS, DEFAULT, LENGTHS, Form
from .schema import reader_preferences as table

CHOICES = {"length": LENGTHS, "abbreviations": ABBREVIATIONS}


class ReaderStore:
    """Mixed into Store, which provides `engine` and `bounded` (the deadline-bounded call)."""

    engine: Engine
    bounded: Callable[..., Any]

    def reader_form(self, user: str) -> Form:
        """The form `user` chose; the default for anyone who chose nothing (or a value this
        release does not know)."""

        def read() -> Form:
            with self.engine.connect() as conn:
                row = conn.execute(select(table).where(table.c.user_id == user[:40])).first()
            if row is None or row.length not in LENGTHS or row.abbreviations not in ABBREVIATIONS:
                return DEFAULT
            return Form(row.length, row.abbreviations)

        return self.bounded(read, read_only=True)

    def choose(self, user: str, choice: str, value: str) -> Form:
        """Set one choice (`length` or `abbreviations`) for `user`, leaving the other as it is, and
        return the form now on record. A reader back at the defaults keeps no row."""
        if value not in CHOICES.get(choice, ()):
            raise ValueError(f"unknown choice {choice!r}: {value!r}")
        key = user[:40]

        def write() -> Form:
            for _ in range(3):  # two presses racing: one inserts, the other updates
                with self.engine.begin() as conn:
                    if conn.execute(update(table).where(table.c.user_id == key).values({choice: value})).rowcount:
                        break
                try:
                    with self.engine.begin() as conn:
                        row = {"length": DEFAULT.length, "abbreviations": DEFAULT.abbreviations, choice: value}
                        conn.execute(insert(table).values(user_id=key, **row))
                    break
                except IntegrityError:
                    continue
            with self.engine.begin() as conn:
                conn.execute(
                    delete(table).where(
                        table.c.user_id == key,
                        table.c.length == DEFAULT.length,
                        table.c.abbreviations == DEFAULT.abbreviations,
                    )
                )
                row = conn.execute(select(table).where(table.c.user_id == key)).first()
            return Form(row.length, row.abbreviations) if row else DEFAULT

        return self.bounded(write)
