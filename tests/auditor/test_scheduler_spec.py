"""Schedules from the config: cron's weekday numbering, zones, profiles and one-line errors."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest
from scheduler_fakes import write_config

from auditor.config.loading import load_config
from auditor.core.errors import ConfigError
from auditor.core.models import Severity
from auditor.service.schedules import (
    cron_trigger,
    next_fire_times,
    plan_schedules,
    translate_day_of_week,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday


@pytest.mark.parametrize(
    ("cron_field", "expected"),
    [
        ("0", "sun"),
        ("7", "sun"),
        ("1", "mon"),
        ("6", "sat"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0-6", "*"),
        ("0-3", "mon,tue,wed,sun"),
        ("5-7", "fri,sat,sun"),
        ("*/2", "tue,thu,sat,sun"),
        ("1-5/2", "mon,wed,fri"),
        ("1/2", "mon,wed,fri,sun"),  # cronie: 1-7/2
        ("7-7", "sun"),
        ("sat-sun", "sat,sun"),
        ("sunday", "sun"),
        ("0,3", "wed,sun"),
        ("sun", "sun"),
        ("MON-FRI", "mon,tue,wed,thu,fri"),
        ("sat,0", "sat,sun"),
        ("*", "*"),
    ],
)
def test_day_of_week_uses_cron_numbering(cron_field, expected):
    assert translate_day_of_week(cron_field) == expected


@pytest.mark.parametrize("bad", ["8", "5-2", "7-1", "funday", "1-", "*/0", ""])
def test_day_of_week_rejects_what_cron_rejects(bad):
    with pytest.raises(ValueError, match=r"day-of-week|step"):
        translate_day_of_week(bad)


@pytest.mark.parametrize("expression", ["0 9 * * 0", "0 9 * * 7", "0 9 * * sun"])
def test_sunday_expressions_fire_on_sunday_not_monday(expression):
    trigger = cron_trigger(expression, "Europe/Berlin")
    fire = trigger.get_next_fire_time(None, NOW)
    assert fire.strftime("%a %H:%M") == "Sun 09:00"
    assert fire.date().isoformat() == "2026-11-29"


def test_weekday_range_fires_monday_to_friday_in_the_schedule_zone():
    trigger = cron_trigger("30 7 * * 1-5", "America/New_York")
    fires = []
    previous = None
    current = NOW
    for _ in range(6):
        previous = trigger.get_next_fire_time(previous, current)
        current = previous
        fires.append(previous.strftime("%a %H:%M %Z"))
    assert fires == [
        "Mon 07:30 EST",
        "Tue 07:30 EST",
        "Wed 07:30 EST",
        "Thu 07:30 EST",
        "Fri 07:30 EST",
        "Mon 07:30 EST",
    ]


def test_macros_are_accepted():
    fire = cron_trigger("@weekly", "UTC").get_next_fire_time(None, NOW)
    assert fire == datetime(2026, 11, 29, 0, 0, tzinfo=fire.tzinfo)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 9 * *", "expected 5 fields"),
        ("0 9 1 * 1", "either day-of-month or day-of-week"),
        ("61 9 * * *", r"maximum value \(59\)"),
    ],
)
def test_bad_expressions_raise_value_error(expression, message):
    with pytest.raises(ValueError, match=message):
        cron_trigger(expression, "UTC")


def test_plans_carry_profile_selection_and_fail_on(tmp_path):
    path = write_config(
        tmp_path,
        schedules=[
            {"name": "gate", "cron": "0 6 * * 1", "profile": "prelaunch", "timezone": "Asia/Tokyo"},
            {"name": "nightly", "cron": "0 2 * * *", "report": "leadership", "jitter_s": 60},
        ],
        profiles={"prelaunch": {"only": ["ownership"], "fail_on": "critical"}},
    )
    gate, nightly = plan_schedules(load_config(path))
    assert (gate.only, gate.fail_on, gate.profile) == (
        ("ownership",),
        Severity.CRITICAL,
        "prelaunch",
    )
    assert next_fire_times(gate, NOW)[0].strftime("%Y-%m-%d %H:%M %Z") == "2026-11-23 06:00 JST"
    assert (nightly.only, nightly.fail_on, nightly.report, nightly.jitter_s) == (
        (),
        Severity.HIGH,
        "leadership",
        60,
    )
    assert nightly.trigger.jitter == 60  # on the trigger: add_job(jitter=) would be ignored
    assert gate.trigger.jitter is None
    times = next_fire_times(nightly, NOW, 3)
    assert [t.strftime("%d %H:%M:%S") for t in times] == [
        "23 02:00:00",
        "24 02:00:00",
        "25 02:00:00",
    ]


@pytest.mark.parametrize(
    ("schedule", "field", "words"),
    [
        ({"name": "a", "cron": "0 9 * * 8"}, "schedules.0.cron", "day-of-week 8"),
        ({"name": "a", "cron": "every day"}, "schedules.0.cron", "expected 5 fields"),
        (
            {"name": "a", "cron": "0 9 * * *", "timezone": "Mars/Olympus"},
            "schedules.0.timezone",
            "unknown time zone",
        ),
    ],
)
def test_bad_schedule_is_one_config_error_naming_the_field(tmp_path, schedule, field, words):
    config = load_config(write_config(tmp_path, schedules=[schedule]))
    with pytest.raises(ConfigError) as caught:
        plan_schedules(config)
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(f"{config.path}: {field}: ")
    assert words in line


def test_duplicate_schedule_names_are_rejected(tmp_path):
    schedules = [{"name": "a", "cron": "0 9 * * *"}, {"name": "a", "cron": "0 10 * * *"}]
    config = load_config(write_config(tmp_path, schedules=schedules))
    with pytest.raises(ConfigError, match=r"schedules\.1\.name: duplicate schedule name 'a'"):
        plan_schedules(config)


def _fires(expression: str, zone: str, start: datetime, count: int) -> list[str]:
    trigger = cron_trigger(expression, zone)
    fires, previous, now = [], None, start
    for _ in range(count):
        previous = trigger.get_next_fire_time(previous, now)
        now = previous
        fires.append(previous.astimezone(UTC).strftime("%d %H:%M UTC"))
    return fires


def test_a_time_in_the_repeated_autumn_hour_fires_once_like_cron():
    # Europe/Berlin goes back from 03:00 CEST to 02:00 CET on 2027-10-31.
    start = datetime(2027, 10, 30, 12, 0, tzinfo=UTC)
    assert _fires("30 2 * * *", "Europe/Berlin", start, 3) == [
        "31 00:30 UTC",  # 02:30 CEST; the 02:30 CET an hour later is skipped
        "01 01:30 UTC",
        "02 01:30 UTC",
    ]
    assert _fires("5 * * * *", "Europe/Berlin", datetime(2027, 10, 30, 23, 0, tzinfo=UTC), 4) == [
        "30 23:05 UTC",  # 01:05 CEST
        "31 00:05 UTC",  # 02:05 CEST
        "31 02:05 UTC",  # 03:05 CET: the repeated 02:05 CET is skipped
        "31 03:05 UTC",
    ]


def test_a_time_skipped_in_spring_still_fires_that_day():
    # Europe/Berlin jumps from 02:00 CET to 03:00 CEST on 2027-03-28: 02:30 does not exist.
    start = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    assert _fires("30 2 * * *", "Europe/Berlin", start, 3) == [
        "28 01:30 UTC",  # 03:30 CEST
        "29 00:30 UTC",
        "30 00:30 UTC",
    ]


def test_the_wall_clock_trigger_survives_the_job_store_pickle():
    trigger = cron_trigger("30 2 * * 1-5", "Europe/Berlin", 30)
    copy = pickle.loads(pickle.dumps(trigger))
    assert type(copy) is type(trigger)
    assert repr(copy) == repr(trigger)
