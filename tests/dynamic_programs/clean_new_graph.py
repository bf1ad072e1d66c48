"""The same model built in two graphs: each graph has its own variable store."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def build():
    return tf.get_variable("w", [2, 2])


for _ in range(2):
    with tf.Graph().as_default():
        build()
