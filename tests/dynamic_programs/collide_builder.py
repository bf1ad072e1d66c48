"""A builder called twice in the same variable scope without reuse: SL201 on the second call."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def discriminator(x):
    w = tf.get_variable("w", [4, 1])
    return tf.matmul(x, w)


images = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope("discriminator"):
    real = discriminator(images)
with tf.variable_scope("discriminator"):
    fake = discriminator(images)
print("never printed: TF raised above")
