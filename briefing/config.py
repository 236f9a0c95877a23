"""Load and validate ``config/briefing.yaml``.

Every problem is reported at once, each with its key path, before anything runs
(as MkDocs does). Relative paths resolve against the config file's own folder so
the same file works from any working directory, cron included.
"""
from __future__ import annotations

import ipaddress
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .errors import ConfigError

DEFAULT_CONFIG = Path("config/briefing.yaml")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SOURCE_KINDS = ("folder", "feed", "page")


@dataclass
class SourceSpec:
    kind: str  # folder | feed | page
    value: str  # an absolute path for folders, a URL otherwise


@dataclass
class TopicConfig:
    slug: str
    title: str
    sources: list[SourceSpec]
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    window_hours: float = 48.0
    schedule: str | None = None
    recipients: list[str] = field(default_factory=list)


@dataclass
class SmtpConfig:
    host: str
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password_env: str | None = None
    sender: str = "briefing@localhost"
    timeout: float = 30.0


@dataclass
class FetchConfig:
    """How sources are fetched over HTTP (see briefing.fetch)."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # a whole response, so a trickling server cannot hold a run
    max_bytes: int = 10 * 1024 * 1024  # decompressed body
    workers: int = 8  # article pages fetched at once per feed
    # Private, loopback and link-local addresses are refused unless allowed here.
    allow_private_addresses: bool = False
    allow_networks: list[str] = field(default_factory=list)  # CIDRs, e.g. an intranet's 10.1.0.0/16


@dataclass
class Config:
    path: Path
    timezone: str = "UTC"
    output: Path = Path("output")
    paper: str = "A4"
    templates: Path | None = None
    store: str = ""
    retention_days: int | None = None
    catch_up_hours: float = 6.0
    lock_wait_seconds: float = 30.0
    fetch: FetchConfig = field(default_factory=FetchConfig)
    topics: list[TopicConfig] = field(default_factory=list)
    smtp: SmtpConfig | None = None

    def topic(self, slug: str | None) -> TopicConfig:
        """The named topic, or the only/first one when no name is given."""
        if slug is None:
            if not self.topics:
                raise ConfigError(f"{self.path}: no topics configured")
            return self.topics[0]
        for topic in self.topics:
            if topic.slug == slug:
                return topic
        known = ", ".join(t.slug for t in self.topics) or "none"
        raise ConfigError(f"{self.path}: no topic {slug!r} (known: {known})")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys instead of keeping the last one."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Errors:
    """Collects problems as 'key.path: message' so all are reported together."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "list",
            dict: "mapping", type(None): "empty"}.get(type(value), type(value).__name__)


def _expect(value: Any, kind: type | tuple, path: str, errors: _Errors, hint: str = "") -> bool:
    # bool is an int in Python; YAML 1.1 reads `no`/`yes` as booleans, so refuse them for numbers.
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, float, (int, float)))
    if not ok:
        want = kind.__name__ if isinstance(kind, type) else "number"
        want = {"str": "string", "int": "integer", "float": "number", "list": "list", "dict": "mapping"}.get(want, want)
        errors.add(path, f"expected a {want}, got {_type_name(value)} {value!r}{hint}")
    return ok


