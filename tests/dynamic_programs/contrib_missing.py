"""tf.contrib.learn has no TF 2.x counterpart: reported as unsupported, not a traceback."""
import tensorflow as tf

w = tf.get_variable("w", [1])
from tensorflow.contrib import learn  # noqa: E402

print(learn)
