import XCTest
@testable import Swiftlet
import SwiftletKernels

/// Automatic compression: the optimiser on hand-checked tables, budgets and their errors, and
/// the whole path — profile, allocate, apply, store — on a model with a layer type of the
/// test's own.
final class AutoCompressionTests: XCTestCase {
    /// A fully connected layer of the test's own: its weight is called `matrix`.
    final class MyDense: Module, PrunableWeights, Quantizable, CountsMACs {
        var matrix: Tensor
        var quantization: LayerQuantization?

        init(_ inputs: Int, _ outputs: Int) {
            matrix = .uniform([outputs, inputs], low: -1, high: 1, requiresGrad: true)
        }

        override func forward(_ input: Tensor) throws -> Tensor {
            let (x, w) = try quantized(input: input, weight: matrix)
            return try x.linear(weight: w, bias: nil)
        }

        override var localParameters: [(name: String, tensor: Tensor)] { [("matrix", matrix)] }
        var prunableWeights: [(name: String, tensor: Tensor)] { [("matrix", matrix)] }
        var quantizableWeight: Tensor { matrix }

        func macs(inputShape: [Int], outputShape: [Int]) -> (dense: Int, nonzero: Int) {
            (matrix.count, matrix.scalars.filter { $0 != 0 }.count)
        }
    }

    private func makeModel() -> Module {
        GlobalRandom.seed(7)
        return Sequential { ("first", MyDense(24, 32)); ReLU(); ("second", Linear(32, 6)) }
    }

    /// Higher is better: minus the mean squared distance of `model`'s outputs from `reference`.
    private func closeness(_ model: Module, to reference: [Float], input: Tensor) throws -> Double {
        let output = try withNoGrad { try model(input) }.scalars
        return -zip(output, reference).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(reference.count)
    }

    /// `makeModel()` profiled on a 4 × 4 grid by `closeness` to its own outputs on `input`.
    private func profiledModel() throws -> (model: Module, input: Tensor, reference: [Float], profile: CompressionProfile) {
        let model = makeModel()
        let input = Tensor.uniform([16, 24], low: -1, high: 1)
        let reference = try withNoGrad { try model(input) }.scalars
        let grid = try [0, 0.5, 0.8, 0.9].flatMap { sparsity in try [16, 8, 4, 2].map { try CompressionSetting(sparsity: Float(sparsity), bits: $0) } }
        let profile = try CompressionProfile.measure(model, inputShape: [24], grid: grid) { try self.closeness(model, to: reference, input: input) }
        return (model, input, reference, profile)
    }

    // MARK: - The optimiser

    /// A table where greedy descent by marginal loss per byte ends at A@4 + B@8 (loss 1.6):
    /// from (10, 10) it takes A→6 (0.125 per byte), A→4 (0.05), then B→8 (0.5), reaching 12.
    /// The best choice within 12 is A@10 + B@2 (loss 1.05), checked by hand over all nine.
    func testKnapsackBeatsGreedyOnANonConvexTable() throws {
        let costs = [[10, 6, 4], [10, 8, 2]]
        let losses = [[0, 0.5, 0.6], [0, 1.0, 1.05]]
        let picked = try XCTUnwrap(MultipleChoiceKnapsack.solve(costs: costs, losses: losses, capacity: 12))
        XCTAssertEqual(picked, [0, 2])
        XCTAssertLessThanOrEqual(costs[0][picked[0]] + costs[1][picked[1]], 12)
        XCTAssertLessThan(losses[0][picked[0]] + losses[1][picked[1]], 0.6 + 1.0, "no better than the greedy allocation")
        XCTAssertNil(MultipleChoiceKnapsack.solve(costs: costs, losses: losses, capacity: 5))
    }

