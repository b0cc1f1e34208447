"""The encoder comparison's operating point at the issue's error targets."""

import numpy as np

from bot.embedding.options import EncoderKind, Precision
from bot.evaluation.encoder_comparison import Configuration, Result, format_results, operating_point_for_targets


def test_operating_point_keeps_within_both_error_targets():
    # 100 in scope: 90 right answers spread over P 0.5..0.99, 10 wrong ones up to P 0.9;
    # 50 out of scope, one of them at P 0.95.
    rng = np.random.default_rng(0)
    right_p = rng.uniform(0.5, 0.99, 90)
    wrong_p = np.linspace(0.3, 0.9, 10)
    oos_p = np.concatenate([rng.uniform(0.05, 0.4, 49), [0.95]])
    best_p = np.concatenate([right_p, wrong_p, oos_p])
    right = np.array([True] * 90 + [False] * 10 + [False] * 50)
    in_scope = [True] * 100 + [False] * 50
    threshold, correct, wrong, oos = operating_point_for_targets(best_p, right, in_scope)
    assert threshold is not None
    assert wrong <= 0.01 and oos <= 0.02
    answered = best_p >= threshold
    assert correct == np.sum(answered[:90]) / 100
    # A lower threshold would break a target (or answer no more): this is the best one allowed.
    lower = round(threshold - 0.01, 2)
    assert (
        np.sum(best_p[90:100] >= lower) > 1
        or np.sum(best_p[100:] >= lower) > 1
        or np.sum(best_p[:90] >= lower) == np.sum(answered[:90])
    )


def test_no_threshold_meets_impossible_targets():
    best_p = np.array([0.99, 0.99])
    threshold, *_ = operating_point_for_targets(best_p, np.array([False, False]), [True, False])
    assert threshold is None


def test_table_names_each_configuration():
    result = Result(
        Configuration(EncoderKind.TUNED, Precision.INT8, 3), 0.97, (0.8, 0.7, 0.01, 0.0), (None, 0.0, 0.0, 0.0)
    )
    text = format_results([result], "eval/dev.yml", None)
    assert "| tuned seed 3, int8 | 97.0% | 0.80 / 70.0% / 1.0% / 0.0% | none meets them |" in text


def test_onnx_configurations_are_labelled_and_select_the_runtime(tmp_path):
    from bot.embedding.options import Runtime
    from bot.evaluation.encoder_comparison import retrieval_settings

    onnx = Configuration(EncoderKind.TUNED, Precision.INT8, 2, Runtime.ONNX)
    assert onnx.label == "tuned seed 2, int8, onnx"
    assert Configuration(EncoderKind.TUNED, Precision.INT8, 2).label == "tuned seed 2, int8"
    settings = retrieval_settings(onnx, tmp_path)
    assert settings.runtime is Runtime.ONNX and settings.tuned_model_path.name.endswith("-seed2")
