"""Exceptions whose messages are shown to users as they are (Vietnamese, no traceback)."""

from __future__ import annotations


class CchcError(Exception):
    """Base class: the message is complete, specific and written for an analyst."""


class ConfigError(CchcError):
    """A settings, methodology or user lookup file is missing or invalid."""


class InputFileError(CchcError):
    """A whole input file cannot be used (wrong kind, corrupt, unreadable)."""


class UnitLookupError(CchcError, LookupError):
    """A unit name or code (or a group name) matches no unit, or several. ``query`` is the text looked up: the
    command line tells a value its user typed (a usage error) from one read in a file."""

    def __init__(self, message: str, query: str | None = None) -> None:
        super().__init__(message)
        self.query = query


class UsageError(CchcError):
    """A command-line value is malformed (exit code 2, like argparse's own usage errors)."""
