"""The command-line options of `flask demo scale`: one per count of Sizes, named after it."""
from dataclasses import fields

import click

from crm.scale.sizes import Sizes


def option_name(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")


def size_options(command):
    """Adds `--companies N`, `--audit-rows N`, … (each overrides the count that --factor gives)."""
    default = Sizes()
    for field in reversed(fields(Sizes)):
        command = click.option(option_name(field.name), field.name, type=click.IntRange(min=0), default=None,
                               help=f"기본 {getattr(default, field.name):,}")(command)
    return command
