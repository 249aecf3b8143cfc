import XCTest
@testable import Swiftlet

/// The Deep Compression byte format: what is stored decodes back to the same model, every
/// byte is accounted for, and bytes of another model or a cut-off file are refused.
final class DeepCompressedModelTests: XCTestCase {
    private func tinyModel() -> Sequential {
        Sequential { Flatten(); ("fc1", Linear(64, 40)); ReLU(); ("fc2", Linear(40, 5)) }
    }

    /// A pruned, shared model: fc1 keeps 3 weights in every 640 but for its last rows, so
    /// its zero runs are far longer than any index field.
    private func compressedModel() throws -> (Sequential, [String: SharedWeights]) {
        GlobalRandom.seed(51)
        let model = tinyModel()
        _ = try prune(model, by: .magnitude, .byName(["fc1.weight": 0.9, "fc2.weight": 0.5]))
        let fc1 = model.namedParameters.first { $0.name == "fc1.weight" }!.tensor
        fc1.scalars = fc1.scalars.enumerated().map { $0.offset % 640 < 3 || $0.offset > 2400 ? $0.element + 0.5 : 0 }
        var sharing: [String: SharedWeights] = [:]
        for (name, tensor) in model.namedParameters where isPrunableWeight(name: name, tensor: tensor) {
            let clusters = try SharedWeights(clustering: tensor.scalars, clusters: 8)
            tensor.scalars = clusters.values
            sharing[name] = clusters
        }
        return (model, sharing)
    }

    func testStoredBytesDecodeToTheSameModel() throws {
        let (model, sharing) = try compressedModel()
        let (bytes, sizes) = try DeepCompressedModel.encode(model, sharing: sharing)
        XCTAssertEqual(sizes.map(\.name), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        XCTAssertEqual(sizes.reduce(0) { $0 + $1.totalBytes }, bytes.count)
        XCTAssertEqual(sizes[1].totalBytes, 1 + 2 * 40)
        let fc1 = sizes[0]
        XCTAssertGreaterThan(fc1.entries, fc1.nonzero, "long zero runs need fillers at any width up to 8 bits")
        XCTAssertLessThan(fc1.totalBytes, 4 * fc1.elements / 10)

        GlobalRandom.seed(52)
        let decoded = tinyModel()
        let readBack = try DeepCompressedModel.decode(bytes, into: decoded)
        for ((name, original), (_, copy)) in zip(model.namedParameters, decoded.namedParameters) {
            if sharing[name] != nil {
                XCTAssertEqual(copy.scalars, original.scalars, name)
                XCTAssertEqual(readBack[name]?.values, original.scalars, name)
            } else {
                XCTAssertEqual(copy.scalars, original.scalars.map { Float(Float16($0)) }, name)
            }
        }
        let x = Tensor.normal([3, 1, 8, 8])
        let (expected, actual) = try withNoGrad { (try model(x), try decoded(x)) }
        for (a, b) in zip(expected.scalars, actual.scalars) { XCTAssertEqual(a, b, accuracy: 1e-2) }
    }

    func testUnusedClustersAreNotStored() throws {
        let (model, _) = try compressedModel()
        let fc2 = model.namedParameters.first { $0.name == "fc2.weight" }!.tensor
        let sparse = try SharedWeights(centroids: [0.5, -0.5, 7, 9], assignments: fc2.scalars.map { $0 > 0 ? 0 : ($0 < 0 ? 1 : -1) })
        let sizes = try DeepCompressedModel.encode(model, sharing: ["fc2.weight": sparse]).tensors
        XCTAssertEqual(sizes.first { $0.name == "fc2.weight" }?.clusters, 2)
    }

    func testTruncatedForeignAndMismatchedInputIsRefused() throws {
        let (model, sharing) = try compressedModel()
        let bytes = try DeepCompressedModel.encode(model, sharing: sharing).bytes
        XCTAssertThrowsError(try DeepCompressedModel.decode(Array(bytes.dropLast(3)), into: tinyModel()))
        let other = Sequential { Flatten(); ("fc1", Linear(64, 40)); ReLU(); ("fc2", Linear(40, 4)) }
        XCTAssertThrowsError(try DeepCompressedModel.decode(bytes, into: other))
        XCTAssertThrowsError(try DeepCompressedModel.decode(bytes + [0], into: tinyModel()))
        XCTAssertThrowsError(try DeepCompressedModel.encode(model, sharing: ["fc9.weight": sharing["fc1.weight"]!]))
    }
}
