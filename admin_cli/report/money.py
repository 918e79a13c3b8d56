"""One rule for amounts, shared by the export's review column and the report's counts.

- Host payments (`pago_estado_mes`) are summarised as stated, in US dollars only, 0 included:
  a 0 is an answer ("the host paid nothing for my work"), not a missing value. An amount in
  any other currency is counted apart ("other currencies") and never converted, because no
  exchange rate for the respondent's period can be assumed.
- Wage retention needs a payment above 0 and the three amounts in one currency; otherwise it
  is unknown. A submission is flagged for review when its retention was outside 0-100 before
  clamping, when its amounts are in different currencies, or when it states a payment of 0
  (nothing to retain from, yet an amount received). The export's `review` column lists these
  flags, and the report's "flagged for review" count is the number of submissions with any
  of them: the same submissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from admin_cli.report import codes
from admin_cli.report.model import FigureLike
from flows.answers import AnswerValue, Money

RETENTION_OUT_OF_RANGE: Final = "retention_out_of_range"
RETENTION_CURRENCIES_DIFFER: Final = "retention_currencies_differ"
HOST_PAYMENT_ZERO: Final = "host_payment_zero"
AMOUNT_FLAGS: Final = {
    RETENTION_OUT_OF_RANGE: "The wage retention computed from the amounts was outside 0-100 "
    "before clamping (received more than paid, or a typing error).",
    RETENTION_CURRENCIES_DIFFER: "The amounts of the wage retention are in different "
    "currencies; convert by hand.",
    HOST_PAYMENT_ZERO: "The host payment was stated as 0, so no wage retention is computed; "
    "check the amounts.",
}


def amount_flags(
    answers: Mapping[str, AnswerValue], figures: Mapping[str, FigureLike]
) -> tuple[str, ...]:
    """The review flags of one submission's amounts (keys of `AMOUNT_FLAGS`)."""
    retention = figures.get(codes.RETENTION)
    if retention is None or retention.state == "not_applicable":
        return ()
    flags: list[str] = []
    if retention.review:
        present = retention.state == "present"
        flags.append(RETENTION_OUT_OF_RANGE if present else RETENTION_CURRENCIES_DIFFER)
    payment = answers.get(codes.HOST_PAYMENT)
    if isinstance(payment, Money) and payment.amount == 0:
        flags.append(HOST_PAYMENT_ZERO)
    return tuple(flags)


def counted_payment(answers: Mapping[str, AnswerValue]) -> Money | None:
    """The host payment as the report counts it: any stated amount, 0 included."""
    payment = answers.get(codes.HOST_PAYMENT)
    return payment if isinstance(payment, Money) and payment.amount >= 0 else None
