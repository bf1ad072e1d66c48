"""Scripts build under `if __name__ == "__main__":`, reading sys.argv (--dynamic-args)."""
import argparse

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def build(width):
    with tf.variable_scope("model"):
        return tf.get_variable(f"w{width}", [width])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1)
    args, _ = parser.parse_known_args()
    build(args.width)
