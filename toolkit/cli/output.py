"""What every command prints: progress lines on stderr, and one-line errors with an exit code."""

from __future__ import annotations

import typer


def say(line: str) -> None:
    """A progress line on stderr, prefixed `[toolkit]`."""
    typer.echo(f"[toolkit] {line}", err=True)


def fail(message: str, code: int = 1, then: str | None = None) -> None:
    """Print `error: MESSAGE` (and `then` as a progress line) and exit with `code`."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    if then:
        say(then)
    raise typer.Exit(code)
