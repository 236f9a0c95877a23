"""Email a built brief, through an outbox on disk so that nothing is lost or sent twice.

The life of one message (one topic, one date)::

    OUTPUT/DATE/TOPIC.{json,pdf}  --build_message-->  OUTPUT/outbox/TOPIC-DATE.eml  (queued)
        --SMTP accepted-->  log.json says "sent", then the .eml is removed
        --4xx / server down-->  stays queued; the next `send` (or `send --retry`) tries again
        --5xx / recipient refused-->  log.json keeps the server's reply; the .eml moves to
                                      outbox/failed/ and is not retried without --force

``OUTPUT/outbox/log.json`` is the sent log: a brief is never emailed twice for the same
topic and date unless ``force`` is given. The log is written before the .eml is removed,
so a crash in between is noticed on the next run instead of sending again. The only
window for a duplicate is a kill between the server's "250 OK" and the log write; the
fixed Message-ID lets mail clients fold such a duplicate away.

Security: TLS always verifies the server (``ssl.create_default_context()``); with
``security: starttls`` a server that does not offer STARTTLS is refused rather than
used in plain text; every connection has a timeout; the password is read from the
environment variable the config names and is never logged. Titles come from articles,
so every header value is cleaned before it reaches the message (see ``clean_header``).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import email.header
import email.policy
import email.utils
import json
import logging
import os
import re
import smtplib
import ssl
import textwrap
import unicodedata
import zoneinfo
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Callable, Iterator

from .config import Config, SmtpConfig, TopicConfig
from .errors import BriefingError, ConfigError, InputError, OutputError
from .models import Brief, brief_from_json
from .writer import atomic_write, safe_output_path

log = logging.getLogger(__name__)

OUTBOX = "outbox"
FAILED = "failed"
DRY_RUN = "dry-run"
LOG_NAME = "log.json"
LOG_SCHEMA = "briefing-outbox/1"
HTML_TEMPLATE = "email.html.j2"
TEXT_TEMPLATE = "email.txt.j2"
SUMMARY_LIMIT = 5  # bullets of the bottom line in the email body
QUESTION_LIMIT = 5  # open questions in the email body
ITEM_CHARS = 400  # one bullet's length in the email body
DEFAULT_SENDER = "briefing@localhost"  # for --dry-run without an smtp: block
LOCK_TIMEOUT = 300.0  # seconds to wait for another `briefing send` to finish
_EML_RE = re.compile(r"^(?P<topic>[a-z0-9][a-z0-9-]{0,63})-(?P<date>\d{4}-\d{2}-\d{2})\.eml$")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
# Bidirectional overrides can make a subject read differently from what it says.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))
# SMTP policy (CRLF line ends), and 7-bit bodies so any server accepts them without 8BITMIME.
POLICY = email.policy.SMTP.clone(cte_type="7bit")


class DeliveryError(BriefingError):
    """Some message was not delivered (queued for a retry, or refused by the server)."""


class _Temporary(Exception):
    """The server or the network failed in a way a later attempt may not (connection, 4xx, TLS)."""


# --------------------------------------------------------------------------- report

@dataclass
class Outcome:
    """What happened to one message in this run."""

    topic: str
    date: str
    status: str  # sent | queued | failed | skipped | dry-run | held (an empty brief, not mailed by `run`)
    detail: str = ""
    path: Path | None = None
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # recipient -> the server's reply

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "skipped", "dry-run") and not self.refused

    def line(self) -> str:
        """One line for the terminal: 'sent   white-house-talks 2025-08-19: to 3 recipients'."""
        text = f"{self.status:<7} {self.topic} {self.date}"
        parts = [self.detail] if self.detail else []
        if self.refused:
            parts.append("refused " + "; ".join(f"{r}: {reply}" for r, reply in self.refused.items()))
        return text + (": " + "; ".join(parts) if parts else "")


@dataclass
class SendReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when everything asked for was sent (or skipped as already sent, or a dry run)."""
        return all(o.ok for o in self.outcomes)

    def lines(self) -> list[str]:
        return [o.line() for o in self.outcomes] or ["nothing to send"]


