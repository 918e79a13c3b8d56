"""Province answers: a typed name matched to one of Cuba's provinces."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Final

from flows.messages import Message
from flows.parsers.names import NameIndex

# The 15 provinces of the 2011 division and the special municipality Isla de la Juventud,
# west to east. Codes are stable: exports and stored answers use them.
PROVINCES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pinar_del_rio": "Pinar del Río",
        "artemisa": "Artemisa",
        "la_habana": "La Habana",
        "mayabeque": "Mayabeque",
        "matanzas": "Matanzas",
        "cienfuegos": "Cienfuegos",
        "villa_clara": "Villa Clara",
        "sancti_spiritus": "Sancti Spíritus",
        "ciego_de_avila": "Ciego de Ávila",
        "camaguey": "Camagüey",
        "las_tunas": "Las Tunas",
        "holguin": "Holguín",
        "granma": "Granma",
        "santiago_de_cuba": "Santiago de Cuba",
        "guantanamo": "Guantánamo",
        "isla_de_la_juventud": "Isla de la Juventud",
    }
)

# Short and older names, English spellings and provincial capitals. The old provinces that
# were split ("Las Villas", "Oriente", rural "La Habana" before 2011) are ambiguous, so they
# get suggestions rather than a guess.
_ALIASES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        **dict.fromkeys(["Pinar"], ("pinar_del_rio",)),
        **dict.fromkeys(["Ciudad de La Habana", "Ciudad Habana", "Havana"], ("la_habana",)),
        **dict.fromkeys(["San José de las Lajas"], ("mayabeque",)),
        **dict.fromkeys(["Santa Clara", "Villaclara"], ("villa_clara",)),
        **dict.fromkeys(["Santi Spíritus", "Sancti Spiritu"], ("sancti_spiritus",)),
        **dict.fromkeys(["Ciego"], ("ciego_de_avila",)),
        **dict.fromkeys(["Bayamo"], ("granma",)),
        **dict.fromkeys(["Santiago", "Stgo de Cuba", "Stgo"], ("santiago_de_cuba",)),
        **dict.fromkeys(
            ["Isla de Pinos", "Isla", "La Isla", "Nueva Gerona", "Isla Juventud"],
            ("isla_de_la_juventud",),
        ),
        "Las Villas": ("villa_clara", "cienfuegos", "sancti_spiritus"),
        "Oriente": ("santiago_de_cuba", "holguin", "granma", "las_tunas", "guantanamo"),
        "Habana Campo": ("artemisa", "mayabeque"),
    }
)


@dataclass(frozen=True)
class ProvinceMatch:
    """A typed province: its code when sure; else suggested codes and why."""

    code: str | None
    suggestions: tuple[str, ...]
    message: Message | None


def match_province(text: str) -> ProvinceMatch:
    """Match a typed Cuban province name, accents and case aside."""
    found = _province_index().find(text)
    if found.code is not None:
        return ProvinceMatch(found.code, (), None)
    if found.suggestions:
        return ProvinceMatch(
            None,
            found.suggestions,
            Message(
                "¿Quiso decir alguna de estas provincias? Toque una o escriba el nombre otra vez."
            ),
        )
    return ProvinceMatch(
        None,
        (),
        Message("No encontramos esa provincia. Escriba su nombre, por ejemplo: Matanzas."),
    )


@cache
def _province_index() -> NameIndex:
    return NameIndex.build(PROVINCES.items(), _ALIASES)
