"""Parses many texts with a trained Rasa model, in the Rasa environment.

    .venv-rasa/bin/python -m bot.rasa_ext.parse_batch --model models/vaccine-faq.tar.gz --out parses.json < texts.json

Input: a JSON list of strings. Output: a JSON list of parse results, in order,
shaped like the Rasa HTTP API's /model/parse answer. It goes to a file because
Rasa and its libraries print to stdout while loading.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys


async def _parse_all(model: str, texts):
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    return [await agent.parse_message(text) for text in texts]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    texts = json.load(sys.stdin)
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        print("input must be a JSON list of strings", file=sys.stderr)
        return 2
    parses = asyncio.run(_parse_all(args.model, texts))
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(parses, out, ensure_ascii=False, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