# --------------------------------------------------------------------------- headers

def clean_header(value: str, limit: int = 200) -> str:
    """``value`` made safe for a header: one line, no encoded words, no control characters.

    Python's email package decodes RFC 2047 encoded words in a value it is given and
    has been seen to write a decoded CR LF back out raw, which adds a header. So the
    encoded words are decoded here, every control and line-separator character becomes
    a space, and any "=?" left (nested encodings) is broken up so nothing downstream
    can decode it again.
    """
    text = str(value)
    with suppress(Exception):  # an invalid charset or encoding: keep the raw text, cleaned below
        text = str(email.header.make_header(email.header.decode_header(text)))
    chars = (" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text.translate(_BIDI))
    text = " ".join("".join(chars).split())
    text = text.replace("=?", "= ?")
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "\u2026"
    return text


def _set_header(msg: EmailMessage, name: str, value: str) -> None:
    """Set a header and check that what the policy stored is still one line."""
    msg[name] = value
    stored = str(msg[name])
    if "\r" in stored or "\n" in stored:  # defence in depth: never reached with clean_header
        raise ConfigError(f"refusing a {name} header that would span lines: {value!r}")


def _domain(sender: str) -> str:
    """The domain of the sender's address, for the Message-ID (a safe fallback otherwise)."""
    _, address = email.utils.parseaddr(sender)
    domain = address.rpartition("@")[2]
    return domain if re.fullmatch(r"[A-Za-z0-9.-]{1,253}", domain or "") else "briefing.localhost"


def message_id(topic: str, date: str, sender: str) -> str:
    """The fixed Message-ID of one topic's brief of one date (the same on every resend)."""
    return f"<briefing.{topic}.{date}@{_domain(sender)}>"


def envelope_sender(sender: str) -> str:
    """The bare address for MAIL FROM, refusing a sender that is not one plain address."""
    _, address = email.utils.parseaddr(sender)
    if not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+", address or "") or any(c in sender for c in "\r\n"):
        raise ConfigError(f"smtp.sender: not an email address: {sender!r}")
    return address


# --------------------------------------------------------------------------- message

def _environments(templates: Path | None) -> tuple[Any, Any]:
    """Jinja environments for the HTML part (autoescaped) and the text part (plain text)."""
    import jinja2

    from .render import make_environment, template_dirs

    folders = template_dirs(templates)
    html_env = make_environment(folders)  # autoescape=True, StrictUndefined
    text_env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(f) for f in folders]),
                                  autoescape=False, undefined=jinja2.StrictUndefined,
                                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    text_env.filters["bullet"] = lambda s: textwrap.fill(str(s), width=72, initial_indent="- ",
                                                         subsequent_indent="  ")
    return html_env, text_env


def _body_context(brief: Brief, title: str, attachment: str) -> dict[str, Any]:
    """What both body templates show: the bottom line and the open questions, clipped."""
    from .render import clip, long_date, question_label

    questions = [(question_label(q)[0], clip(q.text, ITEM_CHARS)) for q in brief.open_questions]
    return {
        "title": title, "date": brief.date, "date_long": long_date(brief.date),
        "summary": [clip(i.text, ITEM_CHARS) for i in brief.summary[:SUMMARY_LIMIT]],
        "questions": questions[:QUESTION_LIMIT],
        "more_questions": max(0, len(questions) - QUESTION_LIMIT),
        "attachment": attachment, "n_sources": len(brief.sources),
    }


def _render_bodies(context: dict[str, Any], templates: Path | None) -> tuple[str, str]:
    import jinja2

    html_env, text_env = _environments(templates)
    try:
        html = html_env.get_template(HTML_TEMPLATE).render(**context)
        text = text_env.get_template(TEXT_TEMPLATE).render(**context)
    except jinja2.TemplateError as exc:
        raise ConfigError(f"email template error: {exc}") from None
    return html, text


