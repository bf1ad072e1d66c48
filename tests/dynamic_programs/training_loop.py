"""Builds a graph, then trains forever: the trace must stop at the first Session.run."""
import argparse

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

parser = argparse.ArgumentParser()
parser.add_argument("--marker")
args, _ = parser.parse_known_args()
x = tf.placeholder(tf.float32, [None, 3])
w = tf.get_variable("w", [3, 1])
loss = tf.reduce_mean(tf.matmul(x, w))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    while True:
        sess.run(train_op, {x: [[1.0, 2.0, 3.0]]})
        if args.marker:
            open(args.marker, "w").write("training ran")
