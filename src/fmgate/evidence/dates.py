"""Dates as evidence parameters: ISO text in, ``datetime.date`` out, today in UTC by default."""

from __future__ import annotations

import datetime as dt

from ..errors import InputError


def as_day(value: str | dt.date | None, *, name: str = "date") -> dt.date | None:
    """A date from ISO text (or a date); None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{value!r} is not a date", field=name, fix="write it as YYYY-MM-DD") from None


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def resolve_as_of(value: str | dt.date | None) -> dt.date:
    """The day after which input dates count as "in the future" (default: today, UTC)."""
    return as_day(value, name="as_of") or today_utc()
