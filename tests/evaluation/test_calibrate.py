"""Calibration's choice of operating points (no model: hand-made probabilities)."""

import numpy as np
import pytest

from bot.answering.decide import Bands
from bot.answering.evidence import RetrievalView
from bot.answering.intent_view import IntentView
from bot.evaluation import calibrate
from bot.evaluation.calibrate import Candidates, band_outcomes, choose_bands, choose_threshold, operating_points
from bot.evaluation.dataset import EvalQuestion
from bot.evaluation.scoring import Outcome


def test_operating_points_count_rates_per_threshold():
    best_p = np.array([0.95, 0.9, 0.6, 0.3, 0.92, 0.2])
    right = np.array([True, True, False, True, False, False])
    scope = [True, True, True, True, False, False]
    points = {round(t, 2): rest for t, *rest in operating_points(best_p, right, scope)}
    assert points[0.9] == [0.5, 0.0, 0.5]  # two right answers of four; the 0.92 out-of-scope one answered
    assert points[0.93] == [0.25, 0.0, 0.0]
    assert points[0.5] == [0.5, 0.25, 0.5]


def test_threshold_is_the_most_correct_within_the_error_targets(monkeypatch):
    # 100 in scope: right ones at high P, confident mistakes at 0.7 and 0.72; 50 out of scope up to 0.55.
    best_p = np.concatenate(
        [np.linspace(0.75, 0.99, 79), [0.7, 0.72], np.linspace(0.1, 0.5, 19), np.linspace(0.05, 0.55, 50)]
    )
    right = np.concatenate([np.ones(79, bool), [False, False], np.ones(19, bool), np.zeros(50, bool)])
    scope = [True] * 100 + [False] * 50
    t = choose_threshold(best_p, right, scope)
    assert 0.70 < t <= 0.72  # 1% wrong allowed: one mistake (0.72) may be answered, the second may not
    # With a looser wrong-answer target both mistakes are affordable; then the
    # out-of-scope target (2%, one question of 50) sets the floor.
    monkeypatch.setattr(calibrate, "MAX_WRONG_IN_SCOPE", 0.02)
    assert 0.5 < choose_threshold(best_p, right, scope) <= 0.55


def test_no_threshold_meeting_the_targets_answers_least():
    best_p = np.array([0.99, 0.98])
    right = np.array([False, False])
    assert choose_threshold(best_p, right, [True, True]) == calibrate.THRESHOLDS[-1]


def _candidate(right_id, ids=("a", "b", "c"), lead=-0.1):
    return Candidates(
        list(ids),
        np.zeros((len(ids), 1)),
        np.array([f == right_id for f in ids]),
        IntentView("nlu_fallback", 0.5, 0.0),
        RetrievalView((), lead),
    )


def test_bands_clarify_in_scope_doubt_and_keep_out_of_scope_declined():
    questions = [EvalQuestion(f"q{i}", "a", "paraphrase") for i in range(6)] + [
        EvalQuestion(f"o{i}", "decline", "out_of_scope") for i in range(4)
    ]
    table = [_candidate("a") for _ in range(6)] + [_candidate(None) for _ in range(4)]
    probabilities = [
        np.array(p)
        for p in (
            [0.95, 0.1, 0.0],
            [0.9, 0.1, 0.0],  # answered
            [0.5, 0.2, 0.1],
            [0.4, 0.3, 0.1],
            [0.2, 0.35, 0.1],  # unsure, right FAQ among the top 3
            [0.05, 0.01, 0.0],  # hopeless
            [0.1, 0.05, 0.0],
            [0.12, 0.02, 0.0],
            [0.08, 0.0, 0.0],  # out of scope, low
            [0.45, 0.1, 0.0],  # out of scope but looks like a FAQ
        )
    ]
    bands = choose_bands(probabilities, table, questions, 0.85, Bands(options=3))
    counts = band_outcomes(probabilities, table, questions, 0.85, bands)
    # Clarifying the look-alike would ask 1 of 4 out-of-scope questions (> 10%): the band stops above it.
    assert 0.45 < bands.clarify <= 0.5
    assert counts[Outcome.CORRECT] == 2 and counts[Outcome.ONE_TAP] == 1
    assert counts[Outcome.CLARIFIED_OOS] == 0 and counts[Outcome.DECLINED_OOS] == 4
    # With strong out-of-scope evidence on the look-alike it is declined whatever its P,
    # so the band reaches down to every in-scope doubt.
    table[-1] = _candidate(None, lead=0.05)
    bands = choose_bands(probabilities, table, questions, 0.85, Bands(options=3))
    counts = band_outcomes(probabilities, table, questions, 0.85, bands)
    assert 0.05 < bands.clarify <= 0.35
    assert counts[Outcome.ONE_TAP] == 3 and counts[Outcome.CLARIFIED_OOS] == 0


def test_write_calibration_rewrites_the_numbers_and_keeps_the_comments(tmp_path, project_root):
    from dataclasses import replace

    from bot.answering.settings import load_answering_settings, write_calibration

    path = tmp_path / "answering.yml"
    path.write_text((project_root / "settings" / "answering.yml").read_text(encoding="utf-8"), encoding="utf-8")
    current = load_answering_settings(path).calibration
    bands = Bands(clarify=0.41, suggest=0.07, max_out_of_scope_lead=0.02, out_of_scope_confidence=0.8)
    write_calibration(replace(current, retrieval_only_threshold=0.97, bands=bands, targeted_lead=float("inf")), path)
    written = load_answering_settings(path).calibration
    assert written.bands == Bands(
        clarify=0.41,
        suggest=0.07,
        options=current.bands.options,
        max_out_of_scope_lead=0.02,
        out_of_scope_confidence=0.8,
    )
    assert written.targeted_lead == float("inf") and written.retrieval_only_threshold == 0.97
    assert "# Hybrid, below combiner.threshold" in path.read_text(encoding="utf-8")


def test_settings_refuse_unknown_band_keys(tmp_path, project_root):
    from bot.answering.settings import SettingsError, load_answering_settings

    text = (project_root / "settings" / "answering.yml").read_text(encoding="utf-8")
    path = tmp_path / "answering.yml"
    path.write_text(text.replace("  options: 3", "  options: 3\n  clarfy: 0.2"), encoding="utf-8")
    with pytest.raises(SettingsError, match="clarfy"):
        load_answering_settings(path)


def test_calibration_declines_what_the_bot_never_answers():
    # The never-covered guard declines 孕妇能打吗 whatever the scores, so its
    # candidates must not set the thresholds.
    class Guard:
        def not_covered_terms(self, text):
            return ("孕妇",) if "孕妇" in text else ()

    questions = [
        EvalQuestion("孕妇能打吗", "decline", "out_of_scope"),
        EvalQuestion("加强针怎么打", "booster_schedule", "paraphrase"),
    ]
    kept = np.array([0.9, 0.1])
    probabilities = calibrate.as_the_bot_decides([np.array([0.95]), kept], questions, Guard())
    assert len(probabilities[0]) == 0 and probabilities[1] is kept


def test_calibrate_build_skips_a_current_fit(monkeypatch, capsys):
    from argparse import Namespace

    from bot.answering import build_calibration

    monkeypatch.setattr(build_calibration, "is_current", lambda: True)
    monkeypatch.setattr(calibrate.AnsweringService, "from_project", lambda: pytest.fail("refitted a current fit"))
    assert calibrate.main(Namespace(set="eval/dev.yml", write=False, build=True)) == 0
    assert "up to date" in capsys.readouterr().out
