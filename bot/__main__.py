"""`python -m bot`: the same as `oclep-bot`."""

from bot.cli import main

main()
