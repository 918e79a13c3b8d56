"""`oclep-admin site build`: the public evidence site, from the verified release ledger only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from admin_cli.console import status_console
from admin_cli.decrypting import KeyOption, PassphraseFileOption
from admin_cli.errors import CommandError, exit_on_errors
from admin_cli.keys_cmd import load_private_keys
from admin_cli.ledger_cmd import LedgerOption
from admin_cli.site.build import assemble, write_site
from admin_cli.site.quotes import PublishedQuote, publishable, read_quotes
from admin_cli.site.source import verified_months

app = typer.Typer(help="The public evidence site (static, bilingual).")

DEFAULT_METHODOLOGY = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"


@app.command("build")
def build(
    ledger: LedgerOption,
    key: KeyOption,
    out: Annotated[Path, typer.Option("--out", help="Output folder of the site.", file_okay=False)],
    quotes: Annotated[
        Path | None,
        typer.Option(
            "--quotes",
            help="The quotes review file; only approved quotes are shown.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    methodology: Annotated[
        Path,
        typer.Option(
            "--methodology", help="docs/methodology.md, for the data dictionary.", dir_okay=False
        ),
    ] = DEFAULT_METHODOLOGY,
    bot_link: Annotated[
        str | None,
        typer.Option(
            "--bot-link", help="The bot's public link (https://t.me/...).", show_default=False
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing site folder.")
    ] = False,
    passphrase_file: PassphraseFileOption = None,
) -> None:
    """Build the site into --out; refused when the ledger fails its check."""
    with exit_on_errors():
        if not key:
            raise CommandError(
                "Give the staff private key with --key: it checks the ledger's seals."
            )
        if out.exists() and not force:
            raise CommandError(f"{out} already exists; give --force to replace it.")
        if bot_link is not None and not bot_link.startswith("https://"):
            raise CommandError("--bot-link must be an https:// link.")
        try:
            methodology_text = methodology.read_text(encoding="utf-8")
        except OSError:
            raise CommandError(
                f"Cannot read the methodology {methodology}; give it with --methodology."
            ) from None
        months = verified_months(ledger, load_private_keys(key, passphrase_file))
        shown: list[PublishedQuote] = []
        withdrawn: list[str] = []
        if quotes is not None:
            shown, withdrawn = publishable(read_quotes(quotes), months)
        site = assemble(
            months, shown, methodology=methodology_text, bot_link=bot_link, withdrawn=withdrawn
        )
        write_site(site, out, issued=months[-1].issued, force=force)
    console = status_console()
    console.print(
        f"Site written to {out}: {len(months)} months, {len(site.files)} files, "
        f"{len(shown)} quotes, {len(site.cumulative)} cumulative figures."
    )
    if withdrawn:
        console.print(
            "Withdrawn quotes, to take down from any copy of an earlier build: "
            + ", ".join(withdrawn)
        )
