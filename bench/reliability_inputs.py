"""Item 1, bad input: generated malformed configs and record files through the real CLI.

Every case (:mod:`bench.reliability_input_cases`, :mod:`bench.reliability_record_cases`) is
written to its own folder beside valid copies of the other files and run through
``auditor.cli.main(["validate", ...])`` in-process (stdout and stderr captured, a timer against
hangs); cases that must be refused are also run through ``run``; a handful go through a real
subprocess (``python -m auditor``) under a memory limit, including YAML alias bombs and deep
nesting. What must hold: no traceback and no exception out of ``main``; exit 2 with exactly ONE
stderr line naming the file (and the field, where one is known), free of control characters;
refused input never accepted; valid-but-odd input exits 0, 1 or 3; nothing takes over 20 s.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench import reliability_inputs_base as base
from bench.reliability_input_cases import Case, config_cases, dump
from bench.reliability_record_cases import record_cases
from bench.reliability_tally import Tally

CASE_TIMEOUT_S = 20
"""A case taking longer than this is a hang."""

MAX_LINE = 1_000
"""An error line longer than this is not a clear line (it echoes a huge value)."""

FILES = {
    "config": "config.yaml",
    "directory": "people.csv",
    "register": "register.csv",
    "bitwarden": "vault.json",
    "onepassword": "vault.csv",
}
"""File name per case target."""


class CaseTimeout(Exception):
    """Raised by the alarm when a case hangs."""


@dataclass(frozen=True)
class Outcome:
    """What one CLI call did."""

    code: int | None
    """Exit code (None: an exception escaped)."""
    stdout: str
    """Captured stdout."""
    stderr: str
    """Captured stderr."""
    escaped: str | None = None
    """The traceback of an exception that escaped ``main``."""
    seconds: float = 0.0
    """Wall time."""


def write_case(case: Case, folder: Path) -> Path:
    """The case's file plus valid copies of the others; returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FILES["directory"]).write_text(base.DIRECTORY, encoding="utf-8")
    (folder / FILES["register"]).write_text(base.REGISTER, encoding="utf-8")
    (folder / FILES["bitwarden"]).write_text(base.BITWARDEN, encoding="utf-8")
    (folder / FILES["onepassword"]).write_text(base.ONEPASSWORD, encoding="utf-8")
    config = folder / FILES["config"]
    config.write_bytes(dump(base.base_config(case.vault)))
    (folder / FILES[case.target]).write_bytes(case.data)
    return config


@contextlib.contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def ring(_signum: int, _frame: FrameType | None) -> None:
        raise CaseTimeout(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call_main(argv: list[str], cwd: Path) -> Outcome:
    """``auditor.cli.main(argv)`` in-process with captured output, from ``cwd``."""
    from auditor.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    here = Path.cwd()
    os.chdir(cwd)
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            _alarm(CASE_TIMEOUT_S),
        ):
            code = main(argv)
        return Outcome(code, out.getvalue(), err.getvalue(), None, time.monotonic() - started)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
        return Outcome(code, out.getvalue(), err.getvalue(), None, time.monotonic() - started)
    except BaseException:  # the property under test: nothing may escape main()
        return Outcome(
            None,
            out.getvalue(),
            err.getvalue(),
            traceback.format_exc(limit=-3),
            time.monotonic() - started,
        )
    finally:
        os.chdir(here)


def call_subprocess(
    argv: list[str], cwd: Path, memory_mb: int = 1_500, timeout_s: float = CASE_TIMEOUT_S
) -> Outcome:
    """``python -m auditor ARGV`` in a child with an address-space limit and a timeout."""

    def limit() -> None:
        cap = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "auditor", *argv],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            preexec_fn=limit,
            errors="replace",
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(None, "", "", f"no answer within {timeout_s:.0f} s", timeout_s)
    return Outcome(done.returncode, done.stdout, done.stderr, None, time.monotonic() - started)


def violations(case: Case, outcome: Outcome, file_name: str, folder: str = "\0") -> list[str]:
    """Every way ``outcome`` breaks the bad-input contract for ``case``."""
    if outcome.escaped is not None:
        last = outcome.escaped.strip().splitlines()[-1][:200]
        return [f"exception escaped main(): {last}"]
    problems: list[str] = []
    if "Traceback" in outcome.stderr or "Traceback" in outcome.stdout:
        tail = outcome.stderr.strip().splitlines()[-1][:200] if outcome.stderr.strip() else ""
        problems.append(f"traceback printed: {tail}")
    if outcome.seconds > CASE_TIMEOUT_S:
        problems.append(f"took {outcome.seconds:.0f} s")
    if outcome.code == 2:
        problems += _line_problems(case, outcome.stderr, file_name, folder)
    elif outcome.code in (0, 1, 3):
        if case.invalid:
            problems.append(f"accepted input that must be refused (exit {outcome.code})")
    else:
        problems.append(f"exit {outcome.code} (expected 2, or 0/1/3 for valid input)")
    return problems


