"""Quotes from testimonies whose respondents allowed it: the review file staff edit, the
identifying details flagged for redaction, and the quotes the site may publish.

The review file (JSON, 0600, staff side only: it holds testimony text in clear) lists one
entry per testimony whose answer to `cita_permitida` is `si`: its id (a keyed digest of the
submission id, so the file names no submission), month, role and host country, the text, the
flagged details, a `redacted` text staff edit, and a status: `pending`, `approved` (only by
`oclep-admin quotes approve`, which refuses while a flagged detail is still in the redacted
text) or `withdrawn` (the testimony was deleted: its text is dropped, and the quote is listed
for takedown). The site publishes approved quotes only, each with its month, a role category
and a region, never the role or country themselves.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from admin_cli.site import texts as t
from admin_cli.site.opendata import count_value
from admin_cli.site.source import PublishedMonth, SiteError

FORMAT: Final = "oclep-quotes/1"
CONSENT_QUESTION: Final = "cita_permitida"
TESTIMONY_QUESTION: Final = "testimonio"
FlagKind = Literal["name", "place", "institution", "date", "number"]

# Words that start an institution's name in the testimonies' Spanish.
_INSTITUTION_WORDS: Final = (
    "hospital",
    "policlínico",
    "policlinico",
    "clínica",
    "clinica",
    "ministerio",
    "embajada",
    "consulado",
    "brigada",
    "universidad",
    "escuela",
    "empresa",
    "cdi",
    "minsap",
    "minrex",
    "comercializadora",
    "misión",
    "mision",
    "central",
    "partido",
    "seguridad del estado",
)
_PLACE_WORDS: Final = (
    "habana",
    "santiago",
    "camagüey",
    "camaguey",
    "holguín",
    "holguin",
    "matanzas",
    "pinar",
    "cienfuegos",
    "granma",
    "guantánamo",
    "guantanamo",
    "villa clara",
    "sancti spíritus",
    "las tunas",
    "artemisa",
    "mayabeque",
    "ciego de ávila",
    "isla de la juventud",
    "caracas",
    "venezuela",
    "méxico",
    "mexico",
    "brasil",
    "bolivia",
    "qatar",
    "angola",
    "italia",
    "honduras",
    "nicaragua",
    "guatemala",
    "argelia",
    "kuwait",
    "arabia",
    "maracaibo",
    "calabria",
    "luanda",
    "doha",
)
_MONTHS: Final = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "setiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
_DATE = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b"
    r"|\b\d{1,2} de (?:" + "|".join(_MONTHS) + r")(?: de \d{4})?\b"
    r"|\b(?:" + "|".join(_MONTHS) + r")(?: de(?:l)? \d{4})?\b"
    r"|\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\b\d[\d.,]*\b")
# An institution word followed by its capitalised name ("Hospital Calixto García", "CDI Los
# Olivos"); a bare "la brigada" names nobody. Acronyms are flagged on their own below.
_INSTITUTION = re.compile(
    r"\b(?i:" + "|".join(re.escape(w) for w in _INSTITUTION_WORDS) + r")\b"
    r"(?:\s+(?:de|del|la|las|los|el)?\s*[A-ZÁÉÍÓÚÑ][\wáéíóúñ]*)+"
)
_PLACE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _PLACE_WORDS) + r")\b", re.IGNORECASE)
_ACRONYM = re.compile(r"\b[A-ZÁÉÍÓÚÑ]{2,}\b")
# A capitalised word that does not start a sentence: most often a name.
_CAPITALISED = re.compile(r"(?<![.!?¿¡:\n]\s)(?<!^)\b[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+\b")


class Flag(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: FlagKind
    text: str
    start: int


def flag_details(text: str) -> list[Flag]:
    """Candidate identifying details, in text order; a span is flagged once, by the most
    specific kind (date, institution, place, then number and name)."""
    found: list[Flag] = []
    taken: list[tuple[int, int]] = []

    def add(kind: FlagKind, match: re.Match[str]) -> None:
        start, end = match.span()
        value = match.group(0).strip()
        if not value or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(Flag(kind=kind, text=value, start=start))

    for pattern, kind in (
        (_DATE, "date"),
        (_INSTITUTION, "institution"),
        (_PLACE, "place"),
        (_NUMBER, "number"),
    ):
        for match in pattern.finditer(text):
            add(kind, match)  # type: ignore[arg-type]
    for match in _ACRONYM.finditer(text):
        add("institution", match)
    for match in _CAPITALISED.finditer(text):
        add("name", match)
    return sorted(found, key=lambda f: f.start)


Status = Literal["pending", "approved", "withdrawn"]


class QuoteEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    month: str
    role: str | None
    country: str | None
    status: Status
    text: str
    redacted: str
    flags: list[Flag]
    kept: list[str] = []


class QuoteFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["oclep-quotes/1"]
    quotes: list[QuoteEntry]


def read_quotes(path: Path) -> QuoteFile:
    try:
        return QuoteFile.model_validate_json(path.read_bytes())
    except OSError:
        raise SiteError(f"Cannot read the quotes file {path}.") from None
    except ValidationError:
        raise SiteError(
            f"The quotes file {path} is not a quotes file of the documented format."
        ) from None


def write_quotes(path: Path, quotes: QuoteFile) -> None:
    """Replace the file atomically, 0600: it holds testimony text in clear."""
    data = json.dumps(quotes.model_dump(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(descriptor, data.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


@dataclass(frozen=True)
class Candidate:
    """A testimony that allowed quotation, as `quotes prepare` found it."""

    id: str
    month: str
    role: str | None
    country: str | None
    text: str


def merge(existing: QuoteFile | None, found: Iterable[Candidate]) -> tuple[QuoteFile, list[str]]:
    """The review file after a new `prepare`: new candidates pending, earlier decisions kept,
    and quotes whose testimony is gone marked withdrawn (text dropped). Returns the file and
    the ids newly withdrawn (to take down wherever they were published)."""
    current = {c.id: c for c in found}
    entries: list[QuoteEntry] = []
    withdrawn: list[str] = []
    known = set()
    for entry in existing.quotes if existing else []:
        known.add(entry.id)
        if entry.id not in current and entry.status != "withdrawn":
            withdrawn.append(entry.id)
            entry = entry.model_copy(
                update={"status": "withdrawn", "text": "", "redacted": "", "flags": [], "kept": []}
            )
        entries.append(entry)
    for candidate in sorted(current.values(), key=lambda c: (c.month, c.id)):
        if candidate.id in known:
            continue
        entries.append(
            QuoteEntry(
                id=candidate.id,
                month=candidate.month,
                role=candidate.role,
                country=candidate.country,
                status="pending",
                text=candidate.text,
                redacted=candidate.text,
                flags=flag_details(candidate.text),
            )
        )
    return QuoteFile(format=FORMAT, quotes=entries), withdrawn


def approve(quotes: QuoteFile, ids: Sequence[str], keep: Sequence[str] = ()) -> QuoteFile:
    """Mark `ids` approved; refused while a flagged detail (not in `keep`) is still in the
    redacted text, or for a withdrawn quote."""
    wanted = set(ids)
    by_id = {q.id: q for q in quotes.quotes}
    missing = sorted(wanted - set(by_id))
    if missing:
        raise SiteError(f"The quotes file has no quote {missing[0]}.")
    updated = []
    for entry in quotes.quotes:
        if entry.id in wanted:
            if entry.status == "withdrawn":
                raise SiteError(
                    f"Quote {entry.id} was withdrawn by its respondent; it cannot be approved."
                )
            left = [
                f.text
                for f in flag_details(entry.redacted)
                if f.text not in keep and f.text not in entry.kept
            ]
            original = {f.text for f in entry.flags}
            still = [x for x in left if x in original]
            if still:
                raise SiteError(
                    f"Quote {entry.id} still contains the flagged detail {still[0]!r}: redact it, "
                    "or approve with --keep if it identifies nobody."
                )
            entry = entry.model_copy(
                update={"status": "approved", "kept": sorted({*entry.kept, *keep})}
            )
        updated.append(entry)
    return QuoteFile(format=FORMAT, quotes=updated)


_ROLE_CATEGORY: Final = {
    "mision_actual": t.ROLE_MISSION,
    "mision_pasada": t.ROLE_MISSION,
    "abandono": t.ROLE_MISSION,
    "familiar": t.ROLE_FAMILY,
    "paciente_cuba": t.ROLE_CUBA_HEALTH,
    "salud_cuba": t.ROLE_CUBA_HEALTH,
}
_REGIONS: Final = {
    **dict.fromkeys(
        (
            "VE",
            "MX",
            "BR",
            "BO",
            "HN",
            "NI",
            "GT",
            "BS",
            "EC",
            "PE",
            "CO",
            "AR",
            "CL",
            "UY",
            "PY",
            "SV",
            "CR",
            "PA",
            "DO",
            "HT",
            "JM",
            "TT",
            "BZ",
            "SR",
            "GY",
            "BB",
            "LC",
            "VC",
            "GD",
            "DM",
            "AG",
            "KN",
        ),
        t.REGION_AMERICAS,
    ),
    **dict.fromkeys(
        (
            "AO",
            "DZ",
            "ZA",
            "MZ",
            "GH",
            "GQ",
            "KE",
            "NA",
            "TZ",
            "CV",
            "GW",
            "ST",
            "NG",
            "ET",
            "LY",
            "EG",
            "TN",
            "MA",
            "SL",
            "LR",
            "GM",
            "TD",
            "ML",
            "NE",
        ),
        t.REGION_AFRICA,
    ),
    **dict.fromkeys(
        ("QA", "SA", "KW", "AE", "BH", "OM", "YE", "IQ", "IR", "SY", "LB", "JO"),
        t.REGION_MIDDLE_EAST,
    ),
    **dict.fromkeys(("IT", "ES", "PT", "AD", "FR", "DE", "RU", "BY", "RS"), t.REGION_EUROPE),
    **dict.fromkeys(
        ("CN", "VN", "LA", "TL", "PK", "IN", "KI", "NR", "TV", "VU", "SB", "FJ"), t.REGION_ASIA
    ),
}


@dataclass(frozen=True)
class PublishedQuote:
    """What the site shows of an approved quote, and nothing more."""

    month: str
    text: str
    role_label: str  # a msgid of the site's texts
    region_label: str


def _group_counts(month: PublishedMonth) -> tuple[dict[str, int], dict[str, int]]:
    """At least how many testimonies of each role category, and mission respondents of each
    region, one month's published tables show (hidden rows and "others" count nothing)."""
    roles: dict[str, int] = {}
    for row in month.report["tables"]["rol"]["rows"]:
        category = _ROLE_CATEGORY.get(row["code"])
        if category is not None:
            roles[category] = roles.get(category, 0) + (count_value(row["count"]) or 0)
    regions: dict[str, int] = {}
    for row in month.report["tables"]["pais"]["rows"]:
        region = _REGIONS.get(row["code"])
        if region is not None:
            regions[region] = regions.get(region, 0) + (count_value(row["count"]) or 0)
    return roles, regions


