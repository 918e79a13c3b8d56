"""How much of a text sent in several parts (the testimony) one questionnaire accepts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MAX_TEXT_PARTS: Final = 10
MAX_TEXT_CHARS: Final = 20_000  # about 3 000 words; five parts of the longest size


@dataclass(frozen=True)
class TextRoom:
    """What is left for a multi-part text after `parts` parts of `chars` characters in all.

    Unbounded parts let one account store 500 × 4 000 characters; the bounds are said on
    the screen from the first part on, so no one meets them by surprise.
    """

    parts: int
    chars: int

    @property
    def parts_left(self) -> int:
        return max(0, MAX_TEXT_PARTS - self.parts)

    @property
    def chars_left(self) -> int:
        return max(0, MAX_TEXT_CHARS - self.chars)

    def fits(self, length: int) -> bool:
        """True when one more part of `length` characters may be stored."""
        return self.parts_left > 0 and length <= self.chars_left