def _line_problems(case: Case, stderr: str, file_name: str, folder: str) -> list[str]:
    """The one-line contract; naming any file of the case's ``folder`` counts as naming the
    file (a truncated config may point at a record file that does not exist)."""
    lines = stderr.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != 1:
        return [f"{len(lines)} stderr lines instead of one: {stderr[:160]!r}"]
    line = lines[0]
    problems: list[str] = []
    if file_name not in line and folder not in line and "--" not in line:
        problems.append(f"error line does not name the file {file_name}: {line[:160]!r}")
    if case.hint and not any(word in line for word in case.hint.split("|")):
        problems.append(f"error line does not name the field {case.hint!r}: {line[:160]!r}")
    if len(line) > MAX_LINE:
        problems.append(f"error line is {len(line)} characters long")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in line):
        problems.append(f"control characters in the error line: {line[:120]!r}")
    return problems


def check_case(case: Case, folder: Path, tally: Tally, *, also_run: bool) -> int | None:
    """Run one case through ``validate`` (and ``run`` when it must be refused); returns the
    exit code of ``validate``."""
    config = write_case(case, folder)
    name = FILES[case.target]
    outcome = call_main(["validate", "--config", str(config)], folder)
    anywhere = f"{folder}/" if case.target == "config" else "\0"  # config: any file it names
    problems = violations(case, outcome, name, anywhere)
    if also_run and case.invalid and case.run_too and not problems and outcome.code == 2:
        ran = call_main(
            ["run", "--config", str(config), "--out", str(folder / "out"), "--quiet"], folder
        )
        problems += [f"run: {p}" for p in violations(case, ran, name, anywhere)]
    if (folder / "PWNED").exists():
        problems.append("a YAML tag ran code (PWNED file created)")
    tally.check(not problems, problems[0] if problems else "", f"{case.label}")
    return outcome.code


def run_generated(tally: Tally, count: int, root: Path) -> None:
    """Draw ``count`` cases (about 55 % configs, 45 % record files) and check each."""
    counter = [0]
    classes: Counter[str] = Counter()

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(st.one_of(config_cases(), config_cases(), record_cases()))
    def each(case: Case) -> None:
        counter[0] += 1
        folder = root / f"case{counter[0]:05d}"
        code = check_case(case, folder, tally, also_run=counter[0] % 7 == 0)
        classes[f"{'must refuse' if case.invalid else 'valid-but-odd'} -> exit {code}"] += 1
        shutil.rmtree(folder, ignore_errors=True)

    each()
    tally.notes.append(", ".join(f"{k}: {v}" for k, v in sorted(classes.items())))


SUBPROCESS_CASES: tuple[tuple[str, bytes], ...] = (
    (
        "alias bomb (9 levels of 9)",
        "\n".join(
            ["k0: &l0 [x, x, x, x, x, x, x, x, x]"]
            + [f"k{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]
        ).encode(),
    ),
    ("deep flow nesting", b"organization: " + b"[" * 50_000 + b"]" * 50_000 + b"\n"),
    ("deep block nesting", "".join(f"{' ' * i}k{i}:\n" for i in range(0, 3000, 1)).encode()),
    ("5000-digit integer", b"version: " + b"9" * 5000 + b"\n"),
    ("bare impossible date", dump(base.base_config()).replace(b"2026-11-01", b"2026-13-01")),
    ("newline and ESC in a key", b'version: 1\n"a\\nb\\e[31m": 1\n'),
    ("python tag", b"version: !!python/object/apply:os.system ['touch PWNED']\n"),
    ("utf-16 config", dump(base.base_config()).decode().encode("utf-16")),
    ("NUL in a record path", dump(base.base_config()).replace(b"people.csv", b'"a\\0b"')),
)
"""Cases run in a child process (a hang or a memory blow-up must not take the bench down)."""


def run_subprocess_cases(tally: Tally, root: Path, limit: int | None = None) -> None:
    """The :data:`SUBPROCESS_CASES` (the first ``limit``) through ``validate`` in a child."""
    for index, (label, data) in enumerate(SUBPROCESS_CASES[:limit]):
        case = Case(f"subprocess: {label}", "config", data, True)
        folder = root / f"sub{index:02d}"
        config = write_case(case, folder)
        outcome = call_subprocess(["validate", "--config", str(config)], folder)
        named = "a\\x00b" if "NUL" in label else FILES["config"]  # the record file is named
        problems = violations(case, outcome, named)
        if (folder / "PWNED").exists():
            problems.append("a YAML tag ran code (PWNED file created)")
        tally.check(not problems, problems[0] if problems else "", label)


def bad_input(count: int, subprocess_cases: int | None = None) -> Tally:
    """Item 1 with ``count`` generated cases and the subprocess cases."""
    tally = Tally("1 bad input")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rel-input-") as tmp:
        run_generated(tally, count, Path(tmp))
        run_subprocess_cases(tally, Path(tmp), subprocess_cases)
    tally.notes.append(f"{tally.tried} inputs in {time.monotonic() - started:.0f} s")
    return tally