def _check_keys(data: dict, allowed: set[str], path: str, errors: _Errors) -> None:
    for key in data:
        if key not in allowed:
            errors.add(f"{path}{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _resolve(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


_QUOTE_HINT = " (quote it: YAML reads some bare values as numbers or booleans)"


def _strings(value: Any, path: str, errors: _Errors) -> list[str]:
    if not _expect(value, list, path, errors):
        return []
    out = []
    for i, item in enumerate(value):
        if _expect(item, str, f"{path}[{i}]", errors, _QUOTE_HINT):
            out.append(item)
    return out


def _source(data: Any, base: Path, path: str, errors: _Errors) -> SourceSpec | None:
    if not _expect(data, dict, path, errors):
        return None
    kinds = [k for k in SOURCE_KINDS if k in data]
    _check_keys(data, set(SOURCE_KINDS), path + ".", errors)
    if len(kinds) != 1:
        errors.add(path, "needs exactly one of folder, feed, page")
        return None
    kind = kinds[0]
    value = data[kind]
    if not _expect(value, str, f"{path}.{kind}", errors, _QUOTE_HINT):
        return None
    if kind == "folder":
        return SourceSpec(kind, str(_resolve(base, value)))
    if not re.match(r"^https?://", value):
        errors.add(f"{path}.{kind}", f"must be an http(s) URL, got {value!r}")
        return None
    return SourceSpec(kind, value)


_CRON_RE = re.compile(r"^\S+(\s+\S+){4,5}$")  # 6 fields: a leading seconds field


def _topic(data: Any, base: Path, path: str, errors: _Errors) -> TopicConfig | None:
    if not _expect(data, dict, path, errors):
        return None
    allowed = {"slug", "title", "sources", "include", "exclude", "window", "schedule", "recipients"}
    _check_keys(data, allowed, path + ".", errors)
    slug, title = data.get("slug"), data.get("title")
    ok = True
    if slug is None or not _expect(slug, str, f"{path}.slug", errors, _QUOTE_HINT) or not SLUG_RE.match(slug):
        if isinstance(slug, str) or slug is None:
            errors.add(f"{path}.slug", "required: lowercase letters, digits and dashes")
        ok = False
    if title is None:
        title = slug if isinstance(slug, str) else ""
    elif not _expect(title, str, f"{path}.title", errors, _QUOTE_HINT):
        ok = False
    sources_raw = data.get("sources", [])
    sources = []
    if _expect(sources_raw, list, f"{path}.sources", errors):
        for i, s in enumerate(sources_raw):
            spec = _source(s, base, f"{path}.sources[{i}]", errors)
            if spec:
                sources.append(spec)
    window = data.get("window", 48)
    if _expect(window, (int, float), f"{path}.window", errors, " (hours)") and window <= 0:
        errors.add(f"{path}.window", "must be a positive number of hours")
    schedule = data.get("schedule")
    if schedule is not None and _expect(schedule, str, f"{path}.schedule", errors, _QUOTE_HINT):
        if not _CRON_RE.match(schedule.strip()):
            errors.add(f"{path}.schedule", f"expected a 5-field cron expression like \"0 6 * * 1-5\", got {schedule!r}")
    recipients = _strings(data.get("recipients", []), f"{path}.recipients", errors)
    for i, r in enumerate(recipients):
        if not re.match(r"^[^@\s<>]+@[^@\s<>]+$", r):
            errors.add(f"{path}.recipients[{i}]", f"not an email address: {r!r}")
    if not ok:
        return None
    return TopicConfig(
        slug=slug, title=title, sources=sources,
        include=_strings(data.get("include", []), f"{path}.include", errors),
        exclude=_strings(data.get("exclude", []), f"{path}.exclude", errors),
        window_hours=float(window) if isinstance(window, (int, float)) and not isinstance(window, bool) else 48.0,
        schedule=schedule, recipients=recipients)


def _smtp(data: Any, errors: _Errors) -> SmtpConfig | None:
    if data is None:
        return None
    if not _expect(data, dict, "smtp", errors):
        return None
    allowed = {"host", "port", "security", "username", "password_env", "sender", "timeout"}
    _check_keys(data, allowed, "smtp.", errors)
    host = data.get("host")
    if not isinstance(host, str) or not host:
        errors.add("smtp.host", "required: the SMTP server's host name")
        return None
    security = data.get("security", "starttls")
    if security not in ("starttls", "ssl", "none"):
        errors.add("smtp.security", f"must be starttls, ssl or none, got {security!r}")
    port = data.get("port", 465 if security == "ssl" else 587)
    _expect(port, int, "smtp.port", errors)
    for key in ("username", "password_env", "sender"):
        if data.get(key) is not None:
            _expect(data[key], str, f"smtp.{key}", errors, _QUOTE_HINT)
    if "password" in data:
        errors.add("smtp.password", "never put the password in the file: set password_env to an environment variable's name")
    timeout = data.get("timeout", 30)
    _expect(timeout, (int, float), "smtp.timeout", errors)
    return SmtpConfig(host=host, port=port if isinstance(port, int) else 587, security=security,
                      username=data.get("username"), password_env=data.get("password_env"),
                      sender=data.get("sender") or "briefing@localhost",
                      timeout=float(timeout) if isinstance(timeout, (int, float)) else 30.0)


def _fetch(data: Any, errors: _Errors) -> FetchConfig:
    cfg = FetchConfig()
    if data is None or not _expect(data, dict, "fetch", errors):
        return cfg
    numbers = ("connect_timeout", "read_timeout", "total_timeout", "max_bytes", "workers")
    _check_keys(data, {*numbers, "allow_private_addresses", "allow_networks"}, "fetch.", errors)
    for key in numbers:
        value = data.get(key)
        if value is None:
            continue
        if _expect(value, (int, float), f"fetch.{key}", errors) and value > 0:
            setattr(cfg, key, int(value) if key in ("max_bytes", "workers") else float(value))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            errors.add(f"fetch.{key}", "must be a positive number")
    allow = data.get("allow_private_addresses", False)
    if _expect(allow, bool, "fetch.allow_private_addresses", errors):
        cfg.allow_private_addresses = allow
    cfg.allow_networks = _strings(data.get("allow_networks", []), "fetch.allow_networks", errors)
    for i, net in enumerate(cfg.allow_networks):
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError:
            errors.add(f"fetch.allow_networks[{i}]", f"not a network like 10.0.0.0/8: {net!r}")
    return cfg


def _optional(data: dict, key: str, kind: type | tuple, errors: _Errors, check: Callable[[Any], str | None] | None = None) -> Any:
    if key not in data or data[key] is None:
        return None
    value = data[key]
    if not _expect(value, kind, key, errors, _QUOTE_HINT):
        return None
    problem = check(value) if check else None
    if problem:
        errors.add(key, problem)
        return None
    return value


def _check_tz(name: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r} (use an IANA name like Europe/London)"
    return None


def parse_config(data: Any, path: Path) -> Config:
    """Validate a loaded YAML document; raise ConfigError listing every problem."""
    errors = _Errors()
    base = path.parent.resolve()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {_type_name(data)}")
    allowed = {"timezone", "output", "paper", "templates", "store", "retention_days", "catch_up_hours", "topics", "smtp",
               "fetch", "lock_wait_seconds"}
    _check_keys(data, allowed, "", errors)
    cfg = Config(path=path)
    cfg.timezone = _optional(data, "timezone", str, errors, _check_tz) or "UTC"
    cfg.output = _resolve(base, _optional(data, "output", str, errors) or "output")
    paper = _optional(data, "paper", str, errors,
                      lambda v: None if v.lower() in ("a4", "letter") else f"must be A4 or Letter, got {v!r}")
    cfg.paper = "Letter" if (paper or "").lower() == "letter" else "A4"
    templates = _optional(data, "templates", str, errors)
    cfg.templates = _resolve(base, templates) if templates else None
    store = _optional(data, "store", str, errors,
                      lambda v: None if re.match(r"^(sqlite|postgresql)://", v) else "must be sqlite:///PATH or postgresql://...")
    cfg.store = store or f"sqlite:///{cfg.output / 'briefing.db'}"
    cfg.retention_days = _optional(data, "retention_days", int, errors,
                                   lambda v: None if v > 0 else "must be a positive number of days")
    catch = _optional(data, "catch_up_hours", (int, float), errors)
    cfg.catch_up_hours = float(catch) if catch is not None else 6.0
    wait = _optional(data, "lock_wait_seconds", (int, float), errors,
                     lambda v: None if v >= 0 else "must be zero or more seconds")
    cfg.lock_wait_seconds = float(wait) if wait is not None else 30.0
    cfg.fetch = _fetch(data.get("fetch"), errors)
    topics_raw = data.get("topics", [])
    if _expect(topics_raw, list, "topics", errors):
        for i, t in enumerate(topics_raw):
            topic = _topic(t, base, f"topics[{i}]", errors)
            if topic:
                cfg.topics.append(topic)
    slugs = [t.slug for t in cfg.topics]
    for s in sorted({s for s in slugs if slugs.count(s) > 1}):
        errors.add("topics", f"slug {s!r} is used twice")
    cfg.smtp = _smtp(data.get("smtp"), errors)
    if errors.items:
        raise ConfigError(f"{path}: " + "; ".join(errors.items))
    return cfg


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate the config file (default ``config/briefing.yaml``)."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    return parse_config(data, path)


def default_config(path: Path) -> Config:
    """A config for `build --input` when no config file exists: defaults only."""
    return parse_config({}, path)
