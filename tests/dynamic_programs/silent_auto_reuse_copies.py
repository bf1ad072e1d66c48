import tensorflow as tf


def layer(x):
    w = tf.Variable(tf.ones([4, 4]), name="w")
    return tf.matmul(x, w)


def head(x):
    return tf.layers.dense(x, 2)


x = tf.placeholder(tf.float32, [None, 4])
with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
    a = layer(x)
with tf.variable_scope("shared", reuse=tf.AUTO_REUSE):
    b = layer(x)
with tf.variable_scope("heads", reuse=tf.AUTO_REUSE):
    p = head(x)
    q = head(x)
with tf.variable_scope("stack", reuse=tf.AUTO_REUSE):
    h = x
    for _ in range(3):
        h = tf.layers.dense(h, 4)  # three layers on purpose: one line in a loop
