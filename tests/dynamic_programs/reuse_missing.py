"""reuse=True on a scope where the variable was never created: SL202."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

with tf.variable_scope("encoder"):
    w = tf.get_variable("w", [3, 3])
with tf.variable_scope("decoder", reuse=True):
    w2 = tf.get_variable("w", [3, 3])
