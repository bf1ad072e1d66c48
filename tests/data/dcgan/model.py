from __future__ import division

import numpy as np
import tensorflow.compat.v1 as tf

from ops import *


class DCGAN(object):
    def __init__(self, sess, input_height=8, input_width=8, batch_size=4, z_dim=10,
                 gf_dim=4, df_dim=4, c_dim=1):
        self.sess = sess
        self.batch_size = batch_size
        self.input_height = input_height
        self.input_width = input_width
        self.z_dim = z_dim
        self.gf_dim = gf_dim
        self.df_dim = df_dim
        self.c_dim = c_dim
        self.build_model()

    def build_model(self):
        image_dims = [self.input_height, self.input_width, self.c_dim]
        self.inputs = tf.placeholder(tf.float32, [self.batch_size] + image_dims, name='real_images')
        self.z = tf.placeholder(tf.float32, [None, self.z_dim], name='z')

        self.G = self.generator(self.z)
        self.D, self.D_logits = self.discriminator(self.inputs, reuse=False)
        self.D_, self.D_logits_ = self.discriminator(self.G, reuse=True)

        self.d_loss_real = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(logits=self.D_logits, labels=tf.ones_like(self.D)))
        self.d_loss_fake = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(logits=self.D_logits_, labels=tf.zeros_like(self.D_)))
        self.g_loss = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(logits=self.D_logits_, labels=tf.ones_like(self.D_)))
        self.d_loss = self.d_loss_real + self.d_loss_fake

        t_vars = tf.trainable_variables()
        self.d_vars = [var for var in t_vars if 'd_' in var.name]
        self.g_vars = [var for var in t_vars if 'g_' in var.name]

    def train(self, config):
        d_optim = tf.train.AdamOptimizer(config.learning_rate, beta1=config.beta1) \
            .minimize(self.d_loss, var_list=self.d_vars)
        g_optim = tf.train.AdamOptimizer(config.learning_rate, beta1=config.beta1) \
            .minimize(self.g_loss, var_list=self.g_vars)
        self.saver = tf.train.Saver()
        tf.global_variables_initializer().run()
        for epoch in range(config.epoch):
            batch_z = np.random.uniform(-1, 1, [self.batch_size, self.z_dim]).astype(np.float32)
            batch_images = np.random.uniform(-1, 1, [self.batch_size, self.input_height, self.input_width,
                                                     self.c_dim]).astype(np.float32)
            self.sess.run([d_optim, g_optim], feed_dict={self.inputs: batch_images, self.z: batch_z})

    def discriminator(self, image, reuse=False):
        if reuse:
            tf.get_variable_scope().reuse_variables()
        h0 = lrelu(conv2d(image, self.df_dim, name='d_h0_conv'))
        h1 = lrelu(conv2d(h0, self.df_dim * 2, name='d_h1_conv'))
        h2 = linear(tf.reshape(h1, [self.batch_size, -1]), 1, 'd_h2_lin')
        return tf.nn.sigmoid(h2), h2

    def generator(self, z):
        h0 = tf.nn.relu(linear(z, self.gf_dim * 4, 'g_h0_lin'))
        h1 = linear(h0, self.input_height * self.input_width * self.c_dim, 'g_h1_lin')
        return tf.nn.tanh(tf.reshape(h1, [-1, self.input_height, self.input_width, self.c_dim]))
