"""The second call opens the scope with reuse=True: shares, nothing to report."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.layers.dense(x, 8, name="h0")
        return tf.layers.dense(h, 1, name="out")


x = tf.placeholder(tf.float32, [None, 4])
d_real = discriminator(x)
d_fake = discriminator(x, reuse=True)
