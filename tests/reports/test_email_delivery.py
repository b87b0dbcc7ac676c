"""End to end: render the report and the email, send them through a local STARTTLS server, and
read the message back."""

from __future__ import annotations

import email
import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller

from auditor.config.loading import MailModel
from auditor.core.errors import MailError
from auditor.core.private_files import write_private_text
from auditor.service.mailer import MailContent, deliver
from reports import build_view, iter_html, render_email
from tests.reports import factories as F


class Inbox:
    def __init__(self) -> None:
        self.fail = False
        self.attempts = 0
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.fail:
            return "451 4.3.0 Try again later"
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture()
def smtp(tmp_path: Path) -> Iterator[tuple[Inbox, MailModel]]:
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=server_ctx, require_starttls=True
    )
    controller.start()
    mail = MailModel.model_validate(
        {
            "from": "brand-audit@northwind.example",
            "to": ["leadership@northwind.example"],
            "smtp": {
                "host": "127.0.0.1",
                "port": port,
                "security": "starttls",
                "ca_file": "ca.pem",
                "timeout_s": 5,
            },
        }
    )
    try:
        yield inbox, mail
    finally:
        controller.stop()


def test_report_email_round_trip(tmp_path: Path, smtp: tuple[Inbox, MailModel]) -> None:
    inbox, mail = smtp
    view = build_view(F.make_run(), F.history())
    report = write_private_text(tmp_path / "report.html", iter_html(view, F.check_infos()))
    rendered = render_email(view)
    deliver(
        mail, MailContent(rendered.subject, rendered.text, rendered.html, report), base_dir=tmp_path
    )
    (raw,) = inbox.received
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "[brand-audit] " + rendered.subject
    assert "4 critical, 1 high open; 3 new; 1 regressed; 1 resolved" in message["Subject"]
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "NEW CRITICAL AND HIGH (3)" in text.get_content()
    body = html.get_content().lower()
    assert "<script" not in body and "<svg" not in body
    (attachment,) = message.iter_attachments()
    assert attachment.get_payload(decode=True) == report.read_bytes()
    assert attachment.get_content() == report.read_text(encoding="utf-8")
    before_attachment = len(text.as_bytes()) + len(html.as_bytes())
    assert before_attachment < 100_000


def test_failing_server_keeps_the_report(tmp_path: Path, smtp: tuple[Inbox, MailModel]) -> None:
    inbox, mail = smtp
    inbox.fail = True
    view = build_view(F.make_run())
    report = write_private_text(tmp_path / "report.html", iter_html(view, F.check_infos()))
    rendered = render_email(view)
    with pytest.raises(MailError, match="after 2 attempts: SMTPDataError 451"):
        deliver(
            mail,
            MailContent(rendered.subject, rendered.text, rendered.html, report),
            base_dir=tmp_path,
            retry_delay_s=0,
        )
    assert inbox.attempts == 2
    assert report.exists() and report.stat().st_size > 10_000
