"""tf.train.MonitoredTrainingSession runs init ops as it opens: the trace stops there."""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

global_step = tf.train.get_or_create_global_step()
w = tf.get_variable("w", [2])
train_op = tf.assign_add(global_step, 1)
with tf.train.MonitoredTrainingSession() as sess:
    while not sess.should_stop():
        sess.run(train_op)
