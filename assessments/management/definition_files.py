"""Reading the definition files the import commands load: NDT schemes and ReQoL-10 wording."""

import json

from django.core.management.base import CommandError


def read_json(file):
    """The file's contents, or a CommandError saying in plain words why they cannot be read."""
    try:
        with open(file, encoding="utf-8") as f:
            return json.load(f)
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"{file} is not valid JSON (line {exc.lineno}): {exc.msg}.") from exc


def refused(file, messages, *, verb):
    """A CommandError listing every problem found in the file, of which nothing was saved."""
    listed = "\n".join(f"  - {message}" for message in messages)
    return CommandError(f"{file} {verb}; nothing was saved:\n{listed}")
