"""Reading settings from the environment by one rule for every program part (CLI, Slack, store)."""

from __future__ import annotations

import os

from .errors import ConfigurationError

TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no")


def env_flag(name: str, env: dict[str, str] | None = None, default: bool = False) -> bool:
    """A boolean setting: 1/true/yes or 0/false/no (any case; unset is `default`); anything else
    stops the program with a line naming the variable."""
    value = (os.environ if env is None else env).get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ConfigurationError(f"{name} must be 1 or 0 (also true/false, yes/no), not {value[:20]!r}")


def env_number(
    name: str,
    default: float,
    low: float,
    high: float,
    what: str,
    env: dict[str, str] | None = None,
    whole: bool = False,
) -> float:
    """A number setting between `low` and `high` (`whole`: a whole number); `what` says what it
    counts, for the error line."""
    raw = (os.environ if env is None else env).get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high or (whole and value != int(value)):  # also false for nan
        raise ConfigurationError(f"{name} must be {what} between {low:g} and {high:g}")
    return value
