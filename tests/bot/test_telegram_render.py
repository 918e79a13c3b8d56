"""How replies look on Telegram: progress, notes, buttons, the receipt in monospace."""

from __future__ import annotations

from bot.limits import CALLBACK_DATA_MAX_BYTES, MESSAGE_TEXT_MAX_CHARS
from bot.replies import Notice, Option, Progress, Prompt
from bot.telegram.render import (
    code_entity,
    fit,
    keyboard,
    progress_line,
    prompt_text,
    toast,
    with_notices_in_prompt,
)


def test_prompt_shows_progress_then_note_then_question() -> None:
    prompt = Prompt(
        "¿Cuántas horas trabajaba?",
        progress=Progress(12, 40, "Pregunta 12 de unas 40"),
        note="Escriba un número, por ejemplo 60.",
    )
    assert prompt_text(prompt) == (
        "▰▰▰▱▱▱▱▱▱▱ Pregunta 12 de unas 40\n\nEscriba un número, por ejemplo 60.\n\n"
        "¿Cuántas horas trabajaba?"
    )
    assert prompt_text(Prompt("¿Acepta participar?")) == "¿Acepta participar?"


def test_progress_bar_is_full_at_the_end_and_never_overflows() -> None:
    assert progress_line(Progress(40, 40, "x")).startswith("▰" * 10 + " ")
    assert progress_line(Progress(45, 40, "x")).startswith("▰" * 10 + " ")
    assert (
        progress_line(Progress(1, 0, "x")).count("▰")
        + progress_line(Progress(1, 0, "x")).count("▱")
        == 10
    )


def test_keyboard_is_one_callback_button_per_row_and_drops_oversized_tokens() -> None:
    markup = keyboard(
        [Option("Sí", "a:1:0:0"), Option("Demasiado", "x" * (CALLBACK_DATA_MAX_BYTES + 1))]
    )
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Sí"]]
    button = rows[0][0]
    assert button.callback_data == "a:1:0:0"
    assert button.url is None and button.web_app is None and button.login_url is None
    assert keyboard([]) is None


def test_receipt_entity_counts_utf16_units() -> None:
    text = "¡Gracias! 😀 Su recibo es 1234 5678 9012 3456."
    (entity,) = code_entity(text, "1234 5678 9012 3456")
    assert entity.type == "code"
    assert entity.offset == text.index("1234") + 1  # the emoji is two UTF-16 units
    assert entity.length == 19
    assert code_entity(text, "0000") == []


def test_long_texts_are_cut_and_toasts_joined() -> None:
    assert len(fit("a" * 5000)) == MESSAGE_TEXT_MAX_CHARS
    assert toast([Notice("Ya respondida.", transient=True), Notice("Ayuda")]) == "Ya respondida."
    assert toast([Notice("Ayuda")]) is None


def test_notices_go_into_the_questionnaire_message_unless_they_are_toasts() -> None:
    question = Prompt("¿En qué año empezó?", note="Parte guardada.")
    hint = Notice("No envíe fotos.")
    stale = Notice("Esa pregunta ya fue respondida.", transient=True)
    merged = with_notices_in_prompt((hint, stale, question), answered=True)
    expected = Prompt("¿En qué año empezó?", note="No envíe fotos.\n\nParte guardada.")
    assert merged == [stale, expected]
    typed = with_notices_in_prompt((stale, question), answered=False)  # no press to answer
    assert typed == [Prompt("¿En qué año empezó?", note=f"{stale.text}\n\nParte guardada.")]
    assert with_notices_in_prompt((hint,), answered=False) == [hint]  # no prompt: its own message
