"""scopelint: find TensorFlow 1.x scoping bugs before a training run does."""

# Nothing is imported here, not even ``typing``: ``python -m scopelint`` imports
# this package while the working directory -- maybe a checkout being linted --
# is still first on sys.path, so any import here could run that checkout's
# ``typing.py`` or ``dataclasses.py``. ``scopelint.__main__`` takes the entry
# off before importing more; the public names load on first use.

__version__ = "0.1.0"

MYPY = False
if MYPY:  # what type checkers see (mypy's name for TYPE_CHECKING, no import needed)
    from scopelint.diagnostic import Diagnostic, Severity


def __getattr__(name: str) -> object:
    if name in ("Diagnostic", "Severity"):
        from scopelint import diagnostic

        return getattr(diagnostic, name)
    raise AttributeError(f"module 'scopelint' has no attribute {name!r}")


__all__ = ["Diagnostic", "Severity", "__version__"]
