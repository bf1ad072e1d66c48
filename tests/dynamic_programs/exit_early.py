"""Leaves through os._exit, past every handler."""
import os

import tensorflow.compat.v1 as tf

w = tf.get_variable("w", [1])
os._exit(3)
