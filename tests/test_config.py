"""The config: defaults, paths relative to the file, and every problem reported at once."""
from pathlib import Path

import pytest

from briefing.config import load_config
from briefing.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "briefing.yaml"
    path.write_text(text)
    return path


def test_shipped_config_resolves_against_its_folder():
    cfg = load_config(ROOT / "config" / "briefing.yaml")
    assert cfg.output == (ROOT / "output").resolve()
    topic = cfg.topic(None)
    assert topic.sources[0].kind == "folder"
    assert Path(topic.sources[0].value) == (ROOT / "seeds").resolve()
    assert cfg.paper == "A4" and cfg.timezone == "Europe/London"


def test_all_problems_reported_at_once_with_key_paths(tmp_path):
    path = write(tmp_path, """
timezone: Mars/Olympus
paper: A3
colour: blue
topics:
  - slug: Bad Slug
    sources: [{folder: x, feed: "https://e.com"}]
  - slug: ok
    schedule: 7:30
    window: no
    recipients: [not-an-address]
""")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value.message)
    for needle in ("timezone", "Mars/Olympus", "paper", "colour: unknown key", "topics[0].slug",
                   "topics[0].sources[0]", "topics[1].schedule", "topics[1].window", "topics[1].recipients[0]"):
        assert needle in msg, (needle, msg)
    assert "\n" not in msg  # one line


def test_yaml_11_surprises_are_named(tmp_path):
    path = write(tmp_path, "topics:\n  - slug: t\n    schedule: 7:30\n    include: [no]\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = err.value.message
    assert "topics[0].schedule" in msg and "quote it" in msg
    assert "topics[0].include[0]" in msg and "boolean" in msg


def test_duplicate_keys_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="duplicate key 'paper'"):
        load_config(write(tmp_path, "paper: A4\npaper: Letter\n"))
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(write(tmp_path, "topics: [\n"))


def test_missing_file_and_unknown_topic(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    cfg = load_config(write(tmp_path, "topics:\n  - slug: a\n    sources: [{folder: .}]\n"))
    with pytest.raises(ConfigError, match="no topic 'b'"):
        cfg.topic("b")


def test_password_never_in_the_file(tmp_path):
    with pytest.raises(ConfigError, match="password_env"):
        load_config(write(tmp_path, "smtp: {host: localhost, password: hunter2}\n"))


def test_python_tags_are_refused(tmp_path):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, "paper: !!python/object/apply:os.system ['true']\n"))
