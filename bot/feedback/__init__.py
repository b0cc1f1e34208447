"""Citizens' 有用/没用 feedback on answers (issue 11 §1).

The feedback lives in the tracker store as ordinary Rasa events: the
`/feedback{"value": ...}` user event and the bot event of `action_feedback`,
whose `custom.answer` metadata names the answer that was rated. The report
(bot/reporting) reads both; there is no side database.
"""
