"""Entry point of `oclep-bot`: run the Telegram bot or the console channel."""

import typer

app = typer.Typer(name="oclep-bot", no_args_is_help=True, add_completion=False)


@app.callback()
def _root() -> None:
    """Testimony bot."""


def main() -> None:
    app()
