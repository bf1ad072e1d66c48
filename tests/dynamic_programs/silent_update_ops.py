import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 3])
h = tf.layers.batch_normalization(x, training=True)
loss = tf.reduce_mean(tf.square(h - 1.0))
optimizer = tf.train.GradientDescentOptimizer(0.1)
train_op = optimizer.minimize(loss)
