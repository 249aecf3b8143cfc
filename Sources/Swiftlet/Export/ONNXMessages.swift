// The ONNX messages an exported model is made of, with the field numbers of onnx/onnx.proto
// (proto2): ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto
// (with TypeProto.Tensor and TensorShapeProto) and OperatorSetIdProto. Only the fields
// export sets are modelled. Each message encodes its fields in field-number order.

/// ModelProto: the file. `ir_version` 1, `producer_name` 2, `producer_version` 3,
/// `doc_string` 6, `graph` 7, `opset_import` 8, `metadata_props` 14.
public struct ONNXModel: Equatable {
    /// The ONNX IR version the file follows; runtimes refuse versions newer than they know.
    public var irVersion: Int64
    /// (domain, version) pairs; "" is the default domain, ai.onnx.
    public var opsetImports: [(domain: String, version: Int64)]
    /// The tool that wrote the model, shown by viewers such as Netron.
    public var producerName: String
    /// The version of that tool.
    public var producerVersion: String
    /// Free text describing the model; left out of the file when empty.
    public var docString: String
    /// The computation: nodes, weights and the graph's inputs and outputs.
    public var graph: ONNXGraph
    /// Key–value pairs, in the order given.
    public var metadata: [(key: String, value: String)]

    /// Field by field; the tuple arrays keep the synthesized conformance from applying.
    public static func == (a: ONNXModel, b: ONNXModel) -> Bool {
        a.irVersion == b.irVersion && a.opsetImports.elementsEqual(b.opsetImports, by: ==) && a.producerName == b.producerName
            && a.producerVersion == b.producerVersion && a.docString == b.docString && a.graph == b.graph
            && a.metadata.elementsEqual(b.metadata, by: ==)
    }

    /// The protobuf bytes of the model: what a `.onnx` file holds.
    public func serialized() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.int64(1, irVersion)
        writer.string(2, producerName)
        writer.string(3, producerVersion)
        if !docString.isEmpty { writer.string(6, docString) }
        writer.message(7) { graph.encode(into: &$0) }
        for (domain, version) in opsetImports {
            writer.message(8) { opset in
                opset.string(1, domain)       // OperatorSetIdProto.domain
                opset.int64(2, version)       // OperatorSetIdProto.version
            }
        }
        for (key, value) in metadata {
            writer.message(14) { entry in     // StringStringEntryProto
                entry.string(1, key)
                entry.string(2, value)
            }
        }
        return writer.bytes
    }
}

/// GraphProto: `node` 1, `name` 2, `initializer` 5, `doc_string` 10, `input` 11, `output` 12.
public struct ONNXGraph: Equatable {
    /// The graph's name, which ONNX requires.
    public var name: String
    /// In execution order (topologically sorted, as ONNX requires).
    public var nodes: [ONNXNode]
    /// The constant tensors (weights, biases, shapes) that nodes read by name.
    public var initializers: [ONNXTensor]
    /// The values a caller feeds, with element type and shape.
    public var inputs: [ONNXValueInfo]
    /// The values the graph returns.
    public var outputs: [ONNXValueInfo]

    func encode(into writer: inout ProtobufWriter) {
        for node in nodes { writer.message(1) { node.encode(into: &$0) } }
        writer.string(2, name)
        for tensor in initializers { writer.message(5) { tensor.encode(into: &$0) } }
        for input in inputs { writer.message(11) { input.encode(into: &$0) } }
        for output in outputs { writer.message(12) { output.encode(into: &$0) } }
    }
}

/// NodeProto: `input` 1, `output` 2, `name` 3, `op_type` 4, `attribute` 5, `domain` 7.
public struct ONNXNode: Equatable {
    /// Value names; "" marks an optional input left out.
    public var inputs: [String]
    /// Names of the values the node produces; later nodes read them by these names.
    public var outputs: [String]
    /// Optional; "" leaves the field out.
    public var name: String
    /// The operator, e.g. "Conv" or "QLinearMatMul", in the opset of the model's default domain.
    public var opType: String
    /// The operator's settings (strides, axis, …), in the order written.
    public var attributes: [ONNXAttribute]

