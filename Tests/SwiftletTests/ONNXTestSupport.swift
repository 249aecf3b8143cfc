import Foundation
@testable import Swiftlet

// What the export tests read written files with, written apart from the encoder: a protobuf
// wire-format reader, an ONNX decoder for the fields export writes (field numbers from
// onnx/onnx.proto, transcribed again here), and a reference runner that executes a decoded
// graph with Swiftlet's float ops and ONNX's QuantizeLinear/DequantizeLinear arithmetic —
// so a file's meaning is checked without Python.

/// One field of a protobuf message as it lies on the wire.
enum WireValue: Equatable {
    case varint(UInt64)
    case fixed32(UInt32)
    case fixed64(UInt64)
    case bytes([UInt8])

    var bytes: [UInt8]? { if case let .bytes(b) = self { return b }; return nil }
    var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    var int: Int64? { if case let .varint(v) = self { return Int64(bitPattern: v) }; return nil }
}

struct WireError: Error, CustomStringConvertible {
    let description: String
}

/// Splits a message into its fields, in order.
func protobufFields(_ bytes: [UInt8]) throws -> [(field: Int, value: WireValue)] {
    var fields: [(Int, WireValue)] = []
    var index = 0
    func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard index < bytes.count, shift < 64 else { throw WireError(description: "truncated varint at \(index)") }
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }
    func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, index + count <= bytes.count else { throw WireError(description: "field of \(count) bytes overruns at \(index)") }
        defer { index += count }
        return Array(bytes[index..<index + count])
    }
    while index < bytes.count {
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: fields.append((field, .varint(try varint())))
        case 1: fields.append((field, .fixed64(try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) })))
        case 2: fields.append((field, .bytes(try take(Int(try varint())))))
        case 5: fields.append((field, .fixed32(try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) })))
        case let type: throw WireError(description: "wire type \(type) of field \(field)")
        }
    }
    return fields
}

/// A decoded ONNX model: what the tests look at.
struct DecodedModel {
    struct Node {
        var opType = "", name = "", inputs: [String] = [], outputs: [String] = []
        var attributes: [String: DecodedAttribute] = [:]
    }
    struct Initializer {
        var name = "", dataType: Int64 = 0, dims: [Int] = [], raw: [UInt8] = []
        var floats: [Float] {
            stride(from: 0, to: raw.count, by: 4).map { i in Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[i + $1]) << (8 * UInt32($1)) }) }
        }
        /// Integer elements of an int8, uint8, int32 or int64 tensor.
        var integers: [Int64] {
            switch dataType {
            case 2: return raw.map { Int64($0) }
            case 3: return raw.map { Int64(Int8(bitPattern: $0)) }
            case 6: return stride(from: 0, to: raw.count, by: 4).map { i in Int64(Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[i + $1]) << (8 * UInt32($1)) })) }
            case 7: return stride(from: 0, to: raw.count, by: 8).map { i in Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(raw[i + $1]) << (8 * UInt64($1)) }) }
            default: return []
            }
        }
    }
    enum Dimension: Equatable { case value(Int), parameter(String) }
    struct ValueInfo { var name = "", elementType: Int64 = 0, shape: [Dimension] = [] }

    var irVersion: Int64 = 0
    var opsets: [(domain: String, version: Int64)] = []
    var producer = "", docString = ""
    var metadata: [String: String] = [:]
    var graphName = ""
    var nodes: [Node] = []
    var initializers: [String: Initializer] = [:]
    var initializerOrder: [String] = []
    var inputs: [ValueInfo] = []
    var outputs: [ValueInfo] = []

    var opTypes: [String] { nodes.map(\.opType) }

    init(_ bytes: [UInt8]) throws {
        for (field, value) in try protobufFields(bytes) {
            switch field {
            case 1: irVersion = value.int ?? -1
            case 2: producer = value.string ?? ""
            case 6: docString = value.string ?? ""
            case 7: try decodeGraph(value.bytes ?? [])
            case 8:
                var opset: (String, Int64) = ("", 0)
                for (f, v) in try protobufFields(value.bytes ?? []) {
                    if f == 1 { opset.0 = v.string ?? "" } else if f == 2 { opset.1 = v.int ?? 0 }
                }
                opsets.append(opset)
            case 14:
                let entry = try protobufFields(value.bytes ?? [])
                metadata[entry.first { $0.field == 1 }?.value.string ?? ""] = entry.first { $0.field == 2 }?.value.string ?? ""
            default: break
            }
        }
    }

    private mutating func decodeGraph(_ bytes: [UInt8]) throws {
        for (field, value) in try protobufFields(bytes) {
            switch field {
            case 1: nodes.append(try Self.node(value.bytes ?? []))
            case 2: graphName = value.string ?? ""
            case 5:
                var tensor = Initializer()
                for (f, v) in try protobufFields(value.bytes ?? []) {
                    switch f {
                    case 1: tensor.dims.append(Int(v.int ?? -1))
                    case 2: tensor.dataType = v.int ?? 0
                    case 8: tensor.name = v.string ?? ""
                    case 9: tensor.raw = v.bytes ?? []
                    default: throw WireError(description: "unexpected TensorProto field \(f)")
                    }
                }
                initializers[tensor.name] = tensor
                initializerOrder.append(tensor.name)
            case 11: inputs.append(try Self.valueInfo(value.bytes ?? []))
            case 12: outputs.append(try Self.valueInfo(value.bytes ?? []))
            default: throw WireError(description: "unexpected GraphProto field \(field)")
            }
        }
    }

    private static func node(_ bytes: [UInt8]) throws -> Node {
        var node = Node()
        for (field, value) in try protobufFields(bytes) {
            switch field {
            case 1: node.inputs.append(value.string ?? "")
            case 2: node.outputs.append(value.string ?? "")
            case 3: node.name = value.string ?? ""
            case 4: node.opType = value.string ?? ""
            case 5:
                let attribute = try DecodedAttribute(value.bytes ?? [])
                node.attributes[attribute.name] = attribute
            default: throw WireError(description: "unexpected NodeProto field \(field)")
            }
        }
        return node
    }

    private static func valueInfo(_ bytes: [UInt8]) throws -> ValueInfo {
        var info = ValueInfo()
        for (field, value) in try protobufFields(bytes) {
            if field == 1 { info.name = value.string ?? ""; continue }
            guard field == 2, let tensorType = try protobufFields(value.bytes ?? []).first(where: { $0.field == 1 })?.value.bytes else { continue }
            for (f, v) in try protobufFields(tensorType) {
                if f == 1 { info.elementType = v.int ?? 0 }
                guard f == 2 else { continue }
                for (_, dimension) in try protobufFields(v.bytes ?? []) {
                    let parts = try protobufFields(dimension.bytes ?? [])
                    if let size = parts.first(where: { $0.field == 1 })?.value.int { info.shape.append(.value(Int(size))) }
                    if let name = parts.first(where: { $0.field == 2 })?.value.string { info.shape.append(.parameter(name)) }
                }
            }
        }
        return info
    }

    /// The node that computes `value`.
    func producer(of value: String) -> Node? { nodes.first { $0.outputs.contains(value) } }
}

/// AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, type 20.
struct DecodedAttribute {
    var name = "", type: Int64 = 0
    var f: Float?, i: Int64?, s: String?
    var floats: [Float] = [], ints: [Int64] = []

    init(_ bytes: [UInt8]) throws {
        for (field, value) in try protobufFields(bytes) {
            switch (field, value) {
            case (1, _): name = value.string ?? ""
            case let (2, .fixed32(bits)): f = Float(bitPattern: bits)
            case let (3, .varint(v)): i = Int64(bitPattern: v)
            case (4, _): s = value.string
            case let (7, .fixed32(bits)): floats.append(Float(bitPattern: bits))
            case let (8, .varint(v)): ints.append(Int64(bitPattern: v))
            case let (20, .varint(v)): type = Int64(v)
            default: throw WireError(description: "unexpected AttributeProto field \(field)")
            }
        }
    }

    var intList: [Int] { ints.map(Int.init) }
}

/// Runs a decoded graph: float ops through Swiftlet's own, QuantizeLinear and
/// DequantizeLinear as ONNX defines them (round half to even, saturate to the type).
struct ONNXReferenceRunner {
    enum Value {
        case float(Tensor)
        /// Integer codes with their ONNX data type (2 uint8, 3 int8, 6 int32, 7 int64).
        case integers([Int64], shape: [Int], type: Int64)

        var tensor: Tensor {
            switch self {
            case let .float(t): return t
            case let .integers(values, shape, _): return Tensor(shape: shape, scalars: values.map { Float($0) })
            }
        }
        var integers: [Int64] {
            switch self {
            case let .float(t): return t.scalars.map { Int64($0) }
            case let .integers(values, _, _): return values
            }
        }
    }

    let model: DecodedModel

    func run(_ input: Tensor) throws -> Tensor {
        var values: [String: Value] = [:]
        for (name, initializer) in model.initializers {
            values[name] = initializer.dataType == 1 ? .float(Tensor(shape: initializer.dims, scalars: initializer.floats))
                                                     : .integers(initializer.integers, shape: initializer.dims, type: initializer.dataType)
        }
        values[model.inputs[0].name] = .float(input)
        for node in model.nodes {
            let x = try node.inputs.map { name -> Value in
                guard let value = values[name] else { throw WireError(description: "\(node.opType) reads \(name) before it is computed") }
                return value
            }
            values[node.outputs[0]] = try evaluate(node, x)
        }
        guard let output = values[model.outputs[0].name] else { throw WireError(description: "no output") }
        return output.tensor
    }

