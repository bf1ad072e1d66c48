import tensorflow as tf

with tf.name_scope("summaries"):
    a = tf.Variable(0.0, name="a")
with tf.name_scope("summaries"):
    b = tf.Variable(0.0, name="b")
for i in range(2):
    with tf.name_scope("tower"):  # the same statement again: tower, tower_1 is what a loop means
        c = tf.Variable(0.0, name="c")
with tf.name_scope("logs") as logs:
    d = tf.Variable(0.0, name="d")
with tf.name_scope(logs):
    e = tf.Variable(0.0, name="e")
