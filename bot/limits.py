"""Telegram's limits, as named constants in one place."""

from typing import Final

MESSAGE_TEXT_MAX_CHARS: Final = 4096  # sendMessage / editMessageText text
CALLBACK_DATA_MAX_BYTES: Final = 64  # inline button callback_data
CALLBACK_ANSWER_MAX_CHARS: Final = 200  # answerCallbackQuery text
BUTTON_LABEL_MAX_CHARS: Final = 64  # longer labels are cut on most clients
DELETE_WINDOW_HOURS: Final = 48  # bots may delete messages in private chats this long
START_PAYLOAD_MAX_CHARS: Final = 64  # deep-link `start` parameter
