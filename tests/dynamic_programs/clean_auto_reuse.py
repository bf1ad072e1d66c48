"""A builder under AUTO_REUSE, called twice: shares, nothing to report."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def generator(z):
    with tf.variable_scope("generator", reuse=tf.AUTO_REUSE):
        w = tf.get_variable("w", [4, 4])
        return tf.layers.dense(tf.matmul(z, w), 4, name="out")


z = tf.placeholder(tf.float32, [None, 4])
first = generator(z)
second = generator(z)
