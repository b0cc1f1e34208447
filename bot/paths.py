"""Where the project lives: every module resolves data, settings and caches
from here, so commands work from any working directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