    /// Against exhaustive search on random tables: the same least loss, always within budget.
    func testKnapsackMatchesExhaustiveSearch() throws {
        var generator = SeededRandom(seed: 23)
        for trial in 0..<200 {
            let groups = Int.random(in: 1...4, using: &generator)
            let costs = (0..<groups).map { _ in (0..<Int.random(in: 1...5, using: &generator)).map { _ in Int.random(in: 0...40, using: &generator) } }
            let losses = costs.map { $0.map { _ in Double(Int.random(in: 0...20, using: &generator)) / 4 } }
            let capacity = Int.random(in: 0...100, using: &generator)
            var bestLoss = Double.infinity
            func search(_ group: Int, cost: Int, loss: Double) {
                guard group < groups else { if cost <= capacity { bestLoss = min(bestLoss, loss) }; return }
                for option in costs[group].indices { search(group + 1, cost: cost + costs[group][option], loss: loss + losses[group][option]) }
            }
            search(0, cost: 0, loss: 0)
            let picked = MultipleChoiceKnapsack.solve(costs: costs, losses: losses, capacity: capacity)
            guard let picked else { XCTAssertEqual(bestLoss, .infinity, "trial \(trial): a solution exists"); continue }
            XCTAssertLessThanOrEqual(zip(costs, picked).reduce(0) { $0 + $1.0[$1.1] }, capacity, "trial \(trial)")
            XCTAssertEqual(zip(losses, picked).reduce(0) { $0 + $1.0[$1.1] }, bestLoss, accuracy: 1e-9, "trial \(trial)")
        }
    }

    /// An allocation that fills the budget exactly is found, with costs far above any
    /// rounding unit: 50 % of each layer's FLOPs at `flops=2x` (the version that cut the
    /// budget into 4,096 units and rounded costs up found nothing here).
    func testKnapsackFindsAnAllocationThatFillsTheBudgetExactly() throws {
        let costs = [[777_600, 388_800], [1_557_504, 778_752], [276_480, 138_240]]
        let losses = [[0, 2.26], [0, 1.44], [0, 0.5]]
        XCTAssertEqual(MultipleChoiceKnapsack.solve(costs: costs, losses: losses, capacity: 388_800 + 778_752 + 138_240), [1, 1, 1])
        XCTAssertNil(MultipleChoiceKnapsack.solve(costs: costs, losses: losses, capacity: 388_800 + 778_752 + 138_240 - 1))
    }

    // MARK: - Budgets

    func testBudgetsParseAndBadOnesAreTypedErrors() throws {
        XCTAssertEqual(try CompressionBudget(parsing: "size=20x"), .size(20))
        XCTAssertEqual(try CompressionBudget(parsing: "flops=3"), .flops(3))
        XCTAssertEqual(try CompressionBudget(parsing: "size=2.5x").description, "size=2.5x")
        XCTAssertEqual(try CompressionBudget(parsing: "latency=200us"), .latency(microseconds: 200))
        XCTAssertEqual(try CompressionBudget(parsing: "latency=0.5ms"), .latency(microseconds: 500))
        XCTAssertEqual(try CompressionBudget(parsing: "latency=7.5µs").description, "latency=7.5us")
        XCTAssertEqual(CompressionBudget.latency(microseconds: 7.5).limit(reference: 1), 7_500, "nanoseconds, whatever the reference")
        XCTAssertEqual(try CompressionBudget(parsing: "latency=2x"), .latencyFactor(2))
        XCTAssertEqual(CompressionBudget.latencyFactor(2).limit(reference: 15_001), 7_500, "the uncompressed model's time over the factor")
        XCTAssertEqual(CompressionBudget.latencyFactor(2.5).description, "latency=2.5x")
        for text in ["size=0x", "size=abc", "size=0.5x", "size=infx", "latency=200", "latency=0us", "latency=-3us", "latency=nanus", "latency=0.5x",
                     "speed=2x", "20x", "size="] {
            XCTAssertThrowsError(try CompressionBudget(parsing: text), text) { error in
                guard case let .invalidBudget(named, _)? = error as? AutoCompressionError else { return XCTFail("\(text): threw \(error)") }
                XCTAssertEqual(named, text)
            }
        }
        assertThrows(try CompressionBudget(parsing: "speed=2x"),
                     AutoCompressionError.invalidBudget("speed=2x", reason: "unknown budget \"speed\" (expected size, flops or latency)"))
        assertThrows(try CompressionSetting(sparsity: 1, bits: 4), AutoCompressionError.invalidSetting("sparsity 1.0 is not in [0, 1)"))
        assertThrows(try CompressionSetting(sparsity: 0, bits: 12), AutoCompressionError.invalidSetting("12 bits: expected 2…8, or 16 for float16"))
    }

