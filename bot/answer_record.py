"""The plaintext of one answer record, as it is sealed to the staff key."""

from __future__ import annotations

import json

from flows.answers import AnswerValue, encode_answer


def answer_record(
    question_id: str, value: AnswerValue, *, append: bool, order: int | None = None
) -> bytes:
    """The plaintext of one sealed answer record (docs/architecture.md); `order` (a text
    part's message id) lets staff read parts in the order typed, whatever order they came."""
    record: dict[str, object] = {"q": question_id, "v": encode_answer(value)}
    if append:
        record["append"] = True
    if order is not None:
        record["o"] = order
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()
