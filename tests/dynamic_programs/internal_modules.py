"""Library-style spelling through TF's internal modules: the same collision as tf.get_variable."""
import tensorflow.compat.v1 as tf
from tensorflow.python.ops import variable_scope

tf.disable_v2_behavior()

with variable_scope.variable_scope("block"):
    a = variable_scope.get_variable("kernel", [2, 2])
with variable_scope.variable_scope("block"):
    b = variable_scope.get_variable("kernel", [2, 2])