def publishable(
    quotes: QuoteFile, months: Sequence[PublishedMonth]
) -> tuple[list[PublishedQuote], list[str]]:
    """Approved quotes of published months, in month then id order; and the ids of withdrawn
    quotes (for staff to take down any copy of an earlier build).

    A quote says its role category and region only when that month's published tables show
    at least k testimonies of that category (and k mission respondents in that region): a
    quote must not be the one testimony of a small, known group.
    """
    by_month = {m.period: m for m in months}
    shown = []
    for entry in sorted(quotes.quotes, key=lambda q: (q.month, q.id)):
        month = by_month.get(entry.month)
        if entry.status != "approved" or month is None:
            continue
        roles, regions = _group_counts(month)
        role = _ROLE_CATEGORY.get(entry.role or "", t.ROLE_OTHER)
        if roles.get(role, 0) < month.min_cell:
            role, region = t.ROLE_UNSAID, t.REGION_UNKNOWN
        elif role == t.ROLE_CUBA_HEALTH:
            region = t.REGION_CUBA
        else:
            region = _REGIONS.get(entry.country or "", t.REGION_UNKNOWN)
            if regions.get(region, 0) < month.min_cell:
                region = t.REGION_UNKNOWN
        shown.append(PublishedQuote(entry.month, entry.redacted, role, region))
    withdrawn = sorted(q.id for q in quotes.quotes if q.status == "withdrawn")
    return shown, withdrawn