    private func evaluate(_ node: DecodedModel.Node, _ x: [Value]) throws -> Value {
        func ints(_ name: String) -> [Int]? { node.attributes[name]?.intList }
        func int(_ name: String) -> Int? { node.attributes[name]?.i.map(Int.init) }
        func size(_ name: String, _ fallback: Int) -> Size2D {
            let v = ints(name) ?? [fallback, fallback]
            return Size2D(v[0], v[1])
        }
        let t = x.map(\.tensor)
        switch node.opType {
        case "Conv":
            return .float(try conv2d(t[0], weight: t[1], bias: t.count > 2 ? t[2] : nil, stride: size("strides", 1),
                                     padding: size("pads", 0), dilation: size("dilations", 1), groups: int("group") ?? 1))
        case "Gemm":
            guard int("transB") == 1, int("transA") ?? 0 == 0 else { throw WireError(description: "Gemm form") }
            return .float(try t[0].linear(weight: t[1], bias: t.count > 2 ? t[2] : nil))
        case "MatMul": return .float(try t[0].matmul(t[1]))
        case "Add": return .float(try t[0] + t[1])
        case "Sub": return .float(try t[0] - t[1])
        case "Mul": return .float(try t[0] * t[1])
        case "Div": return .float(try t[0] / t[1])
        case "Relu": return .float(t[0].relu())
        case "Sigmoid": return .float(t[0].sigmoid())
        case "Tanh": return .float(t[0].tanh())
        case "Exp": return .float(t[0].exp())
        case "Log": return .float(t[0].log())
        case "Identity": return x[0]
        case "MaxPool":
            return .float(try maxPool2d(t[0], kernelSize: size("kernel_shape", 1), stride: size("strides", 1), padding: size("pads", 0)))
        case "AveragePool":
            return .float(try avgPool2d(t[0], kernelSize: size("kernel_shape", 1), stride: size("strides", 1), padding: size("pads", 0),
                                        countIncludePad: int("count_include_pad") == 1))
        case "GlobalAveragePool": return .float(try globalAvgPool2d(t[0]))
        case "BatchNormalization":
            return .float(try batchNorm(t[0], weight: t[1], bias: t[2], statistics: BatchNormStatistics(mean: t[3], variance: t[4], momentum: 0),
                                        training: false, epsilon: node.attributes["epsilon"]?.f ?? 1e-5))
        case "Flatten":
            guard int("axis") == 1 else { throw WireError(description: "Flatten axis") }
            return .float(try t[0].flattened())
        case "Reshape":
            let shape = x[1].integers.enumerated().map { axis, size in size == 0 ? t[0].shape[axis] : Int(size) }
            return .float(try t[0].reshaped(shape))
        case "Transpose": return .float(try t[0].permuted(ints("perm") ?? []))
        case "Concat": return .float(try concat(t, alongAxis: int("axis") ?? 0))
        case "Pad":
            let pads = x[1].integers.map(Int.init), rank = t[0].rank
            return .float(try t[0].padded((0..<rank).map { (pads[$0], pads[rank + $0]) }, value: t.count > 2 ? t[2].scalars[0] : 0))
        case "Slice":
            let axis = Int(x[3].integers[0])
            return .float(try t[0].sliced(alongAxis: axis, Int(x[1].integers[0])..<Int(x[2].integers[0])))
        case "ReduceSum": return .float(try t[0].sum(alongAxes: x[1].integers.map(Int.init), keepingDimensions: int("keepdims") == 1))
        case "ReduceMean": return .float(try t[0].mean(alongAxes: ints("axes") ?? [], keepingDimensions: int("keepdims") == 1))
        case "Softmax": return .float(try t[0].softmax(alongAxis: int("axis") ?? -1))
        case "LogSoftmax": return .float(try t[0].logSoftmax(alongAxis: int("axis") ?? -1))
        case "QuantizeLinear":
            // y = saturate(round(x / scale) + zero point), per tensor here.
            let scale = t[1].scalars[0]
            let (zeroPoint, type): (Int64, Int64)
            if case let .integers(z, _, zt) = x[2] { (zeroPoint, type) = (z[0], zt) } else { (zeroPoint, type) = (0, 2) }
            let range: ClosedRange<Float> = type == 2 ? 0...255 : -128...127
            let codes = t[0].scalars.map { v in Int64(min(max((v / scale).rounded(.toNearestOrEven) + Float(zeroPoint), range.lowerBound), range.upperBound)) }
            return .integers(codes, shape: t[0].shape, type: type)
        case "DequantizeLinear":
            // y = (x − zero point)·scale, the scale per slice along `axis` when it is 1-D.
            let codes = x[0].integers, shape = t[0].shape, scales = t[1].scalars
            let zeroPoints = x.count > 2 ? x[2].integers : [Int64](repeating: 0, count: scales.count)
            let axis = int("axis") ?? 1
            let inner = scales.count == 1 && t[1].rank == 0 ? codes.count : shape[(axis + 1)...].reduce(1, *)
            return .float(Tensor(shape: shape, scalars: codes.indices.map { i in
                let channel = t[1].rank == 0 ? 0 : (i / inner) % scales.count
                return Float(codes[i] - zeroPoints[channel]) * scales[channel]
            }))
        default:
            throw WireError(description: "the reference runner has no \(node.opType)")
        }
    }
}
