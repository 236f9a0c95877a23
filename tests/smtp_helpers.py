"""Shared test parts for delivery and the archive, all real:

* ``SmtpServer``: an aiosmtpd server on 127.0.0.1 that records what it received
  (raw bytes, envelope, whether AUTH or MAIL was ever tried and over TLS or not),
  and can refuse recipients or answer DATA with a chosen reply;
* ``self_signed_cert``: a certificate for 127.0.0.1 made with ``cryptography``;
* ``copy_brief``: copies the session's one real build of the seeds (``seed_build`` in
  conftest.py) into a test's own output folder, so no test builds again.
"""
from __future__ import annotations

import datetime as dt
import functools
import shutil
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_DATE = "2025-08-19"
SAMPLE_TOPIC = "seeds"  # `build --input seeds` names the topic after the folder
USERNAME = "briefing-user"
PASSWORD = "s3cret-Pa55word-never-logged"


# --------------------------------------------------------------------------- SMTP server

@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes  # exactly the bytes after DATA
    tls: bool
    authenticated: bool


@dataclass
class Recorder:
    """The aiosmtpd handler: records messages and commands; refusals are set by tests."""

    messages: list[Received] = field(default_factory=list)
    auth_attempts: list[bool] = field(default_factory=list)  # one per AUTH: was TLS up?
    mail_commands: int = 0
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply ("550 ...")
    data_reply: str | None = None  # e.g. "451 4.3.0 try later" to refuse at DATA

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        data = envelope.original_content or envelope.content
        self.messages.append(Received(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
                                      data=bytes(data), tls=_over_tls(server),
                                      authenticated=bool(session.authenticated)))
        return "250 2.0.0 Ok: queued"


def _over_tls(server: SMTP) -> bool:
    """Whether this session runs over TLS (after STARTTLS, or implicit TLS from the start)."""
    return server.transport is not None and server.transport.get_extra_info("ssl_object") is not None


class _RecordingSMTP(SMTP):
    """aiosmtpd's SMTP, noting every AUTH and MAIL command before handling it."""

    @functools.wraps(SMTP.smtp_AUTH)
    async def smtp_AUTH(self, arg: str) -> None:
        self.event_handler.auth_attempts.append(_over_tls(self))
        await super().smtp_AUTH(arg)

    @functools.wraps(SMTP.smtp_MAIL)
    async def smtp_MAIL(self, arg: str) -> None:
        self.event_handler.mail_commands += 1
        await super().smtp_MAIL(arg)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _RecordingSMTP(self.handler, **self.SMTP_kwargs)


def _check_login(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: Any) -> AuthResult:
    ok = auth_data.login == USERNAME.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


class SmtpServer:
    """A real SMTP server on 127.0.0.1; ``mode`` is plain, starttls or ssl.

    With a certificate, STARTTLS (or implicit TLS) is offered and AUTH is accepted
    only over TLS, as a real submission server does.
    """

    def __init__(self, port: int = 0, *, mode: str = "plain", cert: tuple[Path, Path] | None = None) -> None:
        self.handler = Recorder()
        self.port = port or free_port()
        kwargs: dict[str, Any] = {"server_hostname": "mail.test", "authenticator": _check_login,
                                  "auth_require_tls": True}
        ssl_context = None
        if mode != "plain":
            assert cert is not None, "TLS modes need a certificate"
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*cert)
            if mode == "starttls":
                kwargs["tls_context"] = context
            else:
                ssl_context = context
                # aiosmtpd only counts STARTTLS as TLS for AUTH; with implicit TLS it is always on.
                kwargs["auth_require_tls"] = False
        self.controller = _Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                      ssl_context=ssl_context, **kwargs)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


def free_port() -> int:
    """A port nothing listens on right now (for 'server down' and fresh servers)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- TLS

def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1 and localhost; returns (cert, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


# --------------------------------------------------------------------------- briefs

def copy_brief(sample: Path, output: Path, date: str = SAMPLE_DATE) -> Path:
    """Copy the sample brief's files into ``output/date/``; return that folder."""
    target = output / date
    target.mkdir(parents=True, exist_ok=True)
    for ext in ("html", "pdf", "json"):
        shutil.copy2(sample / SAMPLE_DATE / f"{SAMPLE_TOPIC}.{ext}", target / f"{SAMPLE_TOPIC}.{ext}")
    return target
