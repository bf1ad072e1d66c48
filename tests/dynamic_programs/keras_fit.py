"""A Keras training script: the trace stops at fit(), after the model is built."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

model = tf.keras.Sequential([tf.keras.layers.Dense(4, input_shape=(3,), name="hidden")])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.zeros((8, 3)), np.zeros((8, 4)), epochs=1000, verbose=0)
