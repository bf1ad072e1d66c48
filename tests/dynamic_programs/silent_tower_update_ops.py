import tensorflow as tf

for i in range(2):
    with tf.name_scope("tower_%d" % i):
        x = tf.placeholder(tf.float32, [None, 3])
        h = tf.layers.batch_normalization(x, training=True, name="bn", reuse=tf.AUTO_REUSE)
        tower_updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
for i in range(2):
    with tf.name_scope("clean_%d" % i) as scope:
        y = tf.placeholder(tf.float32, [None, 3])
        k = tf.layers.batch_normalization(y, training=True, name="cbn", reuse=tf.AUTO_REUSE)
        own_updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope)
