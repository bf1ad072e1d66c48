"""Dies of a signal, as a native crash would."""
import os
import signal

import tensorflow.compat.v1 as tf

w = tf.get_variable("w", [1])
os.kill(os.getpid(), signal.SIGSEGV)
