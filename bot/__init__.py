"""The conversation service and its channels (Telegram, console)."""
