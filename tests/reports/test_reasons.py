"""Generic reasons: an asset's own names replaced only where they stand alone."""

from __future__ import annotations

import pytest

from reports.reasons import replace_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("northwind is unknown.", "… is unknown."),
        ("Roles of northwind.", "Roles of …."),
        ("northwind_deals and northwind-shop stay", "northwind_deals and northwind-shop stay"),
        ("northwind.example and a.northwind stay", "northwind.example and a.northwind stay"),
        ("@northwind, northwind: twice", "@…, …: twice"),
        ("xnorthwind northwindx", "xnorthwind northwindx"),
        ("nothing to do", "nothing to do"),
    ],
)
def test_replace_name_only_where_it_stands_alone(text: str, expected: str) -> None:
    assert replace_name(text, "northwind") == expected
