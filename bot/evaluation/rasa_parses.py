"""Gets the intent layer's parse of many questions from the trained Rasa model.

Rasa lives in its own environment, so this runs bot.rasa_ext.parse_batch there.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import List, Sequence

from bot.serving.stack import DEFAULT_MODEL, PROJECT_ROOT, base_env

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


def parse_with_rasa(texts: Sequence[str], model: Path = DEFAULT_MODEL) -> List[dict]:
    if not model.exists():
        raise FileNotFoundError(f"trained model {model} is missing; run `make model`")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "parses.json"
        result = subprocess.run(
            [str(RASA_PYTHON), "-m", "bot.rasa_ext.parse_batch", "--model", str(model), "--out", str(out)],
            input=json.dumps(list(texts), ensure_ascii=False),
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=base_env(),
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"parsing with Rasa failed:\n{result.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))
