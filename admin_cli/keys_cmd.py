"""`oclep-admin keys`: Staff key pairs: create and inspect."""

from __future__ import annotations

import getpass
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from admin_cli.errors import PassphraseError, exit_on_errors
from storage.keys import (
    KeyFileError,
    StaffPrivateKey,
    generate_staff_key,
    is_private_key_file,
    read_private_key_file,
    read_private_key_header,
    read_public_key_file,
    write_private_key_file,
    write_public_key_file,
)

app = typer.Typer(help="Staff key pairs: create and inspect.", no_args_is_help=True)

PUBLIC_KEY_NAME = "staff.pub"
PRIVATE_KEY_NAME = "staff.key"
MINIMUM_PASSPHRASE_LENGTH = 12


def read_passphrase_file(path: Path) -> str:
    """The first line of `path`, without its line ending; `PassphraseError` if unusable."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            line = handle.readline()
            mode = os.fstat(handle.fileno()).st_mode
    except (OSError, UnicodeDecodeError):
        raise PassphraseError(f"Cannot read the passphrase file {path}.") from None
    passphrase = line.removesuffix("\n").removesuffix("\r")
    if not passphrase:
        raise PassphraseError(f"The passphrase file {path} has an empty first line.")
    if stat.S_IMODE(mode) & 0o077:
        typer.echo(f"Warning: other users can read {path}; run `chmod 600 {path}`.", err=True)
    return passphrase


def ask_new_passphrase() -> str:
    """Ask twice without echo; `PassphraseError` if the two differ or it is too short."""
    first = getpass.getpass("Passphrase for the new private key: ")
    _check_new_passphrase(first)
    second = getpass.getpass("The same passphrase again: ")
    if first != second:
        raise PassphraseError("The two passphrases differ; nothing was written.")
    return first


def _check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MINIMUM_PASSPHRASE_LENGTH:
        raise PassphraseError(
            f"The passphrase must have at least {MINIMUM_PASSPHRASE_LENGTH} characters;"
            " nothing was written."
        )


def load_private_keys(
    paths: Sequence[Path], passphrase_file: Path | None = None
) -> dict[bytes, StaffPrivateKey]:
    """Decrypt staff private keys, indexed by key id (several keys: rotation).

    The passphrase is the first line of `passphrase_file` (used for every key) or is asked
    once per key with getpass. Raises `KeyFileError` or `PassphraseError`; wrap the call in
    `exit_on_errors()`.
    """
    shared = read_passphrase_file(passphrase_file) if passphrase_file is not None else None
    keys: dict[bytes, StaffPrivateKey] = {}
    for path in paths:
        passphrase = shared
        if passphrase is None:
            passphrase = getpass.getpass(f"Passphrase for {path}: ")
        key = read_private_key_file(path, passphrase)
        keys[key.key_id] = key
    return keys


@app.command("init")
def init(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for staff.pub and staff.key (created if missing).",
            file_okay=False,
        ),
    ],
    pq: Annotated[
        bool,
        typer.Option("--pq", help="Post-quantum hybrid ML-KEM-768+X25519 instead of X25519."),
    ] = False,
    passphrase_file: Annotated[
        Path | None,
        typer.Option(
            "--passphrase-file",
            help="Read the passphrase from the first line of this file instead of asking.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Create a staff key pair: a public key for the server, a private key kept offline."""
    public_path, private_path = out / PUBLIC_KEY_NAME, out / PRIVATE_KEY_NAME
    with exit_on_errors():
        for path in (public_path, private_path):
            if path.exists() or path.is_symlink():
                raise KeyFileError(f"{path} already exists; key files are never overwritten.")
        if passphrase_file is not None:
            passphrase = read_passphrase_file(passphrase_file)
            _check_new_passphrase(passphrase)
        else:
            passphrase = ask_new_passphrase()
        try:
            out.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise KeyFileError(f"Cannot create the folder {out}: {exc.strerror}.") from None
        key = generate_staff_key(pq=pq)
        write_private_key_file(private_path, key, passphrase)
        try:
            write_public_key_file(public_path, key.public_key)
        except KeyFileError:
            private_path.unlink()  # ours, just written: leave no half-made pair behind
            raise
    typer.echo("Created a staff key pair.")
    typer.echo(f"  Suite:       {key.suite.label} ({key.suite.description})")
    typer.echo(f"  Key id:      {key.key_id.hex()}")
    typer.echo(f"  Public key:  {public_path}")
    typer.echo(f"  Private key: {private_path}")
    typer.echo(
        f"Copy {public_path} to the server and set OCLEP_STAFF_PUBLIC_KEY to its path there."
    )
    typer.echo(
        f"Keep {private_path} and its passphrase off the server, with a backup: without both,"
        " no testimony sealed to this key can ever be read."
    )


@app.command("show")
def show(
    file: Annotated[Path, typer.Argument(help="A public (.pub) or private (.key) key file.")],
) -> None:
    """Print the suite and key id of a key file (no passphrase needed)."""
    with exit_on_errors():
        if is_private_key_file(file):
            header = read_private_key_header(file)
            typer.echo(f"{file}: private key file (encrypted)")
            typer.echo(f"  Suite:    {header.suite.label} ({header.suite.description})")
            typer.echo(f"  Key id:   {header.key_id.hex()}")
            typer.echo(f"  Argon2id: {header.argon2.describe()}")
        else:
            public = read_public_key_file(file)
            typer.echo(f"{file}: public key file")
            typer.echo(f"  Suite:    {public.suite.label} ({public.suite.description})")
            typer.echo(f"  Key id:   {public.key_id.hex()}")