    /// A node running `opType` on the values named `inputs`, producing `outputs`.
    public init(_ opType: String, inputs: [String], outputs: [String], name: String, attributes: [ONNXAttribute] = []) {
        self.opType = opType
        self.inputs = inputs
        self.outputs = outputs
        self.name = name
        self.attributes = attributes
    }

    /// The attribute called `name`, if the node has it.
    public func attribute(_ name: String) -> ONNXAttribute.Value? {
        attributes.first { $0.name == name }?.value
    }

    func encode(into writer: inout ProtobufWriter) {
        for input in inputs { writer.string(1, input) }
        for output in outputs { writer.string(2, output) }
        if !name.isEmpty { writer.string(3, name) }
        writer.string(4, opType)
        for attribute in attributes { writer.message(5) { attribute.encode(into: &$0) } }
    }
}

/// AttributeProto: `name` 1, `f` 2, `i` 3, `s` 4, `floats` 7, `ints` 8, `type` 20 (AttributeType
/// FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7). Repeated numbers are unpacked, as proto2
/// declares them.
public struct ONNXAttribute: Equatable {
    /// An attribute's value: one of the AttributeProto types export writes.
    public enum Value: Equatable {
        /// An integer (INT).
        case int(Int64)
        /// A float (FLOAT).
        case float(Float)
        /// A string (STRING).
        case string(String)
        /// A list of integers (INTS), e.g. strides or pads.
        case ints([Int64])
        /// A list of floats (FLOATS).
        case floats([Float])
    }

    /// The attribute's name as the operator's specification spells it.
    public var name: String
    /// The attribute's value.
    public var value: Value

    /// An attribute called `name` holding `value`.
    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    /// An INT attribute from a Swift `Int`.
    public static func int(_ name: String, _ value: Int) -> ONNXAttribute { ONNXAttribute(name, .int(Int64(value))) }
    /// An INTS attribute from Swift `Int`s.
    public static func ints(_ name: String, _ values: [Int]) -> ONNXAttribute { ONNXAttribute(name, .ints(values.map(Int64.init))) }
    /// A FLOAT attribute.
    public static func float(_ name: String, _ value: Float) -> ONNXAttribute { ONNXAttribute(name, .float(value)) }

    func encode(into writer: inout ProtobufWriter) {
        writer.string(1, name)
        let type: Int64
        switch value {
        case let .float(f): writer.float(2, f); type = 1
        case let .int(i): writer.int64(3, i); type = 2
        case let .string(s): writer.string(4, s); type = 3
        case let .floats(values): for f in values { writer.float(7, f) }; type = 6
        case let .ints(values): for i in values { writer.int64(8, i) }; type = 7
        }
        writer.int64(20, type)
    }
}

