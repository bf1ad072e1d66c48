import tensorflow as tf

x, is_training = tf.placeholder(tf.float32, [None, 3]), tf.placeholder_with_default(True, [])
h = tf.layers.batch_normalization(x, training=is_training)
loss = tf.reduce_mean(tf.square(h - 1.0))
optimizer = tf.train.GradientDescentOptimizer(0.1)
train_op = optimizer.minimize(loss)
