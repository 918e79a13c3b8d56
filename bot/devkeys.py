"""The development staff key of the console channel: generated once into the data folder.

NOT FOR PRODUCTION: the private key and its passphrase lie next to the database, so anyone
with the folder can read every answer. Real deployments use `oclep-admin keys init` offline
and give the bot only the public key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from storage.keys import (
    StaffPublicKey,
    format_public_key,
    generate_staff_key,
    read_public_key_file,
    write_private_key_file,
)
from storage.secure_files import PRIVATE_DIR_MODE, write_new_private_file

PUBLIC_NAME: Final = "dev-staff.pub"
PRIVATE_NAME: Final = "dev-staff.key"
PASSPHRASE_NAME: Final = "dev-staff.passphrase"  # noqa: S105 - a file name
# A comment line in the public key file (the key parser skips comments): the Telegram bot
# refuses a key file that carries it, wherever it was copied (bot/startup_safety.py).
DEV_KEY_MARKER: Final = "# OCLEP DEVELOPMENT KEY - NOT FOR PRODUCTION"


@dataclass(frozen=True)
class DevStaffKey:
    """Where the development key lives, and its public half."""

    public_key: StaffPublicKey
    public_path: Path
    private_path: Path
    passphrase_path: Path
    created: bool


def ensure_dev_staff_key(data_dir: Path) -> DevStaffKey:
    """The development key pair in `data_dir`, created (all files 0600) on first use.

    The public key is written last, so a run interrupted half-way is noticed: the next run
    refuses to overwrite the leftover files (`KeyFileError`) instead of mixing two keys.
    """
    public_path = data_dir / PUBLIC_NAME
    private_path = data_dir / PRIVATE_NAME
    passphrase_path = data_dir / PASSPHRASE_NAME
    created = False
    if not public_path.exists():
        data_dir.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        passphrase = secrets.token_urlsafe(24)
        key = generate_staff_key()
        write_new_private_file(passphrase_path, passphrase.encode() + b"\n")
        write_private_key_file(private_path, key, passphrase)
        marked = f"{DEV_KEY_MARKER}\n{format_public_key(key.public_key)}"
        write_new_private_file(public_path, marked.encode("ascii"))
        created = True
    return DevStaffKey(
        public_key=read_public_key_file(public_path),
        public_path=public_path,
        private_path=private_path,
        passphrase_path=passphrase_path,
        created=created,
    )
