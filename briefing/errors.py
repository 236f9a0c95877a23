"""Exceptions the CLI turns into one clear line on stderr (rooted in click.ClickException)."""
from __future__ import annotations

import click


class BriefingError(click.ClickException):
    """Any expected failure: bad input, bad config, unwritable output. Exit status 1."""

    exit_code = 1

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class ConfigError(BriefingError):
    """The config file is missing, unreadable or invalid.

    ``problems`` lists each problem ("key.path: what is wrong") when the file was validated.
    """

    problems: list[str] = []


class InputError(BriefingError):
    """The articles to build from are missing or empty."""


class OutputError(BriefingError):
    """The brief could not be written."""
