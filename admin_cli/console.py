"""Rich output for staff commands: progress on stderr (stdout stays for data), tables."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def status_console() -> Console:
    """Where progress bars and summaries go: stderr, so `> file` captures only data."""
    return Console(stderr=True, highlight=False)


def progress_bar(console: Console) -> Progress:
    """A progress bar for decrypting submissions (hidden when stderr is not a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
