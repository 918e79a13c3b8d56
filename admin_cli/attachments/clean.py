"""Copies of exported files with their metadata removed; the originals are never touched.

What is removed, by format:

- images (JPEG, PNG, WebP, TIFF): everything but the pixels. The picture is turned upright
  by its EXIF orientation first, then re-encoded from its pixels alone, so EXIF (camera,
  dates, GPS position), XMP, IPTC, comments and thumbnails are gone;
- PDF: the document information dictionary (author, title, creator, dates), the XMP
  metadata stream of the document and of every page, and private application data;
- Word, Excel (OOXML) and OpenOffice (ODF) documents: the document properties (author,
  last editor, company, dates, template, custom properties) replaced by empty ones.

Formats without a maintained cleaner here (HEIC, old .doc/.xls, anything else) are listed
as not cleaned: staff review those by hand before sharing. The originals stay as exported,
with the SHA-256 of the manifest, for the chain of evidence.
"""

from __future__ import annotations

import zipfile
from enum import StrEnum
from pathlib import Path
from typing import Final

import pikepdf
from PIL import Image, ImageOps

_IMAGE_FORMATS: Final = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/tiff": "TIFF",
}
_OOXML: Final = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
_ODF: Final = frozenset(
    {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"}
)
_EMPTY_CORE: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
    b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
)
_EMPTY_APP: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"/>'
)
_EMPTY_CUSTOM: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'custom-properties"/>'
)
_EMPTY_ODF_META: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    b' office:version="1.2"><office:meta/></office:document-meta>'
)
_REPLACED_PARTS: Final = {
    "docProps/core.xml": _EMPTY_CORE,
    "docProps/app.xml": _EMPTY_APP,
    "docProps/custom.xml": _EMPTY_CUSTOM,
    "meta.xml": _EMPTY_ODF_META,
}


class Outcome(StrEnum):
    CLEANED = "cleaned"
    NOT_SUPPORTED = "not_cleaned_format_not_supported"
    UNREADABLE = "not_cleaned_file_unreadable"


def clean_copy(source: Path, target: Path, media_type: str) -> Outcome:
    """Write `target`, a copy of `source` without metadata; the outcome says whether it
    could. `target` is not written unless the outcome is CLEANED."""
    media_type = media_type.lower()
    try:
        if media_type in _IMAGE_FORMATS:
            _clean_image(source, target, _IMAGE_FORMATS[media_type])
        elif media_type == "application/pdf":
            _clean_pdf(source, target)
        elif media_type in _OOXML or media_type in _ODF:
            _clean_zip_document(source, target)
        else:
            return Outcome.NOT_SUPPORTED
    except (
        OSError,
        ValueError,
        pikepdf.PdfError,
        zipfile.BadZipFile,
        Image.DecompressionBombError,
    ):
        target.unlink(missing_ok=True)
        return Outcome.UNREADABLE
    return Outcome.CLEANED


def _clean_image(source: Path, target: Path, fmt: str) -> None:
    with Image.open(source) as opened:
        upright = ImageOps.exif_transpose(opened)
        # Only the pixels cross over: a new image has no `info` (EXIF, XMP, ICC, comments).
        bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        palette = upright.getpalette()
        if palette is not None:
            bare.putpalette(palette)
    options: dict[str, object] = {"quality": 95} if fmt in ("JPEG", "WEBP") else {}
    bare.save(target, format=fmt, **options)


def _clean_pdf(source: Path, target: Path) -> None:
    with pikepdf.open(source) as pdf:
        if "/Info" in pdf.trailer:
            del pdf.trailer["/Info"]
        for holder in (pdf.Root, *(page.obj for page in pdf.pages)):
            for key in ("/Metadata", "/PieceInfo"):
                if key in holder:
                    del holder[key]
        pdf.remove_unreferenced_resources()
        # No new document id from the clock, no producer line: nothing added either.
        pdf.save(target, fix_metadata_version=False, deterministic_id=True)


def _clean_zip_document(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = _REPLACED_PARTS.get(item.filename)
            if data is None:
                data = original.read(item)
            # A fixed date: the members' own times say when the document was last saved.
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = item.compress_type
            copy.writestr(info, data)
