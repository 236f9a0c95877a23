"""Email delivery against a real SMTP server (aiosmtpd on 127.0.0.1), with a real built brief.

Every check that matters reads what the server received: the raw bytes are parsed
back with the email package, the PDF attachment is compared byte for byte with the
archived one, and the server records whether AUTH or MAIL was ever attempted.
"""
from __future__ import annotations

import email
import email.policy
import html as html_lib
import json
import logging
import socket
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from briefing.cli import cli
from briefing.config import Config, load_config
from briefing.deliver import clean_header, send, send_after_build
from briefing.errors import ConfigError
from smtp_helpers import (PASSWORD, SAMPLE_DATE, SAMPLE_TOPIC, USERNAME, SmtpServer,
                          copy_brief, free_port, self_signed_cert)

RECIPIENTS = ["alice@example.org", "bob@example.org"]
SENDER_ADDR = "briefing@example.org"
PASSWORD_ENV = "BRIEFING_TEST_SMTP_PASSWORD"


@pytest.fixture(scope="session")
def sample(seed_build: dict[str, Any]) -> Path:
    """The output folder of the session's one real `briefing build` of the seeds (conftest)."""
    return seed_build["out"]


@pytest.fixture(scope="session")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path_factory.getbasetemp() / "tls")


@pytest.fixture
def site(tmp_path: Path, sample: Path) -> Path:
    """A project folder with the sample brief copied into its output/."""
    copy_brief(sample, tmp_path / "output")
    return tmp_path


