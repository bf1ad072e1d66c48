"""Dynamic mode: run a file under TF1 graph mode in a child process and record
what TensorFlow really does (variables created and reused, scope errors).

Nothing here is imported by the static path. The parent side
(:mod:`.runner`, :mod:`.reconcile`, :mod:`.cli`) never imports TensorFlow
either: only the child process does (:mod:`.child`, :mod:`.hooks`,
:mod:`.shims`, :mod:`.builder`).
"""
