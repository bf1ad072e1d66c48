"""get_variable ignores name_scope: the variable is "w", not "block/w" (SL101)."""
import tensorflow as tf

with tf.name_scope("block"):
    w = tf.get_variable("w", [2])
    v = tf.Variable(tf.zeros([2]), name="v")