    func testAnUnreachableBudgetNamesTheSmallestAllocation() throws {
        let setting = try CompressionSetting(sparsity: 0.5, bits: 4)
        let layer = LayerProfile(path: "fc", weightName: "fc.weight", elements: 100,
                                 options: [LayerOption(setting: setting, bytes: 40, flops: 100, nanoseconds: 0, metric: 0.9)])
        let profile = CompressionProfile(baseline: 1, layers: [layer], fixedBytes: 20, fixedFLOPs: 10, referenceBytes: 600, referenceFLOPs: 400)
        XCTAssertEqual(try CompressionAllocation.optimal(profile, budget: .size(10)).predictedBytes, 60)
        assertThrows(try CompressionAllocation.optimal(profile, budget: .size(20)),
                     AutoCompressionError.unreachableBudget(.size(20), limit: 30, smallest: 60))
        assertThrows(try CompressionAllocation.uniform(profile, budget: .flops(4), include: { _ in true }),
                     AutoCompressionError.unreachableBudget(.flops(4), limit: 100, smallest: 110))
    }

    /// A setting that measured better than a less compressed one is noise: it is predicted to
    /// lose what the less compressed one lost, and a FLOPs budget (where bits cost nothing)
    /// then keeps float16 instead of quantizing for that noise.
    func testAMoreCompressedSettingIsNeverPredictedToLoseLess() throws {
        let settings = try [(0, 16), (0, 4), (0.5, 16), (0.5, 4)].map { try CompressionSetting(sparsity: Float($0.0), bits: $0.1) }
        let metrics = [0.99, 0.98, 0.95, 0.97]  // 50 %, 4-bit measured 2 points above 50 %, float16
        let layer = LayerProfile(path: "fc", weightName: "fc.weight", elements: 100, options: zip(settings, metrics).map { setting, metric in
            LayerOption(setting: setting, bytes: setting.bits * 10, flops: setting.sparsity == 0 ? 200 : 100, nanoseconds: 0, metric: metric)
        })
        let profile = CompressionProfile(baseline: 1, layers: [layer], fixedBytes: 0, fixedFLOPs: 0, referenceBytes: 1000, referenceFLOPs: 200)
        for (option, drop) in zip(layer.options, [0.01, 0.02, 0.05, 0.05]) {
            XCTAssertEqual(profile.drop(of: option, in: layer), drop, accuracy: 1e-9, "\(option.setting)")
        }
        let allocation = try CompressionAllocation.optimal(profile, budget: .flops(2))
        XCTAssertEqual(allocation.choices[0].option.setting, settings[2], "float16 at the sparsity the budget needs")
        XCTAssertEqual(allocation.predictedDrop, 0.05, accuracy: 1e-9)
    }

    // MARK: - Stored size

