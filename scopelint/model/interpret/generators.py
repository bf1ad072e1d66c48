"""``@contextlib.contextmanager`` generators entered by ``with``.

``with scope_of(x):`` where ``scope_of`` yields inside ``with tf.variable_scope(...)``
(or enters arg scopes, as tensornets' ``arg_scopes`` does): the generator runs in its
own frame, and where it yields the ``with`` body runs, in the caller's frame and call
chain, under whatever scopes the generator opened. Then the generator goes on (its
``with`` blocks close) and the caller's state comes back when the ``with`` ends.
"""

from __future__ import annotations

from typing import Any, Callable

from scopelint.model import values as v
from scopelint.model.interpret.names import Names

# The interpreter's call chain (lists kept in step by push_call / pop_call) and recursion
# guard: the with body runs with the caller's, not with the generator's call on top.
_CALL_STATE = ("call_sites", "call_modules", "call_loops", "call_names", "stack")


class Generators(Names):
    def enter_generator(self, context: v.Context, body: Callable[[Any], None]) -> None:
        caller = self.frame
        outer = {name: list(getattr(self, name)) for name in _CALL_STATE}
        ran = False

        def at_yield(value: Any) -> None:
            nonlocal ran
            if ran:
                return  # a generator context runs its body once
            ran = True
            inner = {name: getattr(self, name) for name in _CALL_STATE}
            generator = self.frame
            for name, items in outer.items():
                setattr(self, name, list(items))
            self.frame = caller
            try:
                body(value)
            finally:
                for name, items in inner.items():
                    setattr(self, name, items)
                self.frame = generator

        self.call_function(context.args["func"], list(context.args["args"]), dict(context.args["kwargs"]),
                           context.args["call"], on_yield=at_yield)
        if not ran:
            # The generator ended (or the model lost it) before yielding: the body still runs here.
            ran = True
            body(v.Unknown("generator context"))

    def yielded(self, value: Any) -> Any:
        if self.frame.on_yield is not None:
            self.frame.on_yield(value)
        return v.Unknown("sent value")
