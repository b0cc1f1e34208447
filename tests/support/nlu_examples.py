"""The training examples of data/nlu as users typed them (annotations removed)."""

import re
from typing import Iterator, Tuple

import yaml

from bot.paths import PROJECT_ROOT

_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\(\w+\))")  # [有用]{"entity": …} / [35岁](age)


def nlu_examples(*file_names: str) -> Iterator[Tuple[str, str, list]]:
    """(intent, text, entities named) for every example of the given data/nlu files."""
    for name in file_names:
        path = PROJECT_ROOT / "data" / "nlu" / name
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in (block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    entities = [{"entity": m.group(1)} for m in re.finditer(r"\]\((\w+)\)", line)]
                    yield block["intent"], _ANNOTATION.sub(r"\1", line[2:]), entities