def build_message(brief: Brief, pdf: bytes, *, sender: str, recipients: list[str],
                  title: str | None = None, templates: Path | None = None,
                  now: dt.datetime | None = None) -> EmailMessage:
    """The email for one brief: text and HTML bodies and the PDF as ``TOPIC-DATE.pdf``."""
    title = clean_header(title or brief.title or brief.topic)
    attachment = f"{brief.topic}-{brief.date}.pdf"  # slug and ISO date: never from a title
    html, text = _render_bodies(_body_context(brief, title, attachment), templates)
    msg = EmailMessage(policy=POLICY)
    _set_header(msg, "Subject", f"{title} - {brief.date}")
    _set_header(msg, "From", sender)
    if recipients:
        _set_header(msg, "To", ", ".join(recipients))
    _set_header(msg, "Date", email.utils.format_datetime(now or dt.datetime.now(dt.timezone.utc)))
    _set_header(msg, "Message-ID", message_id(brief.topic, brief.date, sender))
    # RFC 3834: tells vacation responders not to answer a scheduled mailing.
    _set_header(msg, "Auto-Submitted", "auto-generated")
    msg.set_content(text, subtype="plain", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=attachment)
    return msg


def _load_brief(output: Path, topic: str, date: str) -> tuple[Brief, bytes]:
    """The brief's JSON (the contract) and its PDF bytes, from OUTPUT/DATE/TOPIC.*."""
    json_path = safe_output_path(output, date, f"{topic}.json")
    pdf_path = safe_output_path(output, date, f"{topic}.pdf")
    try:
        brief = brief_from_json(json.loads(json_path.read_text(encoding="utf-8")))
        pdf = pdf_path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{exc.filename}: no brief built for topic {topic!r} on {date}; "
                         f"run `briefing build --topic {topic} --date {date}` first") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{json_path}: cannot read the brief: {exc}") from None
    if brief.topic != topic or brief.date != date:
        raise InputError(f"{json_path}: holds topic {brief.topic!r} of {brief.date}, not {topic!r} of {date}")
    return brief, pdf


# --------------------------------------------------------------------------- outbox

def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Outbox:
    """OUTPUT/outbox: queued .eml files, failed/ and dry-run/ copies, and the sent log."""

    def __init__(self, output: Path) -> None:
        self.output = Path(output)
        self.root = safe_output_path(self.output, OUTBOX)
        self.log_path = safe_output_path(self.output, OUTBOX, LOG_NAME)
        self.messages: dict[str, dict[str, Any]] = {}

    def path(self, topic: str, date: str, folder: str | None = None) -> Path:
        name = f"{topic}-{date}.eml"
        return safe_output_path(self.output, OUTBOX, *([folder] if folder else []), name)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One sender at a time (the scheduler and a manual run), so nothing goes out twice."""
        from filelock import FileLock, Timeout

        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / ".lock"), timeout=LOCK_TIMEOUT)
        try:
            with lock:
                self.load()
                yield
        except Timeout:
            raise DeliveryError(f"{self.root}: another `briefing send` has held the outbox for "
                                f"{LOCK_TIMEOUT:.0f}s; try again later") from None

    def load(self) -> None:
        """Read the sent log; an unreadable log stops sending (it is what prevents duplicates)."""
        try:
            data = json.loads(self.log_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.messages = {}
            return
        except (OSError, ValueError) as exc:
            raise OutputError(f"{self.log_path}: cannot read the sent log ({exc}); fix or move it "
                              "aside, knowing that messages it lists may then be sent again") from None
        if not isinstance(data, dict) or not isinstance(data.get("messages"), dict):
            raise OutputError(f"{self.log_path}: not a briefing sent log")
        self.messages = data["messages"]

    def save(self) -> None:
        data = {"schema": LOG_SCHEMA, "messages": dict(sorted(self.messages.items()))}
        atomic_write(self.log_path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

    def queued(self) -> list[tuple[str, str, Path]]:
        """(topic, date, path) of every queued .eml, oldest date first."""
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.iterdir():
            match = _EML_RE.match(path.name)
            # Only regular files: a symlink or folder named like a message is not ours to send.
            if match and path.is_file() and not path.is_symlink():
                found.append((match["topic"], match["date"], path))
        return sorted(found, key=lambda t: (t[1], t[0]))


def _key(topic: str, date: str) -> str:
    return f"{topic}/{date}"


def _recipients_of(eml: Path) -> list[str]:
    """The To addresses of a queued message whose log entry is missing (crash after queuing)."""
    from email.parser import BytesParser

    msg = BytesParser(policy=email.policy.default).parsebytes(eml.read_bytes(), headersonly=True)
    return [addr for _, addr in email.utils.getaddresses(msg.get_all("To", [])) if addr]


# --------------------------------------------------------------------------- SMTP

def _password(smtp: SmtpConfig) -> str | None:
    """The SMTP password from the environment variable named by ``smtp.password_env``."""
    if not smtp.username:
        return None
    if not smtp.password_env:
        raise ConfigError("smtp.password_env: name the environment variable that holds the password "
                          "for smtp.username (the password never goes in the config file)")
    password = os.environ.get(smtp.password_env)
    if not password:
        raise ConfigError(f"smtp.password_env: environment variable {smtp.password_env} is not set")
    return password


def _reply(code: int, message: bytes | str) -> str:
    """A server reply as one short line: '550 5.1.1 User unknown'."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"[:300]


