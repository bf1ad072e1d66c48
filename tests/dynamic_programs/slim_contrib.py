"""TF1-era TF-Slim through tf.contrib: shimmed onto tf_slim."""
import tensorflow as tf

slim = tf.contrib.slim

images = tf.placeholder(tf.float32, [None, 8, 8, 3])
with slim.arg_scope([slim.conv2d], weights_initializer=tf.contrib.layers.xavier_initializer()):
    net = slim.conv2d(images, 4, [3, 3], scope="conv1")
    net = slim.batch_norm(net, scope="bn1")
    net = slim.conv2d(net, 4, [3, 3])
net = slim.flatten(net)
logits = slim.fully_connected(net, 10, activation_fn=None, scope="logits")