    /// The cost model's bytes for a pruned, quantized weight are exactly what the stored form
    /// takes when no kept weight rounds to zero: codes, relative indices and scale.
    func testPredictedBytesAreTheStoredBytes() throws {
        GlobalRandom.seed(3)
        let magnitudes = Tensor.uniform([40, 25], low: 0.5, high: 1)
        let signs = Tensor.uniform([40, 25], low: -1, high: 1)
        let layer = Linear(25, 40)
        layer.weight.scalars = zip(magnitudes.scalars, signs.scalars).map { $0 * ($1 < 0 ? -1 : 1) }
        for setting in [try CompressionSetting(sparsity: 0.8, bits: 4), try CompressionSetting(sparsity: 0.95, bits: 3),
                        try CompressionSetting(sparsity: 0.3, bits: 16), try CompressionSetting(sparsity: 0, bits: 8)] {
            let model = Sequential { ("fc", Linear(25, 40)) }
            try model.loadStateDict(["fc.weight": layer.weight, "fc.bias": layer.bias!])
            let mask = try pruneByMagnitude(model, .sparsity(setting.sparsity), select: { name, _ in name == "fc.weight" }).entries[0].mask
            _ = try setQuantization(model) { _ in LayerQuantization(weightFormat: setting.weightFormat) }
            let stored = try QuantizedCheckpoint(model: model, sparseCodes: true)
            let weightBytes = stored.tensors.filter { $0.name.hasPrefix("fc.weight") }.reduce(0) { $0 + $1.bytes.count }
            XCTAssertEqual(CompressionProfile.storedBytes(mask: mask, shape: [40, 25], format: setting.weightFormat), weightBytes, "\(setting)")
        }
    }

    /// A sparse layout whose gaps lead past the tensor, or whose description is malformed,
    /// is a typed error naming the file and tensor — never a trap.
    func testCorruptSparseLayoutsAreTypedErrors() throws {
        let layer = Linear(20, 10)
        // The last weight kept: gaps all at their widest then lead past the end.
        layer.weight.scalars[199] = 10
        let model = Sequential { ("fc", layer) }
        _ = try pruneByMagnitude(model, .sparsity(0.9), select: { name, _ in name == "fc.weight" })
        _ = try setQuantization(model) { _ in LayerQuantization(weightFormat: try CompressionSetting(sparsity: 0.9, bits: 4).weightFormat) }
        let stored = try QuantizedCheckpoint(model: model, sparseCodes: true)
        let description = try XCTUnwrap(stored.metadata["fc.weight"])
        XCTAssertTrue(description.contains("index_bits="), "90 % zeros are stored sparse: \(description)")
        XCTAssertNoThrow(try stored.quantizedTensors())

        let farGaps = stored.tensors.map { part in
            part.name == "fc.weight.gaps" ? StoredTensor(name: part.name, dtype: part.dtype, shape: part.shape, bytes: part.bytes.map { _ in 0xFF }) : part
        }
        XCTAssertThrowsError(try QuantizedCheckpoint(tensors: farGaps, metadata: stored.metadata).quantizedTensors()) { error in
            XCTAssertTrue("\(error)".contains("fc.weight") && "\(error)".contains("sparse entry at position"), "\(error)")
        }
        for bad in [description.replacingOccurrences(of: "index_bits=", with: "index_bits=9"),
                    description + " entries=-1", description.replacingOccurrences(of: "entries=", with: "entries=1")] {
            XCTAssertThrowsError(try QuantizedCheckpoint(tensors: stored.tensors, metadata: ["fc.weight": bad]).quantizedTensors(), bad)
        }
    }

