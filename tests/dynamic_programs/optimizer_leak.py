"""reuse_variables() on the root scope leaks into the optimizer: its slots cannot be created."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

x = tf.placeholder(tf.float32, [None, 3])
with tf.variable_scope("model"):
    w = tf.get_variable("w", [3, 1])
tf.get_variable_scope().reuse_variables()
with tf.variable_scope("model"):
    w_again = tf.get_variable("w", [3, 1])
loss = tf.reduce_mean(tf.matmul(x, w))
train_op = tf.train.AdamOptimizer().minimize(loss)
