"""Never ends: the per-file timeout must stop it."""
import time

import tensorflow.compat.v1 as tf

w = tf.get_variable("w", [1])
while True:
    time.sleep(0.05)
