"""reset_default_graph between builds: a fresh store, no collision."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

w = tf.get_variable("w", [2])
tf.reset_default_graph()
w = tf.get_variable("w", [2])
