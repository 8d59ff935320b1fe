"""Send one message over SMTP (starttls, ssl or none); smtplib's errors become DeliveryError.

Messages name what failed (connection, TLS, login, recipients) and the server, never the password.
"""

from __future__ import annotations

import base64
import errno
import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from runstrength.config import Settings
from runstrength.errors import ConfigError, DeliveryError

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT_S = 30.0  # per socket operation; a stuck server fails the attempt, the outbox retries


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "ssl", "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = TIMEOUT_S
    # None: the system's trusted CAs with hostname checks. Tests pass one that trusts their cert.
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSettings:
        if not settings.smtp_host:
            raise ConfigError(
                "SMTP_HOST", "is not set; put the mail server's name, e.g. smtp.example.com"
            )
        security = settings.smtp_security
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port or DEFAULT_PORTS[security],
            security=security,
            username=settings.smtp_username,
            password=settings.smtp_password,
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def send(
    smtp: SmtpSettings, message: EmailMessage, on_accepted: Callable[[], None] | None = None
) -> None:
    """Send `message` to the addresses in its headers; raise DeliveryError saying what failed.

    :param on_accepted: called as soon as the server has accepted the message, before QUIT, so the
        caller can record it as sent with the smallest possible window for a duplicate.
    """
    try:
        conn = _connect(smtp)
    except (OSError, smtplib.SMTPException) as e:
        raise _error(smtp, e, "connect") from None
    try:
        try:
            _login(conn, smtp)
            refused = conn.send_message(message)
        except (OSError, smtplib.SMTPException) as e:
            raise _error(smtp, e, "send") from None
        if on_accepted is not None:
            on_accepted()
        if refused:
            # Accepted for the others: sending again would give them a second copy, so only warn.
            log.warning("the mail server %s refused %s", smtp.where, ", ".join(sorted(refused)))
    finally:
        _close(conn)


def verify_login(smtp: SmtpSettings) -> None:
    """Connect, secure and log in as `send` does, then quit without sending (`doctor`)."""
    try:
        conn = _connect(smtp)
    except (OSError, smtplib.SMTPException) as e:
        raise _error(smtp, e, "connect") from None
    try:
        _login(conn, smtp)
        conn.noop()
    except (OSError, smtplib.SMTPException) as e:
        raise _error(smtp, e, "login") from None
    finally:
        _close(conn)


def _context(smtp: SmtpSettings) -> ssl.SSLContext:
    return smtp.ssl_context or ssl.create_default_context()


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout_s, context=_context(smtp)
        )
    conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_s)
    if smtp.security == "starttls":
        try:
            conn.starttls(context=_context(smtp))
        except BaseException:
            _close(conn)
            raise
    return conn


def _login(conn: smtplib.SMTP, smtp: SmtpSettings) -> None:
    if smtp.username:
        conn.login(smtp.username, smtp.password or "")


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()


def _error(smtp: SmtpSettings, e: BaseException, stage: str) -> DeliveryError:
    """Turn an smtplib/socket/ssl error into one sentence with the fix, without the password."""
    where = smtp.where
    if isinstance(e, smtplib.SMTPAuthenticationError):
        text = (
            f"The mail server {where} refused the login for '{smtp.username}' "
            f"({e.smtp_code}). Check SMTP_USERNAME and SMTP_PASSWORD."
        )
    elif isinstance(e, smtplib.SMTPNotSupportedError) and stage == "connect":
        text = f"The mail server {where} does not offer STARTTLS. Set SMTP_SECURITY=ssl (port 465)."
    elif isinstance(e, smtplib.SMTPNotSupportedError):
        text = f"The mail server {where} does not offer a login. Leave SMTP_USERNAME empty."
    elif isinstance(e, ssl.SSLCertVerificationError):
        text = f"TLS with {where} failed: the certificate was not trusted ({e.verify_message})."
    elif isinstance(e, ssl.SSLError):
        text = (
            f"TLS with {where} failed ({e.reason or e.__class__.__name__}). "
            "Check SMTP_SECURITY (ssl for port 465, starttls for 587) and SMTP_PORT."
        )
    elif isinstance(e, socket.gaierror):
        text = f"Cannot find the mail server '{smtp.host}'. Check SMTP_HOST."
    elif isinstance(e, ConnectionRefusedError):
        text = (
            f"Connection refused by {where}. "
            "Is the mail server up, and are SMTP_HOST and SMTP_PORT right?"
        )
    elif isinstance(e, TimeoutError):
        text = f"The mail server {where} did not answer within {smtp.timeout_s:.0f} s."
    elif isinstance(e, smtplib.SMTPRecipientsRefused):
        text = f"The mail server {where} refused every recipient. Check EMAIL_TO."
    elif isinstance(e, smtplib.SMTPSenderRefused):
        text = f"The mail server {where} refused the sender '{e.sender}'. Check EMAIL_FROM."
    elif isinstance(e, smtplib.SMTPServerDisconnected):
        text = f"The mail server {where} closed the connection ({stage}): {e}."
    elif isinstance(e, smtplib.SMTPResponseException):
        text = f"The mail server {where} answered {e.smtp_code}: {_decode(e.smtp_error)}."
    else:
        text = f"Sending mail through {where} failed ({stage}): {e.__class__.__name__}: {e}."
    return DeliveryError(_scrub(text, smtp.password, smtp.username), try_later=_is_outage(e))


def _is_outage(e: BaseException) -> bool:
    """The server is down, unreachable or said "try again" (4xx): nothing for the runner to fix."""
    if isinstance(e, socket.gaierror):
        return e.errno == socket.EAI_AGAIN  # DNS not answering; a wrong name is for SMTP_HOST
    if isinstance(e, smtplib.SMTPResponseException):
        return 400 <= e.smtp_code < 500
    if isinstance(e, ssl.SSLError):
        return False
    return (
        isinstance(e, ConnectionError | TimeoutError | smtplib.SMTPServerDisconnected)
        or getattr(e, "errno", None) in OUTAGE_ERRNOS
    )


OUTAGE_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


def _decode(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _scrub(text: str, password: str | None, username: str | None) -> str:
    # A server may echo what it got (AUTH LOGIN's base64 password, AUTH PLAIN's base64
    # "\0user\0password"): never let the secret through in any of those forms.
    if not password:
        return text
    plain = f"\0{username or ''}\0{password}".encode()
    for secret in (
        password,
        base64.b64encode(password.encode()).decode(),
        base64.b64encode(plain).decode(),
    ):
        text = text.replace(secret, "***")
    return text