def configure(site: Path, port: int, *, security: str = "none", login: bool = False,
              recipients: list[str] = RECIPIENTS, timeout: float = 5) -> Config:
    """Write site/briefing.yaml and load it through the real config loader."""
    smtp: dict[str, Any] = {"host": "127.0.0.1", "port": port, "security": security,
                            "sender": f"Morning Brief <{SENDER_ADDR}>", "timeout": timeout}
    if login:
        smtp.update(username=USERNAME, password_env=PASSWORD_ENV)
    data = {"output": "output", "topics": [{"slug": SAMPLE_TOPIC, "title": "Seeds", "sources": [],
                                            "recipients": recipients}], "smtp": smtp}
    path = site / "briefing.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_config(path)


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def header_names(data: bytes) -> list[str]:
    """The header field names exactly as they appear in the raw bytes (continuations skipped)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    return [line.split(b":", 1)[0].decode().lower() for line in head.split(b"\r\n")
            if line and line[:1] not in (b" ", b"\t")]


def queued(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "output" / "outbox").glob("*.eml"))


def brief_json(site: Path) -> dict[str, Any]:
    return json.loads((site / "output" / SAMPLE_DATE / f"{SAMPLE_TOPIC}.json").read_text(encoding="utf-8"))


EXPECTED_HEADERS = {"subject", "from", "to", "date", "message-id", "auto-submitted", "content-type",
                    "mime-version"}


# --------------------------------------------------------------------------- a sent brief

def test_sent_brief_arrives_whole(site: Path) -> None:
    with SmtpServer() as server:
        config = configure(site, server.port)
        report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert report.ok, report.lines()
    assert [o.status for o in report.outcomes] == ["sent"]
    assert len(server.messages) == 1
    got = server.messages[0]
    assert got.mail_from == SENDER_ADDR
    assert got.rcpt_tos == RECIPIENTS
    assert max(got.data) < 128, "the message is 7-bit clean for any server"
    msg = parse(got.data)
    assert msg["Subject"] == f"Seeds - {SAMPLE_DATE}"
    assert msg["Message-ID"] == f"<briefing.{SAMPLE_TOPIC}.{SAMPLE_DATE}@example.org>"
    assert set(header_names(got.data)) == EXPECTED_HEADERS
    assert msg.get_content_type() == "multipart/mixed"

    brief = brief_json(site)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    first_bullet = " ".join(brief["summary"][0]["text"].split())[:60]
    first_question = " ".join(brief["open_questions"][0]["text"].split())[:50]
    assert "BOTTOM LINE" in text and "OPEN QUESTIONS" in text
    assert first_bullet in " ".join(text.split())
    assert first_question in " ".join(text.split())
    assert "Bottom line" in html and "Open questions" in html
    # The HTML part is escaped HTML: compare with the escaped text.
    assert html_lib.escape(first_bullet, quote=False) in " ".join(html.split())

    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    archived = (site / "output" / SAMPLE_DATE / f"{SAMPLE_TOPIC}.pdf").read_bytes()
    assert attachments[0].get_content() == archived

    assert queued(site) == []
    log = json.loads((site / "output" / "outbox" / "log.json").read_text())
    entry = log["messages"][f"{SAMPLE_TOPIC}/{SAMPLE_DATE}"]
    assert entry["status"] == "sent" and entry["accepted"] == RECIPIENTS


def test_never_twice_unless_forced(site: Path) -> None:
    with SmtpServer() as server:
        config = configure(site, server.port)
        assert send(config, SAMPLE_TOPIC, SAMPLE_DATE).ok
        again = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
        assert [o.status for o in again.outcomes] == ["skipped"] and again.ok
        assert len(server.messages) == 1 and server.handler.mail_commands == 1
        forced = send(config, SAMPLE_TOPIC, SAMPLE_DATE, force=True)
    assert [o.status for o in forced.outcomes] == ["sent"]
    assert len(server.messages) == 2
    ids = {parse(m.data)["Message-ID"] for m in server.messages}
    assert len(ids) == 1, "a resend keeps the fixed Message-ID"


def test_dry_run_writes_eml_and_sends_nothing(site: Path) -> None:
    with SmtpServer() as server:
        configure(site, server.port)
        result = CliRunner().invoke(cli, ["send", "--config", str(site / "briefing.yaml"),
                                          "--date", SAMPLE_DATE, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry-run" in result.output
    eml = site / "output" / "outbox" / "dry-run" / f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml"
    msg = parse(eml.read_bytes())
    assert msg["Subject"] == f"Seeds - {SAMPLE_DATE}"
    assert server.handler.mail_commands == 0 and server.messages == []
    assert queued(site) == [], "a dry run is not queued for the next real send"
    assert not (site / "output" / "outbox" / "log.json").exists()


# --------------------------------------------------------------------------- nothing lost

def test_server_down_keeps_message_for_the_next_run(site: Path) -> None:
    port = free_port()  # nothing listens here yet
    config = configure(site, port)
    report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert not report.ok
    assert [o.status for o in report.outcomes] == ["queued"]
    assert "127.0.0.1" in report.outcomes[0].detail
    assert queued(site) == [f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml"]

    with SmtpServer(port) as server:  # the server comes back; the next run delivers
        report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert report.ok, report.lines()
    assert [o.status for o in report.outcomes] == ["sent"]
    assert len(server.messages) == 1
    assert queued(site) == []


def test_4xx_stays_queued_and_send_retry_delivers(site: Path) -> None:
    with SmtpServer() as server:
        configure(site, server.port)
        args = ["send", "--config", str(site / "briefing.yaml"), "--date", SAMPLE_DATE]
        server.handler.data_reply = "451 4.3.0 Try again later"
        first = CliRunner().invoke(cli, args)
        assert first.exit_code == 1
        assert "queued" in first.output and "451 4.3.0" in first.output
        assert queued(site) == [f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml"]

        server.handler.data_reply = None
        retry = CliRunner().invoke(cli, ["send", "--config", str(site / "briefing.yaml"), "--retry"])
        assert retry.exit_code == 0, retry.output
        assert "sent" in retry.output
        again = CliRunner().invoke(cli, ["send", "--config", str(site / "briefing.yaml"), "--retry"])
        assert again.exit_code == 0 and "nothing to send" in again.output
    assert len(server.messages) == 1
    assert queued(site) == []


def test_a_later_day_also_flushes_an_earlier_queued_brief(site: Path, sample: Path) -> None:
    copy_brief(sample, site / "output", "2025-08-20")
    data = brief_json(site)
    data["date"] = "2025-08-20"
    (site / "output" / "2025-08-20" / f"{SAMPLE_TOPIC}.json").write_text(json.dumps(data))
    config = configure(site, free_port())
    assert not send(config, SAMPLE_TOPIC, SAMPLE_DATE).ok  # down: queued
    with SmtpServer(config.smtp.port) as server:
        report = send(config, SAMPLE_TOPIC, "2025-08-20")
    assert [(o.date, o.status) for o in report.outcomes] == [(SAMPLE_DATE, "sent"), ("2025-08-20", "sent")]
    assert sorted(parse(m.data)["Subject"] for m in server.messages) == [
        "Seeds - 2025-08-19", "Seeds - 2025-08-20"]


def test_hung_server_times_out_and_keeps_message(site: Path) -> None:
    # A listener that never says hello: the connect succeeds, the greeting never comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        config = configure(site, silent.getsockname()[1], timeout=1)
        started = time.monotonic()
        report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert time.monotonic() - started < 10
    assert [o.status for o in report.outcomes] == ["queued"]
    assert "timed out" in report.outcomes[0].detail
    assert queued(site) == [f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml"]


def test_crash_after_logging_sent_is_not_resent(site: Path) -> None:
    with SmtpServer() as server:
        config = configure(site, server.port)
        assert send(config, SAMPLE_TOPIC, SAMPLE_DATE, dry_run=True).ok
        # Simulate a kill after the log said "sent" but before the .eml was removed.
        outbox = site / "output" / "outbox"
        (outbox / "dry-run" / f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml").rename(outbox / f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml")
        (outbox / "log.json").write_text(json.dumps({"schema": "briefing-outbox/1", "messages": {
            f"{SAMPLE_TOPIC}/{SAMPLE_DATE}": {"status": "sent", "recipients": RECIPIENTS,
                                               "accepted": RECIPIENTS, "refused": {}}}}))
        report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert [o.status for o in report.outcomes] == ["skipped"]
    assert server.handler.mail_commands == 0
    assert queued(site) == []


def test_queued_message_without_log_entry_is_delivered(site: Path) -> None:
    # Killed between writing the .eml and the log: the .eml alone is enough.
    with SmtpServer() as server:
        config = configure(site, server.port)
        send(config, SAMPLE_TOPIC, SAMPLE_DATE, dry_run=True)
        outbox = site / "output" / "outbox"
        (outbox / "dry-run" / f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml").rename(outbox / f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml")
        report = send(config, None, None, retry=True)
    assert [o.status for o in report.outcomes] == ["sent"]
    assert server.messages[0].rcpt_tos == RECIPIENTS


# --------------------------------------------------------------------------- refusals

def test_550_recipient_is_reported_and_not_retried(site: Path) -> None:
    reply = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
    with SmtpServer() as server:
        server.handler.refuse_rcpt["bob@example.org"] = reply
        configure(site, server.port)
        result = CliRunner().invoke(cli, ["send", "--config", str(site / "briefing.yaml"), "--date", SAMPLE_DATE])
        assert result.exit_code == 1
        assert "bob@example.org: 550 5.1.1" in result.output
        assert [m.rcpt_tos for m in server.messages] == [["alice@example.org"]]
        log = json.loads((site / "output" / "outbox" / "log.json").read_text())
        entry = log["messages"][f"{SAMPLE_TOPIC}/{SAMPLE_DATE}"]
        assert entry["status"] == "sent" and entry["accepted"] == ["alice@example.org"]
        assert entry["refused"]["bob@example.org"].startswith("550 5.1.1")

        mails = server.handler.mail_commands
        for args in (["--retry"], ["--date", SAMPLE_DATE]):
            CliRunner().invoke(cli, ["send", "--config", str(site / "briefing.yaml"), *args])
        assert server.handler.mail_commands == mails, "a refused recipient is not retried"
    assert queued(site) == []


def test_everyone_refused_fails_once_and_is_kept_aside(site: Path) -> None:
    with SmtpServer() as server:
        for r in RECIPIENTS:
            server.handler.refuse_rcpt[r] = "550 5.7.1 Relaying denied"
        config = configure(site, server.port)
        report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
        assert [o.status for o in report.outcomes] == ["failed"] and not report.ok
        assert set(report.outcomes[0].refused) == set(RECIPIENTS)
        assert (site / "output" / "outbox" / "failed" / f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml").is_file()
        assert queued(site) == []
        mails = server.handler.mail_commands
        assert send(config, None, None, retry=True).outcomes == []
        skipped = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
        assert [o.status for o in skipped.outcomes] == ["skipped"] and "550 5.7.1" in skipped.lines()[0]
        assert server.handler.mail_commands == mails


# --------------------------------------------------------------------------- hostile titles

HOSTILE_TITLES = [
    "Talks\r\nBcc: evil@x",
    "Talks\nBcc: evil@x\n\nbody",
    "Talks\rBcc: evil@x",
    "=?utf-8?q?Talks=0D=0ABcc:_evil@x?=",
    "Ukraine =?utf-8?b?VGFsa3MNCkJjYzogZXZpbEB4?= summit",  # base64 of "Talks\r\nBcc: evil@x"
    "=?utf-8?q?=3D=3Futf-8=3Fq=3FTalks=3D0D=3D0ABcc:_evil@x=3F=3D?=",  # an encoded word in an encoded word
    "Talks\u2028Bcc: evil@x\u0085Cc: evil2@x",
    "Talks\x00\x0bBcc: evil@x",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_title_cannot_add_headers(site: Path, title: str) -> None:
    data = brief_json(site)
    data["title"] = title
    (site / "output" / SAMPLE_DATE / f"{SAMPLE_TOPIC}.json").write_text(json.dumps(data), encoding="utf-8")
    with SmtpServer() as server:
        config = configure(site, server.port)
        assert send(config, SAMPLE_TOPIC, SAMPLE_DATE).ok
    got = server.messages[0]
    assert got.rcpt_tos == RECIPIENTS
    assert set(header_names(got.data)) == EXPECTED_HEADERS
    msg = parse(got.data)
    assert msg["Bcc"] is None and msg["Cc"] is None
    assert len(msg.get_all("Subject")) == 1
    subject = str(msg["Subject"])
    assert not any(c in subject for c in "\r\n\x00\x0b\u2028\u0085")
    assert subject.endswith(f" - {SAMPLE_DATE}")
    assert "=?" not in subject, "no encoded word survives to be decoded again"


@pytest.mark.parametrize("raw, clean", [
    ("Plain title", "Plain title"),
    ("  spaced \t out\n", "spaced out"),
    ("=?utf-8?q?caf=C3=A9?= talks", "café talks"),
    ("a\r\nBcc: x", "a Bcc: x"),
    ("right\u202eto-left", "rightto-left"),
    ("=?bogus-charset?q?x?=", "= ?bogus-charset?q?x?="),
])
def test_clean_header(raw: str, clean: str) -> None:
    assert clean_header(raw) == clean


# --------------------------------------------------------------------------- TLS and credentials

@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_untrusted_certificate_fails_without_credentials(site: Path, cert: tuple[Path, Path], mode: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with SmtpServer(mode=mode, cert=cert) as server:
        config = configure(site, server.port, security=mode, login=True)
        report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert [o.status for o in report.outcomes] == ["queued"]
    assert "certificate" in report.outcomes[0].detail
    assert server.handler.auth_attempts == [], "credentials were offered to an unverified server"
    assert server.handler.mail_commands == 0 and server.messages == []
    assert queued(site) == [f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml"]


def test_starttls_not_offered_is_refused_not_downgraded(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with SmtpServer(mode="plain") as server:
        config = configure(site, server.port, security="starttls", login=True)
        report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert [o.status for o in report.outcomes] == ["queued"]
    assert "does not offer STARTTLS" in report.outcomes[0].detail
    assert server.handler.auth_attempts == [] and server.handler.mail_commands == 0


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_trusted_tls_logs_in_and_never_logs_the_password(site: Path, cert: tuple[Path, Path], mode: str,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture,
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    # OpenSSL reads SSL_CERT_FILE when ssl.create_default_context() loads the default CAs:
    # trusting the test certificate this way exercises the very same verifying code.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    caplog.set_level(logging.DEBUG)
    with SmtpServer(mode=mode, cert=cert) as server:
        config = configure(site, server.port, security=mode, login=True)
        report = send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert report.ok, report.lines()
    assert server.handler.auth_attempts == [True], "AUTH only after TLS is up"
    assert server.messages[0].tls and server.messages[0].authenticated
    out, err = capfd.readouterr()
    assert PASSWORD not in caplog.text + out + err + "\n".join(report.lines())
    assert PASSWORD not in (site / "output" / "outbox" / "log.json").read_text()


def test_missing_password_is_a_config_error_and_keeps_the_message(site: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with SmtpServer() as server:
        config = configure(site, server.port, security="none", login=True)
        with pytest.raises(ConfigError, match=PASSWORD_ENV):
            send(config, SAMPLE_TOPIC, SAMPLE_DATE)
    assert queued(site) == [f"{SAMPLE_TOPIC}-{SAMPLE_DATE}.eml"]


# --------------------------------------------------------------------------- errors and the run step

def test_missing_brief_and_missing_smtp_are_clear(site: Path) -> None:
    config = configure(site, free_port())
    result = CliRunner().invoke(cli, ["send", "--config", str(site / "briefing.yaml"), "--date", "2025-01-01"])
    assert result.exit_code == 1
    assert "no brief built for topic 'seeds' on 2025-01-01" in result.output
    config.smtp = None
    with pytest.raises(ConfigError, match="no smtp"):
        send(config, SAMPLE_TOPIC, SAMPLE_DATE)


def test_send_after_build_skips_quietly_without_email_settings(site: Path) -> None:
    config = configure(site, free_port(), recipients=[])
    assert send_after_build(config, config.topics[0], SAMPLE_DATE).outcomes == []
    assert not (site / "output" / "outbox").exists()
    with SmtpServer() as server:
        config = configure(site, server.port)
        assert send_after_build(config, config.topics[0], SAMPLE_DATE).ok
    assert len(server.messages) == 1


def test_unreadable_sent_log_stops_sending(site: Path) -> None:
    with SmtpServer() as server:
        config = configure(site, server.port)
        log_path = site / "output" / "outbox" / "log.json"
        log_path.parent.mkdir(parents=True)
        log_path.write_text("{not json")
        result = CliRunner().invoke(cli, ["send", "--config", str(site / "briefing.yaml"), "--date", SAMPLE_DATE])
    assert result.exit_code == 1 and "sent log" in result.output
    assert server.handler.mail_commands == 0
    assert log_path.read_text() == "{not json", "the damaged log is left for a person to look at"
    assert config.output == site / "output"
