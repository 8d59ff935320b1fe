"""SMTP delivery against a real aiosmtpd server on loopback: plain, STARTTLS, SSL, and failures."""

from __future__ import annotations

import base64
from email.message import EmailMessage

import pytest

from runstrength.deliver.email import SmtpSettings, send
from runstrength.errors import ConfigError, DeliveryError
from tests.deliver.conftest import (
    SMTP_PASSWORD,
    SMTP_USER,
    SMTP_WARNING,
    Cert,
    SmtpServer,
    deliver_settings,
    free_port,
)

pytestmark = pytest.mark.filterwarnings(SMTP_WARNING)
RECIPIENTS = ["ana@example.com", "coach@example.org"]


def _message() -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "Last week: 4 runs; the coming week: 2 strength sessions planned"
    msg["From"] = "runstrength <digest@example.com>"
    msg["To"] = ", ".join(RECIPIENTS)
    msg.set_content("Strength A on Monday, after your easy run.")
    return msg


def _smtp(server: SmtpServer, security: str = "none", **kw: object) -> SmtpSettings:
    fields = {"username": SMTP_USER, "password": SMTP_PASSWORD, "timeout_s": 5.0} | kw
    return SmtpSettings(server.host, server.port, security, **fields)  # type: ignore[arg-type]


def test_message_reaches_every_recipient_after_login(smtp_server: SmtpServer) -> None:
    send(_smtp(smtp_server), _message())
    [got] = smtp_server.received
    assert got.mail_from == "digest@example.com"
    assert got.rcpt_tos == RECIPIENTS
    assert (
        got.message["Subject"] == "Last week: 4 runs; the coming week: 2 strength sessions planned"
    )


def test_accepted_callback_runs_once_after_the_server_has_the_message(
    smtp_server: SmtpServer,
) -> None:
    seen: list[int] = []
    send(_smtp(smtp_server), _message(), on_accepted=lambda: seen.append(len(smtp_server.received)))
    assert seen == [1]


def test_wrong_password_says_login_refused_without_the_password(smtp_server: SmtpServer) -> None:
    wrong = "hunter2-not-it"
    with pytest.raises(DeliveryError) as err:
        send(_smtp(smtp_server, password=wrong), _message())
    text = err.value.message
    assert "refused the login" in text and SMTP_USER in text and "SMTP_PASSWORD" in text
    assert wrong not in text and base64.b64encode(wrong.encode()).decode() not in text
    assert smtp_server.received == []


def test_server_down_says_connection_refused_with_host_and_port() -> None:
    port = free_port()
    smtp = SmtpSettings("127.0.0.1", port, "none", SMTP_USER, SMTP_PASSWORD, timeout_s=2)
    with pytest.raises(DeliveryError, match=f"Connection refused by 127.0.0.1:{port}"):
        send(smtp, _message())


def test_starttls_with_a_trusted_certificate_delivers(tls_cert: Cert) -> None:
    server = SmtpServer(tls_context=tls_cert.server_context(), require_starttls=True)
    server.start()
    try:
        send(_smtp(server, "starttls", ssl_context=tls_cert.client_context()), _message())
    finally:
        server.stop()
    assert len(server.received) == 1


def test_starttls_with_an_untrusted_certificate_is_a_tls_error(tls_cert: Cert) -> None:
    server = SmtpServer(tls_context=tls_cert.server_context(), require_starttls=True)
    server.start()
    try:
        with pytest.raises(DeliveryError, match="TLS with 127.0.0.1:.* failed: .*not trusted"):
            send(_smtp(server, "starttls"), _message())  # system CAs do not know this cert
    finally:
        server.stop()
    assert server.received == []


def test_starttls_against_a_server_without_it_says_so(smtp_server: SmtpServer) -> None:
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        send(_smtp(smtp_server, "starttls"), _message())


def test_implicit_ssl_delivers(tls_cert: Cert) -> None:
    server = SmtpServer(ssl_context=tls_cert.server_context())
    server.start()
    try:
        send(_smtp(server, "ssl", ssl_context=tls_cert.client_context()), _message())
    finally:
        server.stop()
    assert len(server.received) == 1


def test_ssl_against_a_plain_server_is_a_tls_error(smtp_server: SmtpServer) -> None:
    with pytest.raises(DeliveryError, match="TLS with 127.0.0.1:.* failed") as err:
        send(_smtp(smtp_server, "ssl"), _message())
    assert SMTP_PASSWORD not in err.value.message


def test_settings_fill_the_port_from_the_security_mode(tmp_path) -> None:
    settings = deliver_settings(tmp_path, SMTP_HOST="mail.example.com", SMTP_SECURITY="ssl")
    smtp = SmtpSettings.from_settings(settings)
    assert (smtp.host, smtp.port, smtp.security) == ("mail.example.com", 465, "ssl")
    secret = SmtpSettings.from_settings(
        deliver_settings(tmp_path, SMTP_HOST="h", SMTP_PASSWORD="pw-secret-1")
    )
    assert secret.password == "pw-secret-1" and "pw-secret-1" not in repr(secret)
    with pytest.raises(ConfigError, match="SMTP_HOST"):
        SmtpSettings.from_settings(deliver_settings(tmp_path))
