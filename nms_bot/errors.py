"""Errors the command line turns into one line on stderr and an exit code."""


class ConfigurationError(Exception):
    """A setting is missing or wrong (exit 2). The message names it and never holds a secret."""
