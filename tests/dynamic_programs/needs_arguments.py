"""A script whose argparse requires an argument: without --dynamic-args it exits with 2."""
import argparse

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", required=True)
args = parser.parse_args()
w = tf.get_variable("w", [1])