    /// A latency budget allocates by the profiled times: the rest of the model's time plus each
    /// chosen option's; a profile measured without a timer cannot serve one.
    func testALatencyBudgetAllocatesByTime() throws {
        func layer(_ path: String, drops: [Double]) throws -> LayerProfile {
            // Dense 10 µs, 90 % sparse 3 µs; bits change bytes only.
            let settings = [try CompressionSetting(sparsity: 0, bits: 16), try CompressionSetting(sparsity: 0.9, bits: 16),
                            try CompressionSetting(sparsity: 0.9, bits: 4)]
            let options = zip(settings, drops).map { (setting: CompressionSetting, drop: Double) -> LayerOption in
                let dense = setting.sparsity == 0
                return LayerOption(setting: setting, bytes: setting.bits * 10, flops: dense ? 100 : 10, nanoseconds: dense ? 10_000 : 3_000,
                                   metric: 1 - drop)
            }
            return LayerProfile(path: path, weightName: "\(path).weight", elements: 100, options: options)
        }
        let layers = [try layer("a", drops: [0, 0.2, 0.3]), try layer("b", drops: [0, 0.5, 0.5])]
        let timed = CompressionProfile(baseline: 1, layers: layers, fixedBytes: 0, fixedFLOPs: 0, referenceBytes: 1000, referenceFLOPs: 200,
                                       fixedNanoseconds: 2_000, referenceNanoseconds: 22_000)
        // 15 µs leave 13 for the two layers: one of them sparse, the one that loses less.
        let allocation = try CompressionAllocation.optimal(timed, budget: .latency(microseconds: 15))
        XCTAssertEqual(allocation.choices.map(\.option.setting.sparsity), [0.9, 0])
        XCTAssertEqual(allocation.choices.map(\.option.setting.bits), [16, 16], "bits cost no time, so the lossier 4-bit is not taken")
        XCTAssertEqual(allocation.predictedNanoseconds, 15_000)
        XCTAssertEqual(try CompressionAllocation.uniform(timed, budget: .latency(microseconds: 15), include: { _ in true }).predictedNanoseconds, 8_000)
        assertThrows(try CompressionAllocation.optimal(timed, budget: .latency(microseconds: 7.9)),
                     AutoCompressionError.unreachableBudget(.latency(microseconds: 7.9), limit: 7_900, smallest: 8_000))
        let untimed = CompressionProfile(baseline: 1, layers: layers, fixedBytes: 0, fixedFLOPs: 0, referenceBytes: 1000, referenceFLOPs: 200)
        assertThrows(try CompressionAllocation.optimal(untimed, budget: .latency(microseconds: 15)),
                     AutoCompressionError.latencyNotMeasured(.latency(microseconds: 15)))
        XCTAssertNoThrow(try CompressionAllocation.optimal(untimed, budget: .size(2)))
    }

    /// A model of the test's own, wide enough for the sparse form to pay.
    private func makeWideModel() -> Module {
        GlobalRandom.seed(11)
        return Sequential { ("first", MyDense(64, 256)); ReLU(); ("second", Linear(256, 128)); ReLU(); ("third", Linear(128, 10)) }
    }

