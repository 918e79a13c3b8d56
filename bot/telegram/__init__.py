"""The Telegram channel: aiogram 3 maps Bot API updates to events and renders the replies."""
