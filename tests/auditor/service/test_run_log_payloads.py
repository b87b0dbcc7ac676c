"""No post text reaches the service log: debug lines of libraries that dump API answers go."""

from __future__ import annotations

import io
import logging

from auditor.service.run_log import make_handler


def test_payload_debug_lines_are_dropped_and_the_rest_kept() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("privacy-test")
    handler = make_handler(stream, "json")
    for name, level, message in (
        ("tweepy.client", logging.DEBUG, "Received API response: @hikerjen (415) 555-0142"),
        ("tweepy.client", logging.WARNING, "Rate limit exceeded"),
        ("auditor.engine.progress", logging.DEBUG, "check content.pii-exposed: 3 result(s)"),
    ):
        record = logger.makeRecord(name, level, __file__, 1, message, (), None)
        if handler.filter(record):
            handler.emit(record)
    text = stream.getvalue()
    assert "hikerjen" not in text and "555-0142" not in text
    assert "Rate limit exceeded" in text and "content.pii-exposed: 3 result(s)" in text
