"""A builder in another module of the package."""
import tensorflow.compat.v1 as tf


def encoder(x):
    w = tf.get_variable("w", [4, 4])
    return tf.matmul(x, w)
