"""What files the bot accepts as evidence, and the default limits on how many bytes.

The limits an operator may change are settings (`OCLEP_ATTACHMENT_*`, bot/settings.py,
docs/configuration.md); the defaults below are theirs. Telegram's own ceiling is not a
setting: a bot cannot download a larger file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MB: Final = 1024 * 1024
MAX_FILE_MB: Final = 20  # Telegram lets bots download files up to 20 MB
MAX_FILE_BYTES: Final = MAX_FILE_MB * MB
DEFAULT_FILES_PER_DRAFT: Final = 10
DEFAULT_MB_PER_DRAFT: Final = 60
DEFAULT_MB_PER_DAY: Final = 100  # per account and UTC day, in memory (attachment_budget)

# Documents, by the media type Telegram states: papers photographed or scanned, PDFs and
# office documents. Anything else (video, audio, archives, programs) is refused before it is
# downloaded; a photo sent as a photo is always a JPEG.
ACCEPTED_MEDIA_TYPES: Final = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "image/heif",
        "image/tiff",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
PHOTO_MEDIA_TYPE: Final = "image/jpeg"


@dataclass(frozen=True)
class FileLimits:
    """How much one questionnaire and one account may send."""

    files: int = DEFAULT_FILES_PER_DRAFT
    file_bytes: int = MAX_FILE_BYTES
    draft_bytes: int = DEFAULT_MB_PER_DRAFT * MB
    day_bytes: int = DEFAULT_MB_PER_DAY * MB


# The first bytes of every accepted format: a file whose stated type lies is refused as soon
# as its first bytes arrive (office formats are ZIP or the old OLE container).
_SIGNATURES: Final = (
    b"%PDF-",
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"PK\x03\x04",  # docx, xlsx, odt, ods
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # doc, xls
)
SNIFF_BYTES: Final = 12


def accepted_media_type(media_type: str | None) -> bool:
    """Whether a document of this stated type may be downloaded (None: Telegram did not say,
    and the first bytes decide)."""
    return media_type is None or media_type.lower() in ACCEPTED_MEDIA_TYPES


def looks_accepted(head: bytes) -> bool:
    """Whether a file's first `SNIFF_BYTES` bytes are those of an accepted format."""
    if any(head.startswith(signature) for signature in _SIGNATURES):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    # HEIC/HEIF: an ISO media box "ftyp" at offset 4, with an image brand.
    return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif")
