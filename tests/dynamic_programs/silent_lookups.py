import tensorflow as tf

with tf.variable_scope("encoder"):
    w = tf.get_variable("w", [3, 3])
graph = tf.get_default_graph()
assert graph.get_tensor_by_name("encoder/w:0") is not None
try:
    cached = graph.get_tensor_by_name("cache/x:0")  # an expected miss: caught
except KeyError:
    cached = None
with tf.name_scope("decoder"):
    v = tf.get_variable("v", [3])
v_again = graph.get_tensor_by_name("decoder/v:0")