    /// Profiling with a timer times each layer once per sparsity (every width of it the same
    /// figure), leaves the model as it was, and the allocation's measured time comes from the
    /// deployed model — its sparse enough Linear layers swapped in for the timing and put back.
    func testTimedProfileAndMeasuredLatencyLeaveTheModelAsItWas() throws {
        let model = makeWideModel()
        let input = Tensor.uniform([8, 64], low: -1, high: 1)
        let reference = try withNoGrad { try model(input) }.scalars
        let modules = model.namedModules.map(\.module)
        let grid = try [0, 0.8, 0.9].flatMap { sparsity in try [16, 4].map { try CompressionSetting(sparsity: Float(sparsity), bits: $0) } }
        let timer = LatencyTimer(example: Tensor.uniform([1, 64], low: -1, high: 1), rounds: 2, callsPerRound: 2)
        let profile = try CompressionProfile.measure(model, inputShape: [64], grid: grid, timer: timer) {
            try self.closeness(model, to: reference, input: input)
        }
        XCTAssertGreaterThan(profile.referenceNanoseconds, 0)
        XCTAssertGreaterThanOrEqual(profile.fixedNanoseconds, 0)
        for layer in profile.layers {
            XCTAssertTrue(layer.options.allSatisfy { $0.nanoseconds > 0 }, layer.path)
            for (float16, fourBit) in zip(layer.options.filter { $0.setting.bits == 16 }, layer.options.filter { $0.setting.bits == 4 }) {
                XCTAssertEqual(float16.nanoseconds, fourBit.nanoseconds, "\(layer.path): timed once per sparsity")
            }
        }
        XCTAssertEqual(try closeness(model, to: reference, input: input), 0, "profiling left the weights as they were")
        XCTAssertTrue(zip(model.namedModules.map(\.module), modules).allSatisfy { $0 === $1 }, "and every module in its place")

        let copy = makeWideModel()
        let allocation = try CompressionAllocation.optimal(profile, budget: .latency(microseconds: 2 * Double(profile.referenceNanoseconds) / 1000))
        _ = try allocation.apply(to: copy)
        let copyModules = copy.namedModules.map(\.module)
        let formats = copy.quantizedLayers.map { $0.layer.quantization?.weightFormat }
        let expected = try withNoGrad { try copy(input) }.scalars
        let times = try timer.latencies(of: [copy, model])
        XCTAssertEqual(times.count, 2)
        XCTAssertTrue(times.allSatisfy { $0 > 0 })
        XCTAssertTrue(model.namedModules.allSatisfy { !($0.module is SparseLinear) }, "the dense model timed beside it kept its layers")
        XCTAssertTrue(zip(copy.namedModules.map(\.module), copyModules).allSatisfy { $0 === $1 }, "sparse forms swapped back out")
        XCTAssertEqual(copy.quantizedLayers.map { $0.layer.quantization?.weightFormat }, formats, "fake quantization restored")
        XCTAssertEqual(try withNoGrad { try copy(input) }.scalars, expected)
    }

    /// A layer the example never reaches cannot be timed.
    func testALayerThatDoesNotRunCannotBeTimed() throws {
        final class Detour: Module {
            let used = Linear(4, 2)
            let unused = Linear(4, 2)
            override func forward(_ x: Tensor) throws -> Tensor { try used(x) }
        }
        let model = Detour()
        let timer = LatencyTimer(example: Tensor.uniform([1, 4], low: -1, high: 1), rounds: 1, callsPerRound: 1)
        assertThrows(try CompressionProfile.measure(model, inputShape: [4], grid: [try CompressionSetting(sparsity: 0, bits: 16)], timer: timer) { 1 },
                     AutoCompressionError.layerNotCalled("unused"))
    }

    // MARK: - The whole path

    /// Profile → allocate → apply on a model whose first layer is the test's own type; the
    /// stored size measured from the written checkpoint meets the budget, and the checkpoint
    /// reads back into the same outputs.
    func testAppliedAllocationMeetsItsBudgetMeasuredAndReadsBack() throws {
        let (model, input, reference, profile) = try profiledModel()
        XCTAssertEqual(profile.layers.map(\.weightName), ["first.matrix", "second.weight"])
        XCTAssertEqual(profile.referenceBytes, 4 * (24 * 32 + 32 * 6 + 6))
        XCTAssertEqual(profile.fixedBytes, 4 * 6, "the bias stays F32")
        XCTAssertEqual(try closeness(model, to: reference, input: input), 0, "profiling left the model as it was")

        for budget in [CompressionBudget.size(12), .flops(3)] {
            let copy = makeModel()
            let allocation = try CompressionAllocation.optimal(profile, budget: budget)
            XCTAssertLessThanOrEqual(allocation.cost, allocation.limit, "\(budget)")
            let masks = try allocation.apply(to: copy)
            XCTAssertEqual(masks.entries.map(\.name), ["first.matrix", "second.weight"])
            let measured = try CompressionAllocation.measuredCost(of: copy, inputShape: [24])
            XCTAssertLessThanOrEqual(measured.bytes, allocation.predictedBytes, "\(budget)")
            XCTAssertLessThanOrEqual(measured.flops, allocation.predictedFLOPs, "\(budget)")
            switch budget {
            case .size: XCTAssertLessThanOrEqual(measured.bytes, profile.referenceBytes / 12)
            case .flops: XCTAssertLessThanOrEqual(measured.flops, profile.referenceFLOPs / 3)
            case .latency, .latencyFactor: XCTFail("not timed")
            }

            let file = try QuantizedCheckpoint(model: copy, sparseCodes: true).safeTensorsFile()
            XCTAssertEqual(file.tensors.values.reduce(0) { $0 + $1.bytes.count }, measured.bytes)
            let restored = makeModel()
            try QuantizedCheckpoint(file: SafeTensorsFile(decoding: file.encoded(), source: "auto.safetensors")).restore(into: restored)
            let expected = try withNoGrad { try copy(input) }.scalars
            XCTAssertEqual(try withNoGrad { try restored(input) }.scalars, expected, "\(budget)")
        }
    }

