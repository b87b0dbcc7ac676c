"""Schedules from the config, validated and turned into APScheduler triggers.

A schedule's ``cron`` is a classic five-field crontab expression (minute hour day-of-month month
day-of-week) read with **cron's** meaning, in the schedule's ``timezone`` (an IANA zone name).
APScheduler 3's ``CronTrigger.from_crontab`` numbers weekdays from 0 = Monday, while cron uses
0 (and 7) = Sunday: ``0 9 * * 0`` would fire on Mondays. :func:`translate_day_of_week` therefore
rewrites the day-of-week field into day names (``1-5`` becomes ``mon,tue,wed,thu,fri``; ``*/2``
becomes cron's ``sun,tue,thu,sat``) before the trigger is built. Two more cron dialect points:

- cron fires when *either* the day-of-month or the day-of-week matches if both are restricted;
  APScheduler requires *both*. Such an expression is rejected (restrict only one of them).
- The macros ``@hourly``, ``@daily`` (``@midnight``), ``@weekly``, ``@monthly`` and ``@yearly``
  (``@annually``) are accepted.
- Daylight saving: a time inside the hour repeated when the clocks go back fires once, at its
  first occurrence (:class:`WallClockCronTrigger`; APScheduler alone fires it twice); a time
  skipped when the clocks go forward fires an hour later that day.

:func:`plan_schedules` validates every schedule of a config (cron, zone, profile, unique names)
and is called by ``brand-audit schedule``, ``status`` and ``validate``; a problem raises
:class:`~auditor.core.errors.ConfigError` naming the file and field (one line, exit 2).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from auditor.core.errors import ConfigError
from auditor.core.models import Severity

if TYPE_CHECKING:
    from auditor.config.loading import AppConfig, ScheduleModel

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
"""Cron's weekday numbering: index 0 (and 7) is Sunday."""

FULL_DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
"""Day names cron also accepts in full."""

WEEK_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The order translated day lists are written in."""

MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
"""Cron's shorthand expressions."""

MAX_REPEATS = 240
"""Firings a trigger skips at most while looking past a repeated hour (every minute of it)."""

DEFAULT_FAIL_ON = Severity.HIGH
"""A scheduled run's exit-code threshold when its profile sets none (as ``run --fail-on``)."""

_ELEMENT = re.compile(r"^(?P<range>\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(?P<step>\d+))?$")


@dataclass(frozen=True)
class SchedulePlan:
    """One validated schedule: what to run, when, and who hears about it."""

    name: str
    """The schedule's name (also the job id in the job store)."""
    cron: str
    """The expression as written in the config."""
    timezone: str
    """IANA zone the expression is read in."""
    trigger: BaseTrigger
    """The APScheduler trigger (a cron trigger with weekdays translated to names)."""
    only: tuple[str, ...]
    """Check ids or categories (empty: every check)."""
    profile: str | None
    """The profile it uses, if any."""
    fail_on: Severity | None
    """Exit-code threshold of the run (the profile's, else high)."""
    recipients: tuple[str, ...]
    """Who gets the email (empty: ``mail.to``)."""
    report: str
    """``full`` (email plus the full HTML report attached) or ``leadership`` (email only)."""
    email: bool
    """Whether the run's report is emailed at all."""
    jitter_s: int
    """Random delay of up to this many seconds per firing (0: none; already in ``trigger``)."""


def _day_number(word: str, *, range_end: bool) -> int:
    """Cron weekday number 0-7 of a number or a day name (``sun`` is 7 at the end of a range)."""
    if word.isdigit():
        value = int(word)
        if value > 7:
            raise ValueError(f"day-of-week {word} is out of range 0-7")
        return value
    if word not in DAY_NAMES and word not in FULL_DAY_NAMES:
        raise ValueError(f"unknown day-of-week {word!r}")
    number = DAY_NAMES.index(word[:3])
    return 7 if number == 0 and range_end else number


def _expand(element: str) -> set[int]:
    """The days (0-6, Sunday 0) of one list element: ``*``, ``N``, ``N-M``, each ``/step``
    (``N/step`` runs to the end of the week, as cronie reads it)."""
    match = _ELEMENT.match(element)
    if match is None:
        raise ValueError(f"cannot read day-of-week {element!r}")
    part, step_text = match.group("range"), match.group("step")
    step = int(step_text) if step_text else 1
    if step < 1:
        raise ValueError("a step must be at least 1")
    if part == "*":
        first, last = 0, 6
    elif "-" in part:
        low, high = part.split("-")
        first, last = _day_number(low, range_end=False), _day_number(high, range_end=True)
        if first > last:
            raise ValueError(f"day-of-week range {part!r} runs backwards")
    else:
        first = _day_number(part, range_end=False)
        last = 7 if step_text else first
    return {day % 7 for day in range(first, last + 1, step)}


def translate_day_of_week(field: str) -> str:
    """Cron's day-of-week field (0/7 = Sunday, names, ranges, lists, steps) as APScheduler day
    names; ``*`` stays ``*``. :class:`ValueError` on a field cron would not accept."""
    text = field.strip().lower()
    if text in ("*", "?"):
        return "*"
    days: set[int] = set()
    for element in text.split(","):
        days |= _expand(element)
    if len(days) == 7:
        return "*"
    return ",".join(name for name in WEEK_ORDER if DAY_NAMES.index(name) in days)


