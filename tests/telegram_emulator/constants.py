"""Telegram's limits and error descriptions, as the emulator enforces and reports them."""

from typing import Final

MAX_MESSAGE_TEXT_LENGTH: Final = 4096
MAX_CALLBACK_DATA_BYTES: Final = 64
DELETE_WINDOW_SECONDS: Final = 48 * 60 * 60
MAX_UPDATES_PER_CALL: Final = 100
MAX_DELETE_MESSAGES: Final = 100
MAX_BOT_COMMANDS: Final = 100
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
MAX_BOT_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024  # getFile: larger files have no file_path
DOWNLOAD_PIECE_BYTES: Final = 16 * 1024  # the emulator streams downloads in pieces this size

UNAUTHORIZED: Final = "Unauthorized"
NOT_FOUND: Final = "Not Found"
TEXT_EMPTY: Final = "Bad Request: message text is empty"
# Telegram words the same limit differently for sending and for editing.
SEND_TOO_LONG: Final = "Bad Request: message is too long"
EDIT_TOO_LONG: Final = "Bad Request: MESSAGE_TOO_LONG"
NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND: Final = "Bad Request: message to edit not found"
CANT_BE_EDITED: Final = "Bad Request: message can't be edited"
DELETE_NOT_FOUND: Final = "Bad Request: message to delete not found"
CANT_BE_DELETED: Final = "Bad Request: message can't be deleted"
MESSAGE_IDS_EMPTY: Final = "Bad Request: message identifiers are not specified"
TOO_MANY_MESSAGE_IDS: Final = "Bad Request: too many message identifiers specified"
BUTTON_DATA_INVALID: Final = "Bad Request: BUTTON_DATA_INVALID"
REPLY_MARKUP_INVALID: Final = "Bad Request: can't parse reply keyboard markup JSON object"
CHAT_NOT_FOUND: Final = "Bad Request: chat not found"
QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
CALLBACK_ANSWER_TOO_LONG: Final = "Bad Request: MESSAGE_TOO_LONG"
ACTION_INVALID: Final = "Bad Request: wrong parameter action in request"
COMMAND_INVALID: Final = "Bad Request: BOT_COMMAND_INVALID"
COMMAND_DESCRIPTION_INVALID: Final = "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
WEBHOOK_URL_INVALID: Final = "Bad Request: bad webhook: an HTTP or HTTPS URL must be provided"
WEBHOOK_ACTIVE: Final = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_TERMINATED: Final = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
TOO_MANY_REQUESTS: Final = "Too Many Requests: retry after {retry_after}"
INTERNAL_SERVER_ERROR: Final = "Internal Server Error"
GATEWAY_TIMEOUT: Final = "Gateway Timeout"
FILE_ID_INVALID: Final = "Bad Request: invalid file_id"
FILE_TOO_BIG: Final = "Bad Request: file is too big"

CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
