"""A quotes review file as `quotes prepare` would write it, with one quote in each state."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from admin_cli.site.quotes import Candidate, approve, merge, write_quotes

# Identifying details on purpose: a name, a place, an institution, a date and a number.
APPROVED_TEXT: Final = (
    "Me mandaron a Maracaibo en marzo de 2019. El doctor Ramírez del CDI Los Olivos nos "
    "quitaba el pasaporte y nos pagaban 40 dólares."
)
APPROVED_REDACTED: Final = (
    "Me mandaron a [ciudad] en [fecha]. El doctor [nombre] del [institución] nos "
    "quitaba el pasaporte y nos pagaban [cantidad] dólares."
)
PENDING_TEXT: Final = "Nadie podía salir del albergue después de las seis, nos vigilaban siempre."
WITHDRAWN_TEXT: Final = "En la brigada nos amenazaron con no volver a ver a nuestros hijos."


def write_quotes_file(path: Path) -> Path:
    first = [
        Candidate("q-approved0000001", "2025-03", "mision_actual", "VE", APPROVED_TEXT),
        Candidate("q-pending00000002", "2025-04", "abandono", "BR", PENDING_TEXT),
        Candidate("q-withdrawn000003", "2025-05", "familiar", "QA", WITHDRAWN_TEXT),
    ]
    quotes, _ = merge(None, first)
    redacted = [
        q.model_copy(update={"redacted": APPROVED_REDACTED}) if q.id == "q-approved0000001" else q
        for q in quotes.quotes
    ]
    quotes = approve(
        quotes.model_copy(update={"quotes": redacted}), ["q-approved0000001", "q-withdrawn000003"]
    )
    # The respondent of the third later withdrew the testimony: the next prepare lacks it.
    quotes, withdrawn = merge(quotes, first[:2])
    assert withdrawn == ["q-withdrawn000003"]
    write_quotes(path, quotes)
    return path
