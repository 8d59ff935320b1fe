"""The webhook URL is a secret (Slack, Discord and ntfy keep the token in its path): no output,
no log line at -vv and no error shows more than its scheme, host and path without the last part
(issue 24)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from click.testing import Result

from runstrength.redact import RedactUrls, redact_url
from tests.deliver.conftest import SMTP_WARNING, WebhookReceiver

pytestmark = pytest.mark.filterwarnings(SMTP_WARNING)

TOKEN = "s3cret-token"  # the last part of WebhookReceiver.url


def hook_env(receiver: WebhookReceiver) -> dict[str, str]:
    return {"WEBHOOK_URL": receiver.url, "WEBHOOK_FORMAT": "slack"}


@pytest.fixture
def synced(cli: Callable[..., Result], authorised: None) -> None:
    assert cli("sync").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("-vv", "plan", "--post"),
        ("-vv", "digest", "--send"),
        ("-vv", "doctor", "--send-test"),
        ("-vv", "doctor"),
    ],
    ids=["plan --post", "digest --send", "doctor --send-test", "doctor"],
)
def test_the_http_library_logs_the_webhook_url_redacted_at_vv(
    cli, synced, webhook_receiver: WebhookReceiver, args
) -> None:
    result = cli(*args, extra_env=hook_env(webhook_receiver))
    assert webhook_receiver.requests or args[-1] == "doctor", result.output
    assert TOKEN not in result.output
    if args[-1] != "doctor":
        assert f"127.0.0.1:{webhook_receiver.port}/hooks/…" in result.output  # still useful


@pytest.mark.parametrize("command", ["status", "doctor"])
@pytest.mark.parametrize(
    "pasted",
    [
        "hooks.slack.com/services/T0AAA/B0BBB/XyZsecretTOKEN",
        "discord.com/api/webhooks/123/XyZsecretTOKEN",
        "ntfy.sh/XyZsecretTOKEN",
    ],
)
def test_a_webhook_url_pasted_without_https_is_not_printed_back_whole(
    cli, command: str, pasted: str
) -> None:
    result = cli(command, extra_env={"WEBHOOK_URL": pasted})
    assert "WEBHOOK_URL" in result.output and "http(s) URL" in result.output
    assert "XyZsecretTOKEN" not in result.output
    assert redact_url(pasted) in result.output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.slack.com/services/T0/B0/tok", "https://hooks.slack.com/services/T0/B0/…"),
        ("https://hooks.slack.com/services/T0/B0/tok/", "https://hooks.slack.com/services/T0/B0/…"),
        ("https://discord.com/api/webhooks/1/tok", "https://discord.com/api/webhooks/1/…"),
        ("https://ntfy.sh/topic", "https://ntfy.sh/…"),
        ("https://user:pw@ntfy.example/topic?auth=x", "https://ntfy.example/…"),
        ("https://user:pw@ntfy.example", "https://ntfy.example/…"),
        ("https://example.com", "https://example.com"),
        ("hooks.slack.com/services/T0/B0/tok", "hooks.slack.com/services/T0/B0/…"),
    ],
)
def test_redaction_keeps_scheme_and_host_and_hides_the_last_part(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_the_filter_redacts_http_library_records_only() -> None:
    url = "https://hooks.slack.com/services/T0/B0/tok"
    record = logging.LogRecord(
        "httpx", logging.INFO, "", 0, "HTTP Request: %s %s", ("POST", url), None
    )
    RedactUrls().filter(record)
    assert record.getMessage() == "HTTP Request: POST https://hooks.slack.com/services/T0/B0/…"
    ours = logging.LogRecord("runstrength.x", logging.INFO, "", 0, "see %s", ("a",), None)
    RedactUrls().filter(ours)
    assert ours.getMessage() == "see a"
