"""The ecosystem's peer for the burst benchmark: a python-telegram-bot bot.

Run by `bench/burst.py` as its own process: `python bench/ptb_bot.py` with
OCLEP_TELEGRAM_TOKEN and OCLEP_TELEGRAM_API_BASE set. It answers the same screens as
`oclep-bot` (the consent screen on /start, the first question after a press; texts and
buttons from the same questionnaire and catalogs), the way a python-telegram-bot project
would: `AIORateLimiter` paces the calls (its defaults: 30 a second overall, 20 a minute per
group; `max_retries` set so a 429 is waited out rather than dropped, as oclep-bot does) and
`PicklePersistence` keeps each respondent's position in a pickle file, in clear, with the
Telegram ids as keys. Nothing is sealed. Installed only with the `dev` extras.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    PicklePersistence,
)

from bot.draft_state import DraftState
from bot.i18n import Catalogs
from bot.replies import Prompt
from bot.screens import Screens
from flows.engine import Engine
from flows.shipped import load_shipped

MAX_RETRIES = 5


def keyboard(prompt: Prompt) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(o.label, callback_data=o.token)] for o in prompt.options]
    return InlineKeyboardMarkup(rows)


def build(token: str, api_base: str, state_file: Path) -> Application:  # type: ignore[type-arg]
    engine = Engine(load_shipped())
    screens = Screens(engine, Catalogs.load())
    first_question = engine.questions[1].id  # the one after consent

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and context.user_data is not None
        prompt = screens.consent("es", None)
        sent = await context.bot.send_message(
            update.effective_chat.id,
            prompt.text,
            reply_markup=keyboard(prompt),
            protect_content=True,
        )
        context.user_data["screen"] = sent.message_id
        context.user_data["current"] = engine.questions[0].id

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and context.user_data is not None
        await query.answer()
        prompt = screens.question(DraftState(current=first_question))
        context.user_data["current"] = first_question
        await query.edit_message_text(prompt.text, reply_markup=keyboard(prompt))

    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api_base}/bot")
        .rate_limiter(AIORateLimiter(max_retries=MAX_RETRIES))
        .persistence(PicklePersistence(state_file))
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(press))
    return application


def main() -> None:
    folder = Path(os.environ.get("OCLEP_DATA_DIR") or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    application = build(
        os.environ["OCLEP_TELEGRAM_TOKEN"],
        os.environ["OCLEP_TELEGRAM_API_BASE"].rstrip("/"),
        folder / "ptb-state.pickle",
    )
    # Stops on SIGTERM; persistence is flushed then.
    application.run_polling(timeout=5, allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
