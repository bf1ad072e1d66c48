"""Raises an ordinary error halfway through."""
import tensorflow.compat.v1 as tf

w = tf.get_variable("w", [1])
raise RuntimeError("data directory not found")
