import tensorflow.compat.v1 as tf

from model import DCGAN

flags = tf.app.flags
flags.DEFINE_integer("epoch", 1, "Epochs to train")
flags.DEFINE_float("learning_rate", 0.0002, "Learning rate for Adam")
flags.DEFINE_float("beta1", 0.5, "Momentum term of Adam")
flags.DEFINE_integer("batch_size", 4, "The size of batch images")
FLAGS = flags.FLAGS


def main(_):
    with tf.Session() as sess:
        dcgan = DCGAN(sess, batch_size=FLAGS.batch_size)
        dcgan.train(FLAGS)


if __name__ == '__main__':
    tf.app.run(main)