def connect(smtp: SmtpConfig) -> smtplib.SMTP:
    """An authenticated SMTP connection with the configured security; raise _Temporary if it fails.

    Credentials are sent only after TLS is up (or with ``security: none`` to a loopback relay).
    """
    password = _password(smtp)
    if smtp.security == "none" and smtp.username and smtp.host not in _LOOPBACK:
        raise ConfigError(f"smtp.security: none would send the password for {smtp.host} in clear text; "
                          "use starttls or ssl")
    where = f"{smtp.host}:{smtp.port}"
    context = ssl.create_default_context()  # verifies the certificate and the host name
    conn: smtplib.SMTP | None = None
    try:
        if smtp.security == "ssl":
            conn = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        conn.ehlo()
        if smtp.security == "starttls":
            if not conn.has_extn("starttls"):
                raise _Temporary(f"{where} does not offer STARTTLS; refusing to send in plain text "
                                 "(smtp.security is starttls)")
            conn.starttls(context=context)
            conn.ehlo()
        if smtp.username and password is not None:
            conn.login(smtp.username, password)
        return conn
    except BaseException as exc:
        if conn is not None:
            with suppress(Exception):
                conn.close()
        if isinstance(exc, _Temporary):
            raise
        if isinstance(exc, ssl.SSLCertVerificationError):
            raise _Temporary(f"{where}: TLS certificate not trusted ({exc.verify_message})") from None
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            raise _Temporary(f"{where}: login refused for {smtp.username}: {_reply(exc.smtp_code, exc.smtp_error)}") from None
        if isinstance(exc, smtplib.SMTPResponseException):
            raise _Temporary(f"{where}: {_reply(exc.smtp_code, exc.smtp_error)}") from None
        if isinstance(exc, OSError):  # refused, timed out, TLS failures, disconnects
            raise _Temporary(f"{where}: {exc.strerror or exc or type(exc).__name__}") from None
        raise


@dataclass
class _Attempt:
    accepted: list[str]
    permanent: dict[str, str]  # refused for good (5xx)
    temporary: dict[str, str]  # refused for now (4xx)
    broken: bool = False  # the connection is gone


