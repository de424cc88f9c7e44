"""One family of exceptions, each carrying a message that says what to do; front ends (CLI,
Telegram) turn them into text at the edge and nowhere else."""

from __future__ import annotations


class CareerbotError(Exception):
    """Something a person can fix; the message names the file, field or setting and the fix."""


class IndexUnavailable(CareerbotError):
    """An index that cannot be used, with what to do about it."""


class BuildError(CareerbotError):
    """An index build that stopped before publishing; the published index is untouched."""


class ConfigError(CareerbotError):
    """A setting that is missing or out of range."""
