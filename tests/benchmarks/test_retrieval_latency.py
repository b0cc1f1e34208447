"""The retrieval benchmark's configuration names (its timings are not asserted:
a timed test fails on a busy host)."""

from bot.benchmarks.retrieval_latency import config_name, parse_config
from bot.embedding.options import EncoderKind, Precision, Runtime


def test_benchmark_configs_name_the_runtime():
    assert parse_config("tuned:onnx-int8") == (EncoderKind.TUNED, Precision.INT8, Runtime.ONNX)
    assert parse_config("zero_shot:fp32") == (EncoderKind.ZERO_SHOT, Precision.FP32, Runtime.TORCH)
    assert parse_config("tuned") == (EncoderKind.TUNED, Precision.FP32, Runtime.TORCH)
    assert config_name(*parse_config("tuned:onnx-fp32")) == "tuned:onnx-fp32"
