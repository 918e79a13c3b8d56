"""Which question a typed message answers, and the order of a respondent's messages.

Message ids in a private chat grow with every message, so they order what the respondent
typed even when updates arrive out of order (webhook deliveries in parallel, several
workers). The draft keeps the newest message applied (`last_message`) and the newest one
applied when the question on screen was put there (`asked_after`): a message not newer than
that was typed for an earlier question and arrived late; it is refused kindly rather than
filed under the question now on screen. Parts of a text sent in several messages carry their
message id as an order key (`"o"` in the record), so staff read them in the order typed.
"""

from __future__ import annotations

from dataclasses import replace

from bot.draft_state import DraftState, decode_state, encode_state
from storage.repository import Change


def arrived_late(state: DraftState, message_ref: int | None) -> bool:
    """True for a typed message sent before the question on screen was shown."""
    return message_ref is not None and message_ref <= state.asked_after


def stamped(before: DraftState, change: Change | None, message_ref: int | None) -> Change | None:
    """The change with the message order recorded in its new state.

    A move to another question (forward or back) marks the newest message applied so far:
    any message up to it was typed for an earlier screen.
    """
    if change is None or change.state is None:
        return change
    after = decode_state(change.state)
    newest = max(before.last_message, message_ref or 0)
    asked = newest if after.current != before.current else before.asked_after
    after = replace(after, last_message=newest, asked_after=asked)
    return replace(change, state=encode_state(after))
