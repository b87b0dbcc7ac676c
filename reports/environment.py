"""The Jinja environment of the reports: autoescape on (plain-text templates excepted),
StrictUndefined, templates from the package. Built per call; nothing is cached at module level."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def oneline(value: object) -> str:
    """Collapse all whitespace (newlines included) to single spaces: for plain-text lines and
    headers, so hostile text cannot start a line of its own."""
    return " ".join(str(value).split())


def make_environment() -> Environment:
    """A fresh environment for one rendering."""
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2", "html"),
            disabled_extensions=("txt.j2",),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["oneline"] = oneline
    return env
