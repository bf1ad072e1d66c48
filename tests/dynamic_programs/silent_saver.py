import tensorflow as tf

w = tf.get_variable("w", [3])
saver = tf.train.Saver()
b = tf.get_variable("b", [3])
complete = tf.train.Saver()
partial = tf.train.Saver(var_list=[w])  # a subset on purpose
loss = tf.reduce_sum(tf.square(w + b))
train_op = tf.train.AdamOptimizer(0.1).minimize(loss)
