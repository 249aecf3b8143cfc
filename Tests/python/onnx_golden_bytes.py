"""Golden bytes for Swiftlet's protobuf/ONNX encoder (Tests/SwiftletTests/ONNXEncoderTests.swift).

Each message is built with the `onnx` package's own helpers and serialized by protobuf;
the Swift test encodes the same message and expects these bytes exactly.
  python Tests/python/onnx_golden_bytes.py
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

def show(name, message):
    print(f"{name}: {message.SerializeToString().hex()}")

show("attribute int", helper.make_attribute("axis", 1))
show("attribute ints", helper.make_attribute("pads", [0, 1, -1]))
show("attribute float", helper.make_attribute("epsilon", 1e-5))
tensor = numpy_helper.from_array(np.array([1.0, -2.0], dtype=np.float32), "w")
show("tensor", tensor)
show("node", helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3]))
show("value info", helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 28, 28]))
graph = helper.make_graph([helper.make_node("Relu", ["input"], ["output"])], "g",
                          [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 2])],
                          [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 2])],
                          initializer=[tensor])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8,
                          producer_name="swiftlet", producer_version="0.1.0")
show("model", model)
