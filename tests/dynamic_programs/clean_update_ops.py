import tensorflow as tf
import tf_slim as slim

x = tf.placeholder(tf.float32, [None, 3])
h = tf.layers.batch_normalization(x, training=True)
loss = tf.reduce_mean(tf.square(h - 1.0))
update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
with tf.control_dependencies(update_ops):
    guarded = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
plain = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
grouped = tf.group(plain, *update_ops)  # runs the updates with the train op
# create_train_op makes its loss depend on UPDATE_OPS itself
slim_op = slim.learning.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1))
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(grouped)
