"""The script catches the ValueError itself (as tutorials do): the trace still sees it."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

with tf.variable_scope("goo"):
    w = tf.get_variable("w", [1])
    try:
        w2 = tf.get_variable("w", [1])
    except ValueError as exc:
        print(exc)