def _transmit(conn: smtplib.SMTP, sender: str, recipients: list[str], data: bytes) -> _Attempt:
    """Hand one message to the server; sort every recipient into accepted, 5xx or 4xx."""
    try:
        refused = conn.sendmail(sender, recipients, data)
    except smtplib.SMTPRecipientsRefused as exc:  # nobody accepted
        refused = exc.recipients
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:  # the whole message
        reply = _reply(exc.smtp_code, exc.smtp_error)
        bucket = {r: reply for r in recipients}
        if exc.smtp_code >= 500:
            return _Attempt([], bucket, {})
        return _Attempt([], {}, bucket, broken=exc.smtp_code == 421)
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        reason = f"connection lost: {exc.strerror or exc or type(exc).__name__}"
        return _Attempt([], {}, {r: reason for r in recipients}, broken=True)
    permanent = {r: _reply(c, m) for r, (c, m) in refused.items() if c >= 500}
    temporary = {r: _reply(c, m) for r, (c, m) in refused.items() if c < 500}
    return _Attempt([r for r in recipients if r not in refused], permanent, temporary)


# --------------------------------------------------------------------------- sending

class _Sender:
    """Delivers queued messages over one SMTP connection, opened when first needed."""

    def __init__(self, smtp: SmtpConfig, outbox: Outbox) -> None:
        self.smtp = smtp
        self.outbox = outbox
        self.from_addr = envelope_sender(smtp.sender)
        self.conn: smtplib.SMTP | None = None
        self.down: str | None = None  # why the server cannot be reached this run

    def close(self) -> None:
        if self.conn is not None:
            with suppress(Exception):
                self.conn.quit()
            self.conn = None

    def _connection(self) -> smtplib.SMTP:
        if self.down:
            raise _Temporary(self.down)
        if self.conn is None:
            try:
                self.conn = connect(self.smtp)
            except _Temporary as exc:
                self.down = str(exc)  # do not hammer a dead server once per message
                raise
        return self.conn

    def deliver(self, topic: str, date: str, path: Path) -> Outcome | None:
        """Try one queued message; update the log; return what happened (None: nothing to do)."""
        key = _key(topic, date)
        entry = self.outbox.messages.get(key)
        if not isinstance(entry, dict):  # queued, then killed before the log was written
            entry = self.outbox.messages[key] = _new_entry(_recipients_of(path), "")
        for name, empty in (("recipients", list), ("accepted", list), ("refused", dict)):
            if not isinstance(entry.get(name), empty):  # a hand-edited log: start from the .eml
                entry[name] = _recipients_of(path) if name == "recipients" else empty()
        if entry.get("status") in ("sent", "failed"):
            self._settle(entry, path)  # killed between the log write and the file move
            return None
        done = set(entry["accepted"]) | set(entry["refused"])
        pending = [r for r in entry["recipients"] if r not in done]
        outcome = Outcome(topic, date, "queued", path=path)
        if pending:
            try:
                conn = self._connection()
            except _Temporary as exc:
                entry["last_error"] = outcome.detail = str(exc)
                return outcome
            log.info("sending %s %s to %d recipient(s) via %s:%d", topic, date, len(pending),
                     self.smtp.host, self.smtp.port)
            entry["attempts"] = int(entry.get("attempts", 0)) + 1
            entry["last_attempt"] = _now()
            attempt = _transmit(conn, self.from_addr, pending, path.read_bytes())
            if attempt.broken:
                self.close()
            entry["accepted"] += attempt.accepted
            entry["refused"].update(attempt.permanent)
            outcome.accepted, outcome.refused = attempt.accepted, attempt.permanent
            if attempt.temporary:
                entry["last_error"] = outcome.detail = "will retry: " + "; ".join(
                    f"{r}: {reply}" for r, reply in attempt.temporary.items())
                self.outbox.save()
                return outcome
        entry["status"] = "sent" if entry["accepted"] else "failed"
        entry["finished"] = _now()
        entry.pop("last_error", None)
        self.outbox.save()  # before the .eml goes: a crash now is noticed, not resent
        self._settle(entry, path)
        outcome.status = entry["status"]
        if entry["status"] == "sent":
            outcome.detail = f"to {len(entry['accepted'])} recipient(s)"
            outcome.path = None
        else:
            outcome.detail = f"not retried; the message is kept in {OUTBOX}/{FAILED}/"
            outcome.path = self.outbox.path(topic, date, FAILED)
        return outcome

    def _settle(self, entry: dict[str, Any], path: Path) -> None:
        """Take a finished message out of the queue: delete it if sent, keep a failed one aside."""
        if entry.get("status") == "sent":
            path.unlink(missing_ok=True)
            return
        match = _EML_RE.match(path.name)
        assert match is not None
        target = self.outbox.path(match["topic"], match["date"], FAILED)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)


