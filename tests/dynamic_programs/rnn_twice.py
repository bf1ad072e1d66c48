"""The notebook classic: a second dynamic_rnn in the same graph collides on rnn/basic_lstm_cell."""
import tensorflow as tf

inputs = tf.placeholder(tf.float32, [None, 5, 3])
cell = tf.contrib.rnn.BasicLSTMCell(4)
outputs, state = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
cell2 = tf.contrib.rnn.BasicLSTMCell(4)
outputs2, state2 = tf.nn.dynamic_rnn(cell2, inputs, dtype=tf.float32)
