"""Calls the package's builder twice without reuse: TF raises inside layers.py."""
import tensorflow.compat.v1 as tf

from .layers import encoder

tf.disable_v2_behavior()

x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope("enc"):
    a = encoder(x)
with tf.variable_scope("enc"):
    b = encoder(x)
