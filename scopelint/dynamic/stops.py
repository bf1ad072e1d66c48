"""Graph construction is what a trace is for: training loops must not run.

The first call that would execute the graph -- ``Session.run`` (and so
``Tensor.eval`` / ``Operation.run``), ``MonitoredSession`` and
``MonitoredTrainingSession``, Keras ``fit``/``evaluate``/``predict``,
``Estimator.train`` where tensorflow_estimator is installed -- raises
:class:`StopTrace`, and the child reports where it stopped.
"""

from __future__ import annotations

import sys
from typing import Any, Callable


class StopTrace(BaseException):
    """Raised at the first Session.run and friends. A BaseException so that a
    user's ``except Exception:`` does not swallow it."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _stopper(what: str, on_run: Callable[[Any], None] | None = None) -> Callable[..., Any]:
    def stop(*args: Any, **kwargs: Any) -> Any:
        if on_run is not None:
            try:
                on_run(args[1] if len(args) > 1 else kwargs.get("fetches"))  # what the run would have run
            except Exception:
                pass
        raise StopTrace(what)

    return stop


def install(on_run: Callable[[Any], None] | None = None) -> None:
    """Training must not run: the first call that would execute the graph ends the
    trace (``on_run`` is told what ``Session.run`` was asked to fetch)."""
    from tensorflow.python.client import session
    from tensorflow.python.training import monitored_session

    for name in ("run", "partial_run", "make_callable"):
        setattr(session.BaseSession, name, _stopper(f"Session.{name}", on_run if name == "run" else None))
    monitored_session._MonitoredSession.__init__ = _stopper("MonitoredSession")
    _stop_optional("tensorflow_estimator.python.estimator.estimator", "EstimatorV2", ("train", "evaluate", "predict"))
    _stop_optional("tensorflow_estimator.python.estimator.estimator", "Estimator", ("train", "evaluate", "predict"))
    _stop_optional("tf_keras.src.engine.training", "Model", ("fit", "fit_generator", "evaluate", "predict", "train_on_batch"))
    _stop_optional("tf_keras.src.engine.training_v1", "Model", ("fit", "fit_generator", "evaluate", "predict", "train_on_batch"))


def _stop_optional(module_name: str, class_name: str, methods: tuple[str, ...]) -> None:
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = __import__(module_name, fromlist=["_"])
        except Exception:
            return
    owner = getattr(module, class_name, None)
    if owner is None:
        return
    for method in methods:
        if hasattr(owner, method):
            setattr(owner, method, _stopper(f"{class_name}.{method}"))
