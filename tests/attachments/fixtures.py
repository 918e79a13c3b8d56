"""Evidence files made on the spot: a JPEG whose EXIF holds a GPS position, a PDF whose
document properties name its author. Each carries a random marker, so a test can look for
its bytes anywhere."""

from __future__ import annotations

import io
import secrets

import pikepdf
from PIL import Image, ImageDraw
from PIL.ExifTags import GPS, IFD, Base

# Havana, as a camera writes it: degrees, minutes, seconds.
GPS_LATITUDE = (23.0, 8.0, 12.5)
GPS_LONGITUDE = (82.0, 21.0, 30.0)
AUTHOR = "Nombre Del Jefe De Brigada"


def jpeg_with_gps(width: int = 320, height: int = 240) -> bytes:
    """A photo of a "pay slip" with camera make, date and a GPS position in its EXIF."""
    image = Image.new("RGB", (width, height), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), f"RECIBO DE PAGO {secrets.token_hex(6)}", fill=(0, 0, 0))
    for row in range(4, height, 24):  # noise, so the JPEG is not all white
        draw.line((0, row, width, row + secrets.randbelow(12)), fill=(secrets.randbelow(200),) * 3)
    exif = image.getexif()
    exif[Base.Make] = "Camara de prueba"
    exif[Base.DateTime] = "2026:11:30 10:15:00"
    gps = exif.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = "N"
    gps[GPS.GPSLatitude] = GPS_LATITUDE
    gps[GPS.GPSLongitudeRef] = "W"
    gps[GPS.GPSLongitude] = GPS_LONGITUDE
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def gps_of(jpeg: bytes) -> dict[int, object]:
    """The GPS IFD of a JPEG's EXIF (empty when there is none)."""
    with Image.open(io.BytesIO(jpeg)) as image:
        return dict(image.getexif().get_ifd(IFD.GPSInfo))


def pdf_with_author(pages: int = 1) -> bytes:
    """A PDF "contract" with /Author, /Title and an XMP packet naming a person."""
    pdf = pikepdf.new()
    for number in range(pages):
        content = f"BT /F1 12 Tf 72 720 Td (CONTRATO {number} {secrets.token_hex(6)}) Tj ET"
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 612, 792],
            Contents=pdf.make_stream(content.encode()),
            Resources=pikepdf.Dictionary(
                Font=pikepdf.Dictionary(
                    F1=pikepdf.Dictionary(
                        Type=pikepdf.Name.Font,
                        Subtype=pikepdf.Name.Type1,
                        BaseFont=pikepdf.Name.Helvetica,
                    )
                )
            ),
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.docinfo[pikepdf.Name.Author] = AUTHOR
    pdf.docinfo[pikepdf.Name.Title] = "Contrato de colaboración"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [AUTHOR]
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def pdf_names_author(data: bytes) -> bool:
    """Whether a PDF still names the author anywhere (document info or XMP)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if AUTHOR in str(pdf.docinfo.get(pikepdf.Name.Author, "")):
            return True
        meta = pdf.open_metadata()
        return AUTHOR in str(meta.get("dc:creator", ""))
