"""Keras layers ignore reuse: the second tower gets a silent copy (SL204)."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

x = tf.placeholder(tf.float32, [None, 8])
with tf.variable_scope("tower"):
    a = tf.keras.layers.Dense(4, name="fc")(x)
with tf.variable_scope("tower", reuse=True):
    b = tf.keras.layers.Dense(4, name="fc")(x)
