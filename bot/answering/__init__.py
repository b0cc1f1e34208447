"""Choosing and wording the bot's answer: FAQ answer, quoted passage or decline."""
