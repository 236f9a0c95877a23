"""Load and validate ``config/briefing.yaml``.

Every problem is reported at once, each with its key path, before anything runs
(as MkDocs does). Relative paths resolve against the config file's own folder so
the same file works from any working directory, cron included.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import ipaddress
import math
import os
import re
import reprlib
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


def _node_key(node: yaml.Node) -> str:
    """A mapping key as written (complex keys are named by their kind)."""
    return str(node.value) if isinstance(node, yaml.ScalarNode) else f"<{node.id}>"


def duplicate_keys(node: yaml.Node | None, path: str = "") -> list[str]:
    """Every key written twice in one mapping, as 'key.path: duplicate key ... (lines A and B)'.

    Walks the composed node graph, each node once: an alias bomb (anchors nested many levels
    deep) is a small graph, and is never expanded here.
    """
    problems: list[str] = []
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(node, path)] if node is not None else []
    while stack:
        current, where = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in current.value:
                key = _node_key(key_node)
                child = f"{where}.{key_name(key)}" if where else key_name(key)
                line = key_node.start_mark.line + 1
                if key in first_line and key != "<<":
                    problems.append(f"{child}: duplicate key {short_repr(key)} (lines {first_line[key]} and {line}); "
                                    "the last one would win silently")
                first_line.setdefault(key, line)
                stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(current.value))
    return sorted(problems)


class _Errors:
    """Collects problems as 'key.path: message' so all are reported together."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "list",
            dict: "mapping", type(None): "empty"}.get(type(value), type(value).__name__)


_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict, _REPR.maxlevel = 80, 80, 4, 4, 2


def short_repr(value: Any) -> str:
    """repr() bounded in length and depth: a YAML alias bomb is never printed out in full."""
    return _REPR.repr(value)


def _expect(value: Any, kind: type | tuple, path: str, errors: _Errors, hint: str = "") -> bool:
    # bool is an int in Python; YAML 1.1 reads `no`/`yes` as booleans, so refuse them for numbers.
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, float, (int, float)))
    if not ok:
        want = kind.__name__ if isinstance(kind, type) else "number"
        want = {"str": "string", "int": "integer", "float": "number", "list": "list", "dict": "mapping"}.get(want, want)
        article = "an" if want[0] in "aeiou" else "a"
        if hint == _QUOTE_HINT and not (want == "string" and isinstance(value, (bool, int, float, dt.date))):
            hint = ""  # the hint is for a bare value YAML read as something else
        errors.add(path, f"expected {article} {want}, got {_type_name(value)} {short_repr(value)}{hint}")
    return ok


def _number(value: Any, path: str, errors: _Errors, low: float, high: float, *, above: bool = False,
            unit: str = "") -> bool:
    """Check a finite number in ``[low, high]`` (``(low, high]`` with ``above``); report what is wrong."""
    if not _expect(value, (int, float), path, errors, f" ({unit})" if unit else ""):
        return False
    if not math.isfinite(value):
        errors.add(path, f"must be a finite number, got {short_repr(value)}")
        return False
    if value < low or (above and value == low) or value > high:
        lowest = f"more than {low:g}" if above else f"at least {low:g}"
        errors.add(path, f"must be {lowest} and at most {high:g}{' ' + unit if unit else ''}, got {short_repr(value)}")
        return False
    return True


