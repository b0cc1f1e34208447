"""Every ${VAR} endpoints.yml needs is set by the stack runner, for `make run`
and `make shell` alike (a missing one stops Rasa at start-up)."""
import re

from bot.serving.stack import PROJECT_ROOT, Stack


def test_the_stack_sets_every_variable_endpoints_yml_reads(tmp_path):
    needed = set(re.findall(r"\$\{(\w+)\}", (PROJECT_ROOT / "endpoints.yml").read_text()))
    stack = Stack(tracker_db=tmp_path / "c.db")
    provided = set(stack._rasa_env()) | {"RASA_ACTIONS_URL"}
    assert needed and needed <= provided
