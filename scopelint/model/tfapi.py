"""What each TF API does to scopes and variables, as a table.

Keys are canonical names (see :mod:`scopelint.model.imports`). Every entry was
checked against TF 2.21 ``tf.compat.v1`` with tf-keras and tf-slim 1.1.0; the
``tf`` tests in tests/test_model_tf.py and tests/test_explain_names_tf.py hold
the proof.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayerSpec:
    """A layer that creates its variables under a variable scope of its own.

    ``default``: the scope's default name, uniquified (``dense``, ``dense_1``).
    ``variables``: names relative to that scope; ``bias_var``: dropped when
    ``use_bias=False`` / ``biases_initializer=None`` / a slim ``normalizer_fn``.
    ``name_kw``: the argument that names the scope (``name`` / ``scope``).
    """

    default: str
    variables: tuple[str, ...]
    bias_var: str | None = None
    name_kw: str = "name"
    name_index: int | None = None  # positional index of name_kw, where it has one
    family: str = "tf.layers"  # "tf.layers" | "slim" | "keras"


def _tfl(default: str, *variables: str, bias: str | None = "bias") -> LayerSpec:
    return LayerSpec(default, variables + ((bias,) if bias else ()), bias, "name", None, "tf.layers")


def _slim(default: str, *variables: str, bias: str | None = "biases") -> LayerSpec:
    return LayerSpec(default, variables + ((bias,) if bias else ()), bias, "scope", None, "slim")


# tf.layers.<function>(inputs, ...): keyword name=, reuse=.
TF_LAYER_FUNCTIONS: dict[str, LayerSpec] = {
    "tf.layers.dense": _tfl("dense", "kernel"),
    "tf.layers.conv1d": _tfl("conv1d", "kernel"),
    "tf.layers.conv2d": _tfl("conv2d", "kernel"),
    "tf.layers.conv3d": _tfl("conv3d", "kernel"),
    "tf.layers.conv2d_transpose": _tfl("conv2d_transpose", "kernel"),
    "tf.layers.conv3d_transpose": _tfl("conv3d_transpose", "kernel"),
    "tf.layers.separable_conv1d": _tfl("separable_conv1d", "depthwise_kernel", "pointwise_kernel"),
    "tf.layers.separable_conv2d": _tfl("separable_conv2d", "depthwise_kernel", "pointwise_kernel"),
    "tf.layers.batch_normalization": _tfl("batch_normalization", "gamma", "beta", "moving_mean", "moving_variance", bias=None),
}

# tf.layers.<Class>(..., name=...) objects, built on their first call.
TF_LAYER_CLASSES: dict[str, LayerSpec] = {
    "tf.layers.Dense": _tfl("dense", "kernel"),
    "tf.layers.Conv1D": _tfl("conv1d", "kernel"),
    "tf.layers.Conv2D": _tfl("conv2d", "kernel"),
    "tf.layers.Conv3D": _tfl("conv3d", "kernel"),
    "tf.layers.Conv2DTranspose": _tfl("conv2d_transpose", "kernel"),
    "tf.layers.SeparableConv2D": _tfl("separable_conv2d", "depthwise_kernel", "pointwise_kernel"),
    "tf.layers.BatchNormalization": _tfl("batch_normalization", "gamma", "beta", "moving_mean", "moving_variance", bias=None),
}

# TF-Slim layers: slim.<fn>(inputs, ..., scope=None, reuse=None).
SLIM_LAYERS: dict[str, LayerSpec] = {
    "slim.conv2d": _slim("Conv", "weights"),
    "slim.convolution": _slim("Conv", "weights"),
    "slim.convolution1d": _slim("Conv", "weights"),
    "slim.convolution2d": _slim("Conv", "weights"),
    "slim.convolution3d": _slim("Conv", "weights"),
    "slim.conv1d": _slim("Conv", "weights"),
    "slim.conv3d": _slim("Conv", "weights"),
    "slim.fully_connected": _slim("fully_connected", "weights"),
    "slim.conv2d_transpose": _slim("Conv2d_transpose", "weights"),
    "slim.convolution2d_transpose": _slim("Conv2d_transpose", "weights"),
    "slim.separable_conv2d": _slim("SeparableConv2d", "depthwise_weights", "pointwise_weights"),
    "slim.separable_convolution2d": _slim("SeparableConv2d", "depthwise_weights", "pointwise_weights"),
    "slim.batch_norm": _slim("BatchNorm", "beta", "moving_mean", "moving_variance", bias=None),
    "slim.layer_norm": _slim("LayerNorm", "beta", "gamma", bias=None),
}

# Keras layer classes: never honour reuse; names uniquified per graph.
KERAS_LAYERS: dict[str, LayerSpec] = {
    "tf.keras.layers.Dense": LayerSpec("dense", ("kernel", "bias"), "bias", family="keras"),
    "tf.keras.layers.Conv1D": LayerSpec("conv1d", ("kernel", "bias"), "bias", family="keras"),
    "tf.keras.layers.Conv2D": LayerSpec("conv2d", ("kernel", "bias"), "bias", family="keras"),
    "tf.keras.layers.Conv3D": LayerSpec("conv3d", ("kernel", "bias"), "bias", family="keras"),
    "tf.keras.layers.Embedding": LayerSpec("embedding", ("embeddings",), None, family="keras"),
}


@dataclass(frozen=True)
class CellSpec:
    scope: str  # the cell's own variable scope name
    variables: tuple[str, ...]


RNN_CELLS: dict[str, CellSpec] = {
    "tf.nn.rnn_cell.BasicLSTMCell": CellSpec("basic_lstm_cell", ("kernel", "bias")),
    "tf.nn.rnn_cell.LSTMCell": CellSpec("lstm_cell", ("kernel", "bias")),
    "tf.nn.rnn_cell.GRUCell": CellSpec("gru_cell", ("gates/kernel", "gates/bias", "candidate/kernel", "candidate/bias")),
    "tf.nn.rnn_cell.BasicRNNCell": CellSpec("basic_rnn_cell", ("kernel", "bias")),
}
CELL_WRAPPERS = frozenset(
    {"tf.nn.rnn_cell.DropoutWrapper", "tf.nn.rnn_cell.ResidualWrapper", "tf.nn.rnn_cell.DeviceWrapper"}
)
MULTI_RNN_CELL = "tf.nn.rnn_cell.MultiRNNCell"

# function -> (default scope, bidirectional, positional index of scope=)
RNN_RUNNERS: dict[str, tuple[str, bool]] = {
    "tf.nn.dynamic_rnn": ("rnn", False),
    "tf.nn.static_rnn": ("rnn", False),
    "tf.nn.rnn_cell.static_rnn": ("rnn", False),
    "tf.nn.bidirectional_dynamic_rnn": ("bidirectional_rnn", True),
    "tf.nn.static_bidirectional_rnn": ("bidirectional_rnn", True),
    "tf.nn.rnn_cell.static_bidirectional_rnn": ("bidirectional_rnn", True),
}

# tf.train optimizers; True: minimize()/apply_gradients() create slot variables
# through variable scopes (and so fail under a leaked reuse=True).
OPTIMIZERS: dict[str, bool] = {
    "tf.train.GradientDescentOptimizer": False,
    "tf.train.ProximalGradientDescentOptimizer": False,
    "tf.train.AdamOptimizer": True,
    "tf.train.MomentumOptimizer": True,
    "tf.train.RMSPropOptimizer": True,
    "tf.train.AdagradOptimizer": True,
    "tf.train.AdagradDAOptimizer": True,
    "tf.train.AdadeltaOptimizer": True,
    "tf.train.FtrlOptimizer": True,
    "tf.train.ProximalAdagradOptimizer": True,
}

# tensornets model constructors: f(inputs, ..., reuse=None) opening
# variable_scope(<scope>, reuse=reuse); the first and the last variables only, enough
# to name collisions and the seed's get_weights()[-1]. Only a fallback: where tensornets'
# source is at hand (--explain-names finds it on sys.path; linting tensornets itself)
# the model follows it instead and gets every name (tests/fidelity.py).
NETS_MODELS: dict[str, str] = {
    name: name.lower()
    for name in (
        "ResNet50 ResNet101 ResNet152 ResNet50v2 ResNet101v2 ResNet152v2 ResNeXt50 ResNeXt101 "
        "VGG16 VGG19 Inception1 Inception2 Inception3 Inception4 InceptionResNet2 DenseNet121 DenseNet169 "
        "DenseNet201 MobileNet25 MobileNet50 MobileNet75 MobileNet100 SqueezeNet NASNetAlarge NASNetAmobile"
    ).split()
}
NETS_VARIABLES: tuple[str, ...] = ("conv1/conv/weights", "logits/weights", "logits/biases")
# Models whose first variable is named otherwise (measured by tests/fidelity.py under TF).
NETS_FIRST_VARIABLE: dict[str, str] = {
    "VGG16": "conv1/1/conv/weights", "Inception3": "block1a/conv/weights", "ResNet50v2": "conv1/weights",
}

# Collection filters: name -> positional index of scope=.
VARIABLE_FILTERS: dict[str, int] = {
    "tf.trainable_variables": 0,
    "tf.global_variables": 0,
    "tf.model_variables": 0,
    "tf.local_variables": 0,
    "slim.get_variables": 0,
    "slim.get_model_variables": 0,
    "slim.get_trainable_variables": 0,
}
# The filters that take only trainable variables.
TRAINABLE_FILTERS = frozenset({"tf.trainable_variables", "slim.get_trainable_variables"})
# GraphKeys whose members are variables (get_collection(key, scope) filters names).
VARIABLE_COLLECTIONS = frozenset(
    {"GLOBAL_VARIABLES", "TRAINABLE_VARIABLES", "MODEL_VARIABLES", "LOCAL_VARIABLES", "VARIABLES"}
)

# APIs that never create variables: anything under these prefixes unless listed above.
INERT_PREFIXES: tuple[str, ...] = (
    "tf.nn.", "tf.math.", "tf.image.", "tf.summary.", "tf.io.", "tf.data.", "tf.errors.", "tf.losses.",
    "tf.logging.", "tf.gfile.", "tf.random.", "tf.linalg.", "tf.strings.", "tf.sparse.", "tf.app.",
    "tf.initializers.", "tf.dtypes.", "tf.test.", "tf.saved_model.", "tf.debugging.", "tf.signal.",
    # tf-slim modules that make no variables (tf_slim.layers.regularizers, .initializers, .utils)
    "slim.regularizers.", "slim.initializers.", "slim.utils.",
)
# Names under tf.layers / slim that create no variables.
INERT_LAYERS = frozenset(
    {
        "tf.layers.max_pooling1d", "tf.layers.max_pooling2d", "tf.layers.max_pooling3d",
        "tf.layers.average_pooling1d", "tf.layers.average_pooling2d", "tf.layers.average_pooling3d",
        "tf.layers.flatten", "tf.layers.dropout", "tf.layers.Flatten", "tf.layers.Dropout",
        "tf.layers.MaxPooling1D", "tf.layers.MaxPooling2D", "tf.layers.MaxPooling3D",
        "tf.layers.AveragePooling1D", "tf.layers.AveragePooling2D", "tf.layers.AveragePooling3D",
        "slim.max_pool2d", "slim.avg_pool2d", "slim.max_pool3d", "slim.avg_pool3d", "slim.flatten", "slim.dropout",
        "slim.softmax", "slim.one_hot_encoding", "slim.l2_regularizer", "slim.l1_regularizer",
        "slim.xavier_initializer", "slim.variance_scaling_initializer", "slim.xavier_initializer_conv2d",
        "slim.l1_l2_regularizer", "slim.apply_regularization", "slim.get_variables_to_restore",
        "slim.assign_from_checkpoint_fn", "slim.bias_add", "slim.unit_norm", "slim.add_arg_scope",
        "slim.summarize_collection", "slim.summarize_tensor", "slim.summarize_activations",
        "slim.get_global_step", "slim.losses", "slim.learning",
        "slim.evaluation", "slim.metrics", "slim.dataset", "slim.dataset_data_provider", "slim.queues",
        "slim.prefetch_queue", "slim.tfexample_decoder", "slim.parallel_reader", "slim.nets",
    }
)

# Arguments of tf.layers / slim layers that do not change which variables they create
# (or whose effect the model handles). Any other argument makes the call opaque.
KNOWN_LAYER_ARGUMENTS = frozenset(
    """
    inputs units filters kernel_size strides stride padding data_format dilation_rate rate activation activation_fn
    use_bias kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer
    kernel_constraint bias_constraint trainable name reuse num_outputs normalizer_fn normalizer_params
    weights_initializer weights_regularizer biases_initializer biases_regularizer variables_collections
    outputs_collections scope is_training training decay momentum epsilon center scale updates_collections
    param_initializers param_regularizers depth_multiplier pointwise_initializer depthwise_initializer
    depthwise_regularizer pointwise_regularizer axis begin_norm_axis begin_params_axis _reuse
    """.split()
)