def _new_entry(recipients: list[str], mid: str) -> dict[str, Any]:
    return {"status": "queued", "queued": _now(), "message_id": mid, "recipients": list(recipients),
            "accepted": [], "refused": {}, "attempts": 0}


def _require_smtp(config: Config) -> SmtpConfig:
    if config.smtp is None:
        raise ConfigError(f"{config.path}: no smtp: block; add one (host, port, security, sender) to send email")
    return config.smtp


def _today(config: Config) -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(config.timezone)).date()


def _compose(config: Config, topic: TopicConfig, date: str) -> tuple[EmailMessage, list[str]]:
    if not topic.recipients:
        raise ConfigError(f"{config.path}: topic {topic.slug!r} has no recipients")
    brief, pdf = _load_brief(config.output, topic.slug, date)
    sender = config.smtp.sender if config.smtp else DEFAULT_SENDER
    msg = build_message(brief, pdf, sender=sender, recipients=topic.recipients,
                        title=brief.title or topic.title, templates=config.templates)
    return msg, list(topic.recipients)


def _enqueue(config: Config, topic: TopicConfig, date: str, outbox: Outbox, force: bool) -> Outcome | None:
    """Write TOPIC-DATE.eml to the outbox unless it was sent already; an Outcome if skipped."""
    key = _key(topic.slug, date)
    entry = outbox.messages.get(key)
    if entry and not force:
        if entry.get("status") == "sent":
            when = entry.get("finished") or "before"
            return Outcome(topic.slug, date, "skipped", f"already sent {when}; use --force to send it again")
        if entry.get("status") == "failed":
            return Outcome(topic.slug, date, "skipped", refused=dict(entry.get("refused") or {}),
                           detail="refused earlier; use --force to try again")
        if entry.get("accepted"):
            return None  # part-delivered: keep the queued message for the rest, as it was
    msg, recipients = _compose(config, topic, date)
    path = outbox.path(topic.slug, date)
    atomic_write(path, msg.as_bytes())
    fresh = _new_entry(recipients, str(msg["Message-ID"]))
    if entry and entry.get("status") == "queued":  # re-queued (server still down): keep its history
        fresh.update({k: entry[k] for k in ("queued", "attempts", "last_error") if k in entry})
    outbox.messages[key] = fresh
    outbox.save()
    log.info("queued %s", path)
    return None


def _iso_date(date: dt.date | str | None) -> str | None:
    """'YYYY-MM-DD' from a date or a string; it becomes part of file names, so it is checked."""
    if date is None or isinstance(date, dt.date):
        return date.isoformat() if date else None
    try:
        return dt.date.fromisoformat(str(date)).isoformat()
    except ValueError:
        raise InputError(f"{date!r} is not a date in YYYY-MM-DD form") from None


