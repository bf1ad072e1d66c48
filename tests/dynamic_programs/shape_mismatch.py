"""Sharing a variable with a different shape: SL205."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

with tf.variable_scope("layer"):
    w = tf.get_variable("w", [3, 4])
with tf.variable_scope("layer", reuse=True):
    w2 = tf.get_variable("w", [4, 4])
