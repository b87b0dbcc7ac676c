"""Delivering the report: an email with a plain-text and an HTML part and the full HTML report
attached, sent by SMTP or written as an ``.eml`` file to an outbox folder.

The CLI renders the content (``reports.render_email``) and hands it here as strings; this module
knows nothing about reports. SMTP uses STARTTLS (port 587), implicit TLS (465) or, for tests
only, no TLS; credentials come from the config (``mail.smtp.username``, ``mail.smtp.password``
as a ``${ENV}`` reference). A failed send is retried once; after that :class:`MailError` carries
one secret-free line (host, port, exception class and SMTP code, never a server's text).
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from auditor.config.loading import MailModel, SmtpModel
from auditor.core.errors import MailError
from auditor.core.private_files import private_folder

ATTACHMENT_NAME = "brand-audit-report.html"
"""File name of the attached HTML report."""

RETRY_DELAY_S = 1.0
"""Pause before the one retry."""


@dataclass(frozen=True)
class MailContent:
    """What to send: the rendered email and the report to attach."""

    subject: str
    """Subject without the configured prefix."""
    text: str
    """Plain-text body."""
    html: str
    """HTML body (inlined CSS, no script)."""
    report: Path | None = None
    """The full HTML report to attach."""


@dataclass(frozen=True)
class Delivery:
    """How a message left."""

    method: str
    """``smtp`` or ``outbox``."""
    recipients: tuple[str, ...]
    """Who it was addressed to."""
    path: Path | None = None
    """The ``.eml`` file for outbox delivery."""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def build_message(
    mail: MailModel,
    content: MailContent,
    recipients: Sequence[str] = (),
    *,
    now: datetime | None = None,
) -> EmailMessage:
    """``multipart/mixed``: a ``multipart/alternative`` (text, html) and the report attached."""
    to = list(recipients) or list(mail.to)
    message = EmailMessage()
    message["Subject"] = _one_line(f"{mail.subject_prefix} {content.subject}")
    message["From"] = mail.sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    domain = mail.sender.rsplit("@", 1)[-1].strip(">") or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    if content.report is not None:
        try:
            data = content.report.read_bytes()
        except OSError as exc:
            raise MailError(f"cannot attach {content.report}: {exc.__class__.__name__}") from None
        message.add_attachment(
            data,
            maintype="text",
            subtype="html",
            filename=ATTACHMENT_NAME,
            params={"charset": "utf-8"},
        )
    return message


def _resolve(path: Path, base_dir: Path | None) -> Path:
    return path if path.is_absolute() or base_dir is None else base_dir / path


def _tls_context(smtp: SmtpModel, base_dir: Path | None) -> ssl.SSLContext:
    cafile = str(_resolve(smtp.ca_file, base_dir)) if smtp.ca_file else None
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(
            f"mail.smtp.ca_file: cannot load {cafile} ({exc.__class__.__name__})"
        ) from None


def _send_once(
    smtp: SmtpModel, message: EmailMessage, to: Sequence[str], context: ssl.SSLContext | None
) -> dict[str, tuple[int, bytes]]:
    client: smtplib.SMTP
    if smtp.security == "tls":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_s, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    with client:
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if smtp.username:
            password = smtp.password.get_secret_value() if smtp.password else ""
            client.login(smtp.username, password)
        return client.send_message(message, to_addrs=list(to))


def _why(exc: BaseException) -> str:
    code = getattr(exc, "smtp_code", None)
    return f"{exc.__class__.__name__}" + (f" {code}" if isinstance(code, int) else "")


def send_smtp(
    smtp: SmtpModel,
    message: EmailMessage,
    to: Sequence[str],
    *,
    base_dir: Path | None = None,
    retry_delay_s: float = RETRY_DELAY_S,
) -> None:
    """Send with one retry; :class:`MailError` (one secret-free line) when both attempts fail."""
    if smtp.username and smtp.password is None:
        raise MailError("mail.smtp.password: required when mail.smtp.username is set")
    context = _tls_context(smtp, base_dir) if smtp.security != "none" else None
    where = f"{smtp.host}:{smtp.port} ({smtp.security})"
    errors: list[str] = []
    for attempt in range(2):
        if attempt:
            time.sleep(retry_delay_s)
        try:
            refused = _send_once(smtp, message, to, context)
        except (smtplib.SMTPException, OSError) as exc:
            errors.append(_why(exc))
            continue
        if refused:
            raise MailError(f"SMTP {where} refused {len(refused)} of {len(to)} recipient(s)")
        return
    reason = "; then ".join(dict.fromkeys(errors))
    raise MailError(f"could not send the report via SMTP {where} after 2 attempts: {reason}")


def write_outbox(folder: Path, message: EmailMessage, *, now: datetime | None = None) -> Path:
    """Write the message as ``<UTC timestamp>-<random>.eml`` (atomic, mode 0600)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    try:
        private_folder(folder)
        fd, name = tempfile.mkstemp(prefix=f"{stamp}-", suffix=".eml.tmp", dir=folder)
    except OSError as exc:
        raise MailError(
            f"mail.outbox: cannot write to {folder} ({exc.__class__.__name__})"
        ) from None
    tmp = Path(name)
    final = tmp.with_suffix("")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o600)
        tmp.replace(final)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise MailError(
            f"mail.outbox: cannot write to {folder} ({exc.__class__.__name__})"
        ) from None
    return final


def deliver(
    mail: MailModel,
    content: MailContent,
    recipients: Sequence[str] = (),
    *,
    base_dir: Path | None = None,
    now: datetime | None = None,
    retry_delay_s: float = RETRY_DELAY_S,
) -> Delivery:
    """Build the message and send it: to the outbox when ``mail.outbox`` is set, else by SMTP.

    ``recipients`` (e.g. a schedule's) replaces ``mail.to`` when not empty. Paths in the config
    are relative to ``base_dir`` (the config file's folder).
    """
    to = tuple(recipients) or tuple(mail.to)
    message = build_message(mail, content, to, now=now)
    if mail.outbox is not None:
        path = write_outbox(_resolve(mail.outbox, base_dir), message, now=now)
        return Delivery("outbox", to, path)
    if mail.smtp is None:
        raise MailError("mail: set either mail.smtp or mail.outbox to deliver the report")
    send_smtp(mail.smtp, message, to, base_dir=base_dir, retry_delay_s=retry_delay_s)
    return Delivery("smtp", to)
