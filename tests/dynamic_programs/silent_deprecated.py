import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 3])
with tf.variable_op_scope([x], None, default_name="block"):
    w = tf.get_variable("w", [3])
with tf.op_scope([x], "scaled"):
    y = x * w
init = tf.initialize_all_variables()
every = tf.get_collection(tf.GraphKeys.VARIABLES)
names = [v.name for v in tf.all_variables()]
fresh = tf.global_variables_initializer()
