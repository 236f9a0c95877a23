"""briefing: a one-page policy brief every morning from the news."""

__version__ = "0.1.0"