def _check_keys(data: dict, allowed: set[str], path: str, errors: _Errors) -> None:
    for key in data:
        if key not in allowed:
            errors.add(f"{path}{key_name(key)}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def key_name(key: Any) -> str:
    """A key as it can appear in a key path: plain names as they are, anything else quoted."""
    return key if isinstance(key, str) and re.fullmatch(r"[\w-]{1,64}", key) else short_repr(key)


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
        errors.add(f"{path}.{kind}", f"must be an http(s) URL, got {short_repr(value)}")
        return None
    return SourceSpec(kind, value)


_CRON_RE = re.compile(r"^\S+(\s+\S+){4,5}$")  # 6 fields: a leading seconds field
_ADDRESS_RE = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
MAX_WINDOW_HOURS = 24 * 366  # a year: more is a typo, and would overflow date arithmetic
# Upper bounds keep a typo (or `.inf`) from turning into a hang or an overflow.
_FETCH_LIMITS = {"connect_timeout": 600, "read_timeout": 3600, "total_timeout": 86400,
                 "max_bytes": 2**31, "workers": 64}


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
    if not _number(window, f"{path}.window", errors, 0, MAX_WINDOW_HOURS, above=True, unit="hours"):
        window = 48
    schedule = data.get("schedule")
    if schedule is not None and _expect(schedule, str, f"{path}.schedule", errors, _QUOTE_HINT):
        if not _CRON_RE.match(schedule.strip()):
            errors.add(f"{path}.schedule", f"expected a 5-field cron expression like \"0 6 * * 1-5\", got {short_repr(schedule)}")
    recipients = _strings(data.get("recipients", []), f"{path}.recipients", errors)
    for i, r in enumerate(recipients):
        if not _ADDRESS_RE.match(r):
            errors.add(f"{path}.recipients[{i}]", f"not an email address: {short_repr(r)}")
    include = _strings(data.get("include", []), f"{path}.include", errors)
    exclude = _strings(data.get("exclude", []), f"{path}.exclude", errors)
    if not ok:
        return None
    return TopicConfig(
        slug=slug, title=title, sources=sources, include=include, exclude=exclude,
        window_hours=float(window),
        schedule=schedule, recipients=recipients)


def _smtp(data: Any, errors: _Errors) -> SmtpConfig | None:
    if data is None:
        return None
    if not _expect(data, dict, "smtp", errors):
        return None
    allowed = {"host", "port", "security", "username", "password_env", "sender", "timeout"}
    _check_keys({k: v for k, v in data.items() if k != "password"}, allowed, "smtp.", errors)  # told below
    host = data.get("host")
    if not isinstance(host, str) or not host:
        errors.add("smtp.host", "required: the SMTP server's host name")
        return None
    security = data.get("security", "starttls")
    if security not in ("starttls", "ssl", "none"):
        hint = "" if isinstance(security, str) else _QUOTE_HINT
        errors.add("smtp.security", f"must be starttls, ssl or none, got {short_repr(security)}{hint}")
    port = data.get("port", 465 if security == "ssl" else 587)
    if not (_expect(port, int, "smtp.port", errors) and _number(port, "smtp.port", errors, 1, 65535)):
        port = 587
    strings = {key: data.get(key) for key in ("username", "password_env", "sender")}
    for key, value in strings.items():
        if value is not None and not _expect(value, str, f"smtp.{key}", errors, _QUOTE_HINT):
            strings[key] = None
    if strings["password_env"] is not None and not _ENV_NAME_RE.match(strings["password_env"]):
        errors.add("smtp.password_env", "must be the name of an environment variable (letters, digits, "
                                        f"underscores), got {short_repr(strings['password_env'])}")
    sender = strings["sender"]
    if sender is not None and not _ADDRESS_RE.match(email.utils.parseaddr(sender)[1] or "-") \
            or sender is not None and any(c in sender for c in "\r\n"):
        errors.add("smtp.sender", f"not an email address like \"Morning Brief <brief@example.org>\": {short_repr(sender)}")
    if "password" in data:
        errors.add("smtp.password", "never put the password in the file: set password_env to an environment variable's name")
    timeout = data.get("timeout", 30)
    if not _number(timeout, "smtp.timeout", errors, 0, 3600, above=True, unit="seconds"):
        timeout = 30
    return SmtpConfig(host=host, port=port, security=security if isinstance(security, str) else "starttls",
                      username=strings["username"], password_env=strings["password_env"],
                      sender=sender or "briefing@localhost", timeout=float(timeout))


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
        if _number(value, f"fetch.{key}", errors, 0, _FETCH_LIMITS[key], above=True):
            setattr(cfg, key, max(1, int(value)) if key in ("max_bytes", "workers") else float(value))
    allow = data.get("allow_private_addresses", False)
    if _expect(allow, bool, "fetch.allow_private_addresses", errors):
        cfg.allow_private_addresses = allow
    cfg.allow_networks = _strings(data.get("allow_networks", []), "fetch.allow_networks", errors)
    for i, net in enumerate(cfg.allow_networks):
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError:
            errors.add(f"fetch.allow_networks[{i}]", f"not a network like 10.0.0.0/8: {short_repr(net)}")
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


def _bounded(low: float, high: float, unit: str) -> Callable[[Any], str | None]:
    """A check for _optional: a finite number from ``low`` to ``high``."""
    def check(value: float) -> str | None:
        if not math.isfinite(value) or not low <= value <= high:
            return f"must be from {low:g} to {high:g} {unit}, got {short_repr(value)}"
        return None
    return check


def _check_tz(name: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {short_repr(name)} (use an IANA name like Europe/London)"
    return None


def parse_config(data: Any, path: Path, problems: list[str] | None = None) -> Config:
    """Validate a loaded YAML document; raise ConfigError listing every problem.

    ``problems`` are ones already found in the file (duplicate keys), reported with the rest.
    """
    errors = _Errors()
    errors.items.extend(problems or [])
    base = path.parent.resolve()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise config_error(path, errors.items + [f"(top level): expected a mapping, got {_type_name(data)}"])
    allowed = {"timezone", "output", "paper", "templates", "store", "retention_days", "catch_up_hours", "topics", "smtp",
               "fetch", "lock_wait_seconds"}
    _check_keys(data, allowed, "", errors)
    cfg = Config(path=path)
    cfg.timezone = _optional(data, "timezone", str, errors, _check_tz) or "UTC"
    cfg.output = _resolve(base, _optional(data, "output", str, errors) or "output")
    paper = _optional(data, "paper", str, errors,
                      lambda v: None if v.lower() in ("a4", "letter") else f"must be A4 or Letter, got {short_repr(v)}")
    cfg.paper = "Letter" if (paper or "").lower() == "letter" else "A4"
    templates = _optional(data, "templates", str, errors)
    cfg.templates = _resolve(base, templates) if templates else None
    store = _optional(data, "store", str, errors,
                      lambda v: None if re.match(r"^(sqlite|postgresql)://", v) else "must be sqlite:///PATH or postgresql://...")
    cfg.store = store or f"sqlite:///{cfg.output / 'briefing.db'}"
    cfg.retention_days = _optional(data, "retention_days", int, errors,
                                   lambda v: None if 0 < v <= 100 * 366 else "must be a positive number of days "
                                   "(at most 36,600)")
    catch = _optional(data, "catch_up_hours", (int, float), errors, _bounded(0, 24 * 7, "hours"))
    cfg.catch_up_hours = float(catch) if catch is not None else 6.0
    wait = _optional(data, "lock_wait_seconds", (int, float), errors, _bounded(0, 24 * 3600, "seconds"))
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
        errors.add("topics", f"slug {short_repr(s)} is used twice")
    cfg.smtp = _smtp(data.get("smtp"), errors)
    if errors.items:
        raise config_error(path, errors.items)
    return cfg


def config_error(path: Path, problems: list[str]) -> ConfigError:
    """One ConfigError naming every problem (``.problems`` keeps them apart for `config check`)."""
    error = ConfigError(f"{path}: " + "; ".join(problems))
    error.problems = list(problems)
    return error


def load_config(path: Path | str | None = None) -> Config:
    """Read and validate the config file (default ``config/briefing.yaml``)."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    data, duplicates = _read_yaml(text, path)
    return parse_config(data, path, duplicates)


def _read_yaml(text: str, path: Path) -> tuple[Any, list[str]]:
    """The document (safe loader: no Python objects) and its duplicate keys, with key paths."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        duplicates = duplicate_keys(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    return data, duplicates


def default_config(path: Path) -> Config:
    """A config for `build --input` when no config file exists: defaults only."""
    return parse_config({}, path)


# --------------------------------------------------------------------------- `briefing config check`

_SECRET_PARAM_RE = re.compile(r"(token|key|secret|pass|auth|sig|session|credential)", re.I)


def mask_url(url: str) -> str:
    """``url`` with a password in it and secret-looking query values replaced by ``***``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    netloc = re.sub(r"^([^:@/]*):[^@]*@", r"\1:***@", parts.netloc)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if netloc == parts.netloc and not any(_SECRET_PARAM_RE.search(k) for k, _ in pairs):
        return url  # nothing to hide: shown exactly as configured
    query = [(k, "***" if _SECRET_PARAM_RE.search(k) else v) for k, v in pairs]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment))


def mask_username(name: str) -> str:
    """A user name shown partly: 'briefing@example.org' -> 'br******@example.org'."""
    local, at, domain = name.partition("@")
    keep = min(2, max(0, len(local) - 2))
    return local[:keep] + "*" * max(3, len(local) - keep) + at + domain


def resolved_config(cfg: Config, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The config as the tool will use it, as plain data: absolute paths, defaults filled in,
    secrets masked (the SMTP password is never read; only whether its variable is set)."""
    environ = dict(os.environ) if environ is None else environ
    data: dict[str, Any] = {
        "timezone": cfg.timezone, "output": str(cfg.output), "paper": cfg.paper,
        "templates": str(cfg.templates) if cfg.templates else None, "store": mask_url(cfg.store),
        "retention_days": cfg.retention_days, "catch_up_hours": cfg.catch_up_hours,
        "lock_wait_seconds": cfg.lock_wait_seconds,
        "fetch": {"connect_timeout": cfg.fetch.connect_timeout, "read_timeout": cfg.fetch.read_timeout,
                  "total_timeout": cfg.fetch.total_timeout, "max_bytes": cfg.fetch.max_bytes,
                  "workers": cfg.fetch.workers, "allow_private_addresses": cfg.fetch.allow_private_addresses,
                  "allow_networks": list(cfg.fetch.allow_networks)},
        "topics": [{"slug": t.slug, "title": t.title, "schedule": t.schedule, "window": t.window_hours,
                    "include": t.include, "exclude": t.exclude, "recipients": t.recipients,
                    "sources": [{s.kind: s.value if s.kind == "folder" else mask_url(s.value)} for s in t.sources]}
                   for t in cfg.topics],
        "smtp": None,
    }
    if cfg.smtp:
        smtp = cfg.smtp
        data["smtp"] = {"host": smtp.host, "port": smtp.port, "security": smtp.security,
                        "username": mask_username(smtp.username) if smtp.username else None,
                        "password_env": smtp.password_env, "sender": smtp.sender, "timeout": smtp.timeout}
    return data


def describe_config(cfg: Config, environ: dict[str, str] | None = None) -> str:
    """``resolved_config`` as YAML with a comment saying whether the password variable is set."""
    environ = dict(os.environ) if environ is None else environ
    text = yaml.safe_dump(resolved_config(cfg, environ), sort_keys=False, allow_unicode=True, width=100)
    if cfg.smtp and cfg.smtp.password_env:
        state = "set" if environ.get(cfg.smtp.password_env) else "NOT SET: email login will fail"
        text = re.sub(r"^(  password_env: .*)$", rf"\1  # {state} (value never shown)", text, count=1, flags=re.M)
    elif cfg.smtp and cfg.smtp.username:
        text += "# smtp.username is set but smtp.password_env is not: email login will fail\n"
    return f"# {cfg.path}: valid; resolved values, secrets masked\n{text}"


def check_config(path: Path | str | None = None) -> str:
    """Load and fully validate the config (cron schedules included); return it described.

    Raises ConfigError listing every problem.
    """
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        if exc.problems:  # add the schedules' problems, so that every problem shows at once
            raise config_error(Path(path or DEFAULT_CONFIG), exc.problems + _schedule_problems(path)) from None
        raise
    problems = _schedule_problems(path)
    if problems:
        raise config_error(cfg.path, problems)
    return describe_config(cfg)


def _schedule_problems(path: Path | str | None) -> list[str]:
    """Cron expressions APScheduler refuses, as 'topics[i].schedule: ...' (checked apart from
    load_config, which must not import APScheduler for every command)."""
    from .schedule import cron_trigger

    try:
        data, _ = _read_yaml(Path(path or DEFAULT_CONFIG).read_text(encoding="utf-8"), Path(path or DEFAULT_CONFIG))
    except (ConfigError, OSError, UnicodeDecodeError):
        return []
    topics = data.get("topics") if isinstance(data, dict) else None
    problems = []
    for i, topic in enumerate(topics if isinstance(topics, list) else []):
        expr = topic.get("schedule") if isinstance(topic, dict) else None
        if isinstance(expr, str) and _CRON_RE.match(expr.strip()):
            try:
                cron_trigger(expr, zoneinfo.ZoneInfo("UTC"))
            except ValueError as exc:
                problems.append(f"topics[{i}].schedule: {short_repr(expr)}: {exc}")
    return problems
