"""Writes conversations into a tracker store with Rasa's own SQLTrackerStore.

Runs in the Rasa environment (.venv-rasa), so the rows are exactly what a
Rasa server writes: the report's tests read real `events` rows, not rows
shaped by hand. Input on stdin, JSON:

    {"store": {"dialect": "sqlite", "db": "/tmp/x.db"}      # SQLTrackerStore kwargs
     "conversations": [{"sender": "u1", "events": [
         {"session": 1700000000.0},
         {"user": "加强针怎么打", "intent": "faq", "t": 1700000001.0},
         {"action": "action_answer", "t": ...},
         {"bot": "……", "custom": {"answer": {"kind": "faq", ...}}, "t": ...}, ...]}]}
"""

import asyncio
import json
import sys

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def to_events(specs):
    events = []
    for spec in specs:
        t = spec.get("t") or spec.get("session")
        if "session" in spec:
            events += [
                ActionExecuted("action_session_start", timestamp=t),
                SessionStarted(timestamp=t),
                ActionExecuted("action_listen", timestamp=t),
            ]
        elif "user" in spec:
            intent = {"name": spec.get("intent"), "confidence": 1.0}
            events.append(
                UserUttered(
                    spec["user"],
                    intent=intent,
                    entities=spec.get("entities") or [],
                    parse_data={"intent": intent, "entities": spec.get("entities") or [], "text": spec["user"]},
                    timestamp=t,
                )
            )
        elif "bot" in spec:
            data = {"buttons": spec.get("buttons"), "custom": spec.get("custom")}
            events.append(BotUttered(spec["bot"], data=data, timestamp=t))
        elif "action" in spec:
            events.append(ActionExecuted(spec["action"], timestamp=t))
        else:
            raise ValueError(f"unknown event spec {spec}")
    return events


async def main():
    spec = json.load(sys.stdin)
    store = SQLTrackerStore(Domain.empty(), **spec["store"])
    for conv in spec["conversations"]:
        tracker = DialogueStateTracker.from_events(conv["sender"], to_events(conv["events"]))
        await store.save(tracker)
    store.engine.dispose()
    print(json.dumps({"written": len(spec["conversations"])}))


if __name__ == "__main__":
    asyncio.run(main())