class WallClockCronTrigger(CronTrigger):  # type: ignore[misc]
    """A cron trigger that fires once per wall-clock time, as cron does: on the day the clocks go
    back, a time inside the repeated hour fires at its first occurrence only (APScheduler alone
    fires it twice, e.g. a nightly 02:30 job in Europe/Berlin on the last Sunday of October).
    A time skipped by the spring change fires an hour later (APScheduler's own behaviour)."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        if previous_fire_time is None:
            return fire
        slack = timedelta(seconds=self.jitter or 0)
        for _ in range(MAX_REPEATS):
            if fire is None or not _repeats(fire, previous_fire_time, slack):
                return fire
            fire = super().get_next_fire_time(fire, fire)
        return fire


def _repeats(fire: datetime, previous: datetime, slack: timedelta) -> bool:
    """``fire`` is a wall-clock time already reached before the clocks went back."""
    earlier = previous.astimezone(fire.tzinfo)
    went_back = (fire.utcoffset() or timedelta()) < (earlier.utcoffset() or timedelta())
    return went_back and fire.replace(tzinfo=None) <= earlier.replace(tzinfo=None) + slack


def cron_trigger(expression: str, timezone: str, jitter_s: int = 0) -> CronTrigger:
    """A trigger with cron's meaning (see the module docstring); :class:`ValueError` naming
    the problem for a bad expression or zone.

    Built field by field as ``CronTrigger.from_crontab`` does, because the jitter must be part
    of the trigger: ``add_job(jitter=...)`` with a trigger instance is silently ignored."""
    zone = zone_info(timezone)
    text = MACROS.get(expression.strip().lower(), expression.strip())
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
        )
    if fields[2] not in ("*", "?") and fields[4] not in ("*", "?"):
        raise ValueError(
            "restrict either day-of-month or day-of-week, not both (cron would fire when "
            "either matches, APScheduler only when both do)"
        )
    minute, hour, day, month, weekday = fields
    return WallClockCronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=translate_day_of_week(weekday),
        timezone=zone,
        jitter=jitter_s or None,
    )


def zone_info(name: str) -> ZoneInfo:
    """The zone named ``name``; :class:`ValueError` when it is not an IANA zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name)") from None


def plan_schedule(config: AppConfig, index: int, schedule: ScheduleModel) -> SchedulePlan:
    """One schedule, validated; :class:`ConfigError` naming ``schedules.N.<field>``."""
    file = str(config.path)
    try:
        zone_info(schedule.timezone)
    except ValueError as exc:
        raise ConfigError(str(exc), file=file, field=f"schedules.{index}.timezone") from None
    try:
        trigger = cron_trigger(schedule.cron, schedule.timezone, schedule.jitter_s)
    except ValueError as exc:
        message = f"expected a cron expression, got {schedule.cron!r}: {exc}"
        raise ConfigError(message, file=file, field=f"schedules.{index}.cron") from None
    profile = None
    if schedule.profile is not None:
        profile = config.model.profiles.get(schedule.profile)
        if profile is None:
            known = ", ".join(sorted(config.model.profiles)) or "none defined"
            raise ConfigError(
                f"unknown profile {schedule.profile!r} (known: {known})",
                file=file,
                field=f"schedules.{index}.profile",
            )
    only = tuple(schedule.only) or (tuple(profile.only) if profile else ())
    return SchedulePlan(
        name=schedule.name,
        cron=schedule.cron,
        timezone=schedule.timezone,
        trigger=trigger,
        only=only,
        profile=schedule.profile,
        fail_on=profile.fail_on if profile and profile.fail_on else DEFAULT_FAIL_ON,
        recipients=tuple(schedule.recipients),
        report=schedule.report,
        email=schedule.email,
        jitter_s=schedule.jitter_s,
    )


def plan_schedules(config: AppConfig) -> tuple[SchedulePlan, ...]:
    """Every schedule of the config, validated (also rejects duplicate names)."""
    plans: list[SchedulePlan] = []
    for index, schedule in enumerate(config.model.schedules):
        if any(p.name == schedule.name for p in plans):
            raise ConfigError(
                f"duplicate schedule name {schedule.name!r}",
                file=str(config.path),
                field=f"schedules.{index}.name",
            )
        plans.append(plan_schedule(config, index, schedule))
    return tuple(plans)


def find_plan(plans: Sequence[SchedulePlan], name: str) -> SchedulePlan | None:
    """The plan called ``name``."""
    return next((p for p in plans if p.name == name), None)


def next_fire_times(plan: SchedulePlan, now: datetime, count: int = 3) -> list[datetime]:
    """The next ``count`` fire times after ``now``, in the schedule's zone (without jitter)."""
    trigger = copy.copy(plan.trigger)
    trigger.jitter = None  # the planned times, not one random draw of the jitter
    times: list[datetime] = []
    previous: datetime | None = None
    current = now.astimezone(zone_info(plan.timezone))
    for _ in range(count):
        fire: datetime | None = trigger.get_next_fire_time(previous, current)
        if fire is None:
            break
        times.append(fire)
        previous = fire
        current = fire
    return times
