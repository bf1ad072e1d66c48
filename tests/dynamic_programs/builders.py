"""Builders for `scopelint trace builders.py:FUNCTION --input-shape 2,8`."""
import tensorflow.compat.v1 as tf


def shared_by_get_variable(x):
    w = tf.get_variable("w", [8, 4])
    return tf.matmul(x, w)


def default_named_layers(x):
    return tf.layers.dense(x, 4)


def keras_layers(x):
    return tf.keras.layers.Dense(4)(x)


def auto_reuse(x):
    with tf.variable_scope("net", reuse=tf.AUTO_REUSE):
        return tf.layers.dense(x, 4, name="fc")


def no_variables(x):
    return tf.nn.relu(x)
