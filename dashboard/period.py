"""Periods: closed date ranges, the comparison period and the presets leaders pick from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PRESETS = ("last_week", "last_4_weeks", "last_12_weeks", "last_quarter", "year_to_date")


@dataclass(frozen=True)
class Period:
    """A closed range of days [start, end]; the as-of date is `end`."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period start {self.start} is after its end {self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The equal-length range just before this one."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def params(self) -> dict[str, dt.date]:
        return {"start": self.start, "end": self.end}


def preset_period(name: str, today: dt.date) -> Period:
    """A named preset relative to `today`: complete ISO weeks, the last complete quarter, or year to date."""
    sunday = today - dt.timedelta(days=today.isoweekday())  # the Sunday before today (never today)
    if name == "last_week":
        return Period(sunday - dt.timedelta(days=6), sunday)
    if name == "last_4_weeks":
        return Period(sunday - dt.timedelta(days=27), sunday)
    if name == "last_12_weeks":
        return Period(sunday - dt.timedelta(days=83), sunday)
    if name == "last_quarter":
        first_of_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        end = first_of_quarter - dt.timedelta(days=1)
        return Period(dt.date(end.year, end.month - 2, 1), end)
    if name == "year_to_date":
        return Period(dt.date(today.year, 1, 1), today)
    raise ValueError(f"unknown period preset {name!r}; allowed: {', '.join(PRESETS)}")


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
