"""The knowledge base reader (bot/knowledge.py)."""

import subprocess
import sys

from bot.knowledge import load_knowledge_base


def test_knowledge_base_holds_every_faq_and_article(faqs, articles):
    kb = load_knowledge_base()
    assert kb.faqs == tuple(faqs) and kb.articles == tuple(articles)
    assert kb.faq("booster_schedule").question == "加强针怎么打？"
    assert kb.faq("no_such_faq") is None and kb.faq(None) is None


def test_reading_the_knowledge_base_does_not_import_the_ingester(project_root):
    """The action server reads the generated files; page repair is build-time code."""
    code = "import sys, actions.answer; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=project_root, capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert "bot.knowledge" in loaded
    assert not loaded & {"bot.ingest.pipeline", "bot.ingest.page", "bot.ingest.layout", "bot.ingest.jump_markers"}