/// TensorProto: `dims` 1, `data_type` 2, `name` 8, `raw_data` 9 (row-major, little-endian).
public struct ONNXTensor: Equatable {
    /// TensorProto.DataType.
    public enum DataType: Int64 {
        /// The element types export writes: FLOAT, UINT8, INT8, INT32, INT64 (ONNX's codes).
        case float = 1, uint8 = 2, int8 = 3, int32 = 6, int64 = 7

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .uint8, .int8: return 1
            case .float, .int32: return 4
            case .int64: return 8
            }
        }
    }

    /// The name nodes use to read the tensor.
    public var name: String
    /// The element type of `rawData`.
    public var dataType: DataType
    /// The shape, outermost first.
    public var dims: [Int]
    /// The elements, row-major and little-endian, `dims`' product times `dataType.byteCount` bytes.
    public var rawData: [UInt8]

    /// A tensor from its bytes, which must fill `dims` exactly (a programming error otherwise).
    public init(name: String, dataType: DataType, dims: [Int], rawData: [UInt8]) {
        precondition(dims.reduce(1, *) * dataType.byteCount == rawData.count, "\(rawData.count) bytes do not fill \(dataType) \(dims)")
        self.name = name
        self.dataType = dataType
        self.dims = dims
        self.rawData = rawData
    }

    /// A FLOAT tensor of `floats` with shape `dims`.
    public init(name: String, floats: [Float], dims: [Int]) {
        self.init(name: name, dataType: .float, dims: dims, rawData: littleEndian(floats.map(\.bitPattern)))
    }

    /// An INT64 tensor of `int64s` with shape `dims` (e.g. a Reshape's target shape).
    public init(name: String, int64s: [Int64], dims: [Int]) {
        self.init(name: name, dataType: .int64, dims: dims, rawData: littleEndian(int64s))
    }

    /// An INT32 tensor of `int32s` with shape `dims` (e.g. a quantized bias).
    public init(name: String, int32s: [Int32], dims: [Int]) {
        self.init(name: name, dataType: .int32, dims: dims, rawData: littleEndian(int32s))
    }

    /// An INT8 tensor of `int8s` with shape `dims` (e.g. quantized weights).
    public init(name: String, int8s: [Int8], dims: [Int]) {
        self.init(name: name, dataType: .int8, dims: dims, rawData: int8s.map { UInt8(bitPattern: $0) })
    }

    /// A UINT8 tensor of `uint8s` with shape `dims` (e.g. a zero point).
    public init(name: String, uint8s: [UInt8], dims: [Int]) {
        self.init(name: name, dataType: .uint8, dims: dims, rawData: uint8s)
    }

    /// The elements as Float (float tensors only).
    public var floats: [Float]? {
        guard dataType == .float else { return nil }
        return stride(from: 0, to: rawData.count, by: 4).map { offset in
            Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(rawData[offset + $1]) << UInt32(8 * $1) })
        }
    }

    func encode(into writer: inout ProtobufWriter) {
        for dim in dims { writer.int64(1, Int64(dim)) }
        writer.int64(2, dataType.rawValue)
        writer.string(8, name)
        writer.bytes(9, rawData)
    }
}

/// ValueInfoProto (`name` 1, `type` 2) of a tensor: TypeProto.`tensor_type` 1 →
/// TypeProto.Tensor (`elem_type` 1, `shape` 2) → TensorShapeProto.`dim` 1 → Dimension
/// (`dim_value` 1 or `dim_param` 2).
public struct ONNXValueInfo: Equatable {
    /// One dimension of a value's shape: a fixed size or a name.
    public enum Dimension: Equatable {
        /// A fixed size.
        case value(Int)
        /// A named dimension of any size ("batch").
        case parameter(String)
    }

    /// The value's name, as nodes refer to it.
    public var name: String
    /// The element type.
    public var elementType: ONNXTensor.DataType
    /// The shape, outermost first.
    public var shape: [Dimension]

    /// The type and shape of the value called `name`.
    public init(name: String, elementType: ONNXTensor.DataType, shape: [Dimension]) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }

    func encode(into writer: inout ProtobufWriter) {
        writer.string(1, name)
        writer.message(2) { type in
            type.message(1) { tensor in
                tensor.int64(1, elementType.rawValue)
                tensor.message(2) { shapeWriter in
                    for dimension in shape {
                        shapeWriter.message(1) { dim in
                            switch dimension {
                            case let .value(size): dim.int64(1, Int64(size))
                            case let .parameter(name): dim.string(2, name)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Little-endian bytes of fixed-width integers.
private func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    var bytes = [UInt8]()
    bytes.reserveCapacity(values.count * MemoryLayout<T>.size)
    for value in values {
        let little = value.littleEndian
        withUnsafeBytes(of: little) { bytes.append(contentsOf: $0) }
    }
    return bytes
}