    /// Pruning gradually towards an allocation: a pruner on a 0 → 1 schedule with
    /// `sparsityTarget(scaledBy:)` moves every layer along the same cubic, masks only growing,
    /// and ends at exactly each layer's chosen sparsity; `setWeightFormats` quantizes each
    /// layer's weight to its format and prunes nothing.
    func testGradualPruningEndsAtTheAllocation() throws {
        let profile = try profiledModel().profile
        let allocation = try CompressionAllocation.optimal(profile, budget: .size(12))
        let chosen = allocation.choices.map { (name: $0.layer.weightName, path: $0.layer.path, setting: $0.option.setting) }
        XCTAssertGreaterThan(Set(chosen.map(\.setting.sparsity)).count, 1, "the layers' sparsities differ")

        let model = makeModel()
        try allocation.setWeightFormats(of: model)
        let modules = Dictionary(uniqueKeysWithValues: model.namedModules)
        for layer in chosen {
            XCTAssertEqual((modules[layer.path] as? Quantizable)?.quantization?.weightFormat, layer.setting.weightFormat, layer.path)
        }
        let weights = Dictionary(uniqueKeysWithValues: model.prunableParameters)
        let zeros = { chosen.map { layer in weights[layer.name]?.scalars.filter { $0 == 0 }.count ?? -1 } }
        XCTAssertEqual(zeros(), [0, 0], "nothing pruned before the schedule starts")

        let pruner = try ScheduledPruner(model, optimizer: SGD(model.parameters, lr: 0.01), schedule: GradualPruningSchedule(finalSparsity: 1, intervals: 4),
                                         target: allocation.sparsityTarget(scaledBy:))
        var history = [zeros()]
        for step in 0...4 {
            try pruner.advance()
            history.append(zeros())
            XCTAssertTrue(zip(history[step + 1], history[step]).allSatisfy { $0 >= $1 }, "step \(step): masks only grow")
        }
        let final = chosen.map { layer in Int((layer.setting.sparsity * Float(weights[layer.name]?.count ?? 0)).rounded()) }
        XCTAssertEqual(history.last, final)
        for (index, layer) in chosen.enumerated() where final[index] > 1 {
            // Halfway (step 2 of 4) the cubic has reached 1 − 0.5³ = 87.5 % of each layer's target.
            XCTAssertEqual(Double(history[3][index]), 0.875 * Double(final[index]), accuracy: 1, layer.name)
        }
    }

    /// The best uniform allocations are no better (in predicted drop) than the optimal one,
    /// and they really are uniform.
    func testUniformAllocationsAreUniformAndNoBetterThanOptimal() throws {
        let profile = try profiledModel().profile
        let optimal = try CompressionAllocation.optimal(profile, budget: .size(8))
        let uniform = try CompressionAllocation.uniform(profile, budget: .size(8), include: { _ in true })
        XCTAssertEqual(Set(uniform.choices.map(\.option.setting)).count, 1)
        XCTAssertLessThanOrEqual(optimal.predictedDrop, uniform.predictedDrop)
        XCTAssertLessThanOrEqual(uniform.predictedBytes, uniform.limit)
    }
}
