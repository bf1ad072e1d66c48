import tensorflow as tf

with tf.variable_scope("d"):
    w = tf.get_variable("w", [3])
with tf.variable_scope("decoder"):
    v = tf.get_variable("v", [3])
with tf.name_scope("gen"):
    g = tf.get_variable("g", [3])
d_only = tf.trainable_variables(scope="d/")
d_vars = tf.trainable_variables(scope="d")
gen_vars = tf.trainable_variables(scope="gen")
assert len(tf.trainable_variables(scope="d")) == 2  # a test that counts what the filter takes
