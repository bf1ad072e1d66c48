"""scopelint: find TensorFlow 1.x scoping bugs before a training run does."""

from scopelint.diagnostic import Diagnostic, Severity

__version__ = "0.1.0"

__all__ = ["Diagnostic", "Severity", "__version__"]
