"""Mail delivery against a real local SMTP server (aiosmtpd, STARTTLS with a throwaway CA)."""

from __future__ import annotations

import email
import socket
import ssl
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from auditor.config.loading import MailModel, SmtpModel
from auditor.core.errors import MailError
from auditor.service.mailer import ATTACHMENT_NAME, MailContent, build_message, deliver

SECRET = "s3cr3t-smtp-pass"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """Keeps every message; fails DATA when ``fail`` is set."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.attempts = 0
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.fail:
            return "554 5.3.0 Transaction failed"
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"reports"
        and auth_data.password == SECRET.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_ctx, ca_file


def start(
    handler: Recorder, tls: tuple[ssl.SSLContext, Path] | None, *, implicit: bool = False
) -> Controller:
    port = free_port()
    kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": port}
    if tls and implicit:
        # aiosmtpd does not count implicit TLS as TLS for AUTH; the socket is TLS from byte one
        kwargs.update(
            ssl_context=tls[0],
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=False,
        )
    elif tls:
        kwargs.update(
            tls_context=tls[0],
            require_starttls=True,
            authenticator=authenticator,
            auth_required=True,
        )
    controller = Controller(handler, **kwargs)
    controller.start()
    return controller


def mail_config(port: int, security: str, ca_file: Path | None, **extra: Any) -> MailModel:
    smtp = SmtpModel(
        host="127.0.0.1",
        port=port,
        security=security,  # type: ignore[arg-type]
        username="reports" if security != "none" else None,
        password=SecretStr(SECRET) if security != "none" else None,
        timeout_s=5,
        ca_file=ca_file,
    )
    return MailModel.model_validate(
        {
            "from": "brand-audit@northwind.example",
            "to": ["ciso@northwind.example"],
            "smtp": smtp,
            **extra,
        }
    )


@pytest.fixture()
def content(tmp_path: Path) -> MailContent:
    report = tmp_path / "report.html"
    report.write_text("<!DOCTYPE html><title>r</title><p>full report</p>", encoding="utf-8")
    return MailContent(
        subject="Northwind: 2 critical, 1 high open · 3 new · 1 resolved · score 41",
        text="Risk score 41\nNEW CRITICAL AND HIGH (3)\n",
        html="<html><body><table><tr><td>New critical</td></tr></table></body></html>",
        report=report,
    )


def parse(envelope: Any) -> EmailMessage:
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def test_starttls_delivery_with_auth(
    tls: tuple[ssl.SSLContext, Path], content: MailContent
) -> None:
    recorder = Recorder()
    controller = start(recorder, tls)
    try:
        mail = mail_config(controller.port, "starttls", tls[1])
        result = deliver(mail, content, ["cfo@northwind.example", "ciso@northwind.example"])
    finally:
        controller.stop()
    assert result.method == "smtp"
    assert result.recipients == ("cfo@northwind.example", "ciso@northwind.example")
    (envelope,) = recorder.messages
    assert envelope.rcpt_tos == ["cfo@northwind.example", "ciso@northwind.example"]
    message = parse(envelope)
    assert message["Subject"].startswith("[brand-audit] Northwind: 2 critical, 1 high open")
    assert message.get_body(("plain",)).get_content().startswith("Risk score 41")  # type: ignore[union-attr]
    assert "New critical" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [ATTACHMENT_NAME]
    assert attachments[0].get_content() == content.report.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert SECRET not in envelope.content.decode("utf-8", "replace")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_delivery(tls: tuple[ssl.SSLContext, Path], content: MailContent) -> None:
    recorder = Recorder()
    controller = start(recorder, tls, implicit=True)
    try:
        deliver(mail_config(controller.port, "tls", tls[1]), content)
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
    assert recorder.messages[0].rcpt_tos == ["ciso@northwind.example"]


def test_failing_server_is_retried_once_then_mail_error(
    tls: tuple[ssl.SSLContext, Path], content: MailContent
) -> None:
    recorder = Recorder(fail=True)
    controller = start(recorder, tls)
    try:
        with pytest.raises(MailError) as caught:
            deliver(mail_config(controller.port, "starttls", tls[1]), content, retry_delay_s=0)
    finally:
        controller.stop()
    assert recorder.attempts == 2
    line = str(caught.value)
    assert "\n" not in line and SECRET not in line
    assert "SMTPDataError 554" in line and f"127.0.0.1:{controller.port}" in line
    assert content.report is not None and content.report.exists()


def test_wrong_password_is_one_clear_line(
    tls: tuple[ssl.SSLContext, Path], content: MailContent
) -> None:
    controller = start(Recorder(), tls)
    try:
        mail = mail_config(controller.port, "starttls", tls[1])
        wrong = mail.model_copy(
            update={"smtp": mail.smtp.model_copy(update={"password": SecretStr("nope-x")})}
        )  # type: ignore[union-attr]
        with pytest.raises(MailError, match="SMTPAuthenticationError 535") as caught:
            deliver(wrong, content, retry_delay_s=0)
    finally:
        controller.stop()
    assert "nope-x" not in str(caught.value)


def test_untrusted_certificate_fails_closed(
    tls: tuple[ssl.SSLContext, Path], content: MailContent
) -> None:
    recorder = Recorder()
    controller = start(recorder, tls)
    try:
        with pytest.raises(MailError, match="SSLCertVerificationError"):
            deliver(mail_config(controller.port, "starttls", None), content, retry_delay_s=0)
    finally:
        controller.stop()
    assert recorder.messages == []


def test_connection_refused_raises_mail_error(content: MailContent) -> None:
    mail = mail_config(free_port(), "none", None)
    with pytest.raises(MailError, match="after 2 attempts: ConnectionRefusedError"):
        deliver(mail, content, retry_delay_s=0)


def test_plain_server_for_tests(content: MailContent) -> None:
    recorder = Recorder()
    controller = start(recorder, None)
    try:
        deliver(mail_config(controller.port, "none", None), content)
    finally:
        controller.stop()
    assert parse(recorder.messages[0])["To"] == "ciso@northwind.example"


def test_outbox_writes_eml(tmp_path: Path, content: MailContent) -> None:
    mail = MailModel.model_validate(
        {
            "from": "brand-audit@northwind.example",
            "to": ["ciso@northwind.example"],
            "outbox": "outbox",
        }
    )
    result = deliver(mail, content, base_dir=tmp_path)
    assert result.method == "outbox" and result.path is not None
    assert result.path.parent == tmp_path / "outbox" and result.path.suffix == ".eml"
    assert result.path.stat().st_mode & 0o777 == 0o600
    message = email.message_from_bytes(result.path.read_bytes(), policy=default_policy)
    assert message["Subject"].startswith("[brand-audit] Northwind")
    assert [a.get_filename() for a in message.iter_attachments()] == [ATTACHMENT_NAME]  # type: ignore[attr-defined]


def test_no_transport_configured(content: MailContent) -> None:
    mail = MailModel.model_validate({"from": "a@northwind.example", "to": ["b@northwind.example"]})
    with pytest.raises(MailError, match=r"mail\.smtp or mail\.outbox"):
        deliver(mail, content)


def test_missing_attachment_is_mail_error(tmp_path: Path) -> None:
    mail = MailModel.model_validate({"from": "a@northwind.example", "to": ["b@northwind.example"]})
    with pytest.raises(MailError, match="cannot attach"):
        build_message(mail, MailContent("s", "t", "<p>h</p>", tmp_path / "gone.html"))


def test_subject_cannot_inject_headers() -> None:
    mail = MailModel.model_validate({"from": "a@northwind.example", "to": ["b@northwind.example"]})
    message = build_message(mail, MailContent("x\r\nBcc: evil@example.com", "t", "<p>h</p>"))
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