def send(config: Config, topic_slug: str | None, date: dt.date | str | None, *, force: bool = False,
         dry_run: bool = False, retry: bool = False) -> SendReport:
    """Email one topic's brief of one date, and whatever is still queued in the outbox.

    ``force`` sends again what was already sent (or refused); ``dry_run`` only writes
    OUTPUT/outbox/dry-run/TOPIC-DATE.eml; ``retry`` sends only what is queued (limited to
    ``topic_slug`` and ``date`` when given) without queuing anything new.
    """
    date_str = _iso_date(date)
    outbox = Outbox(config.output)
    if dry_run:
        return SendReport([_dry_run(config, topic_slug, date_str or _today(config).isoformat(), outbox)])
    smtp = _require_smtp(config)
    with outbox.locked():
        outcomes: list[Outcome] = []
        if retry:
            wanted = _selector(topic_slug, date_str)
        else:
            topic = config.topic(topic_slug)
            skipped = _enqueue(config, topic, date_str or _today(config).isoformat(), outbox, force)
            if skipped:
                outcomes.append(skipped)
            wanted = _selector(None, None)  # a run also sends what earlier runs left queued
        outcomes += _flush(smtp, outbox, wanted)
    for outcome in outcomes:
        log.info("%s", outcome.line())  # the CLI prints the report; the log keeps it for the scheduler
    return SendReport(outcomes)


def _selector(topic: str | None, date: str | None) -> Callable[[str, str], bool]:
    """Which queued messages to send: those of ``topic`` and ``date`` (None: any)."""
    return lambda t, d: (topic is None or t == topic) and (date is None or d == date)


def _flush(smtp: SmtpConfig, outbox: Outbox, wanted: Callable[[str, str], bool]) -> list[Outcome]:
    """Try every queued message ``wanted`` selects, over one connection."""
    sender = _Sender(smtp, outbox)
    outcomes = []
    try:
        for topic, date, path in outbox.queued():
            if wanted(topic, date):
                outcome = sender.deliver(topic, date, path)
                if outcome:
                    outcomes.append(outcome)
    finally:
        sender.close()
        outbox.save()
    return outcomes


def _dry_run(config: Config, topic_slug: str | None, date: str, outbox: Outbox) -> Outcome:
    """Write the message to outbox/dry-run/ (outside the queue) and send nothing."""
    topic = config.topic(topic_slug)
    msg, recipients = _compose(config, topic, date)
    path = outbox.path(topic.slug, date, DRY_RUN)
    atomic_write(path, msg.as_bytes())
    detail = f"wrote {path}; would send to {', '.join(recipients)}"
    with suppress(BriefingError):
        outbox.load()
        if outbox.messages.get(_key(topic.slug, date), {}).get("status") == "sent":
            detail += " (already sent: a real send skips it without --force)"
    return Outcome(topic.slug, date, "dry-run", detail, path=path)


def send_after_build(config: Config, topic: TopicConfig | str, date: dt.date | str,
                     output: Path | None = None) -> SendReport:
    """The send step of `briefing run` (and the scheduler): email the brief just built.

    A topic without recipients, or a config without an smtp: block, is not an error
    here (the brief is still built and archived); it is logged and skipped. ``output``
    is the folder the brief was built into, when not the config's.
    """
    slug = topic if isinstance(topic, str) else topic.slug
    recipients = config.topic(slug).recipients
    if config.smtp is None or not recipients:
        log.info("not emailing %s: %s", slug, "no smtp: block" if config.smtp is None else "no recipients")
        return SendReport()
    if output is not None and Path(output) != config.output:
        config = dataclasses.replace(config, output=Path(output))
    held = _hold_empty(config, slug, _iso_date(date) or _today(config).isoformat())
    if held is not None:
        return SendReport([held])
    return send(config, slug, date)


def _hold_empty(config: Config, slug: str, date: str) -> Outcome | None:
    """An outcome "held" when the brief says nothing (no bottom line, decision or open question):
    an unattended run must not mail a blank page as if all were well. `briefing send` still can."""
    try:
        brief, _ = _load_brief(config.output, slug, date)
    except InputError:
        return None  # send() reports the missing brief itself
    if brief.summary or brief.decisions or brief.open_questions:
        return None
    log.warning("not emailing %s %s: the brief has no bottom line, decisions or open questions", slug, date)
    return Outcome(slug, date, "held", "the brief has no bottom line, decisions or open questions; not emailed "
                                       f"(`briefing send --topic {slug} --date {date}` sends it anyway)")
