"""The operator's loop (issue 11 §2): what citizens asked and what the bot
could not answer, read from the tracker store.

    python -m bot report [--db URL] [--since DAY] [--until DAY] [--suggest]
    python -m bot accept FILE

store -> conversations (turns, classified from custom.answer.kind) ->
figures -> HTML + CSV; suggestions -> review file -> accept -> data/nlu/.
"""
