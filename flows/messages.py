"""Respondent-facing messages as Spanish source strings, translated by the caller."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class Message:
    """A Spanish source string (gettext msgid) with `{placeholders}` and their values.

    `flows` never translates: the bot looks `msgid` up in the catalogs of `locales/`
    for the respondent's language and then fills in `params`.
    """

    msgid: str
    params: Mapping[str, str | int] = field(default_factory=dict, hash=False)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """Translate the msgid (identity by default: Spanish) and fill in the parameters."""
        text = translate(self.msgid)
        if not self.params:
            return text
        return text.format_map(dict(self.params))
