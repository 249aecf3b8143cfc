import Foundation
import Swiftlet

/// `swiftlet compress`: automatic compression to a budget — each layer's sparsity and bit
/// width chosen from its measured sensitivity (docs/auto-compression.md).
struct CompressCommand: Command {
    let catalog: Catalog
    let name = "compress"
    let summary = "Choose each layer's sparsity and bit width to meet a size, FLOPs or latency budget, apply, fine-tune; writes OUT/model.safetensors"
    let discussion = """
        Profiles every Quantizable layer with a prunable weight at each pair of sparsity (0–98 %, by magnitude) and width \
        (float16, 8…2 bits, symmetric per-tensor; float16 only for FLOPs and latency budgets, which bits do not lower) on \
        the last --validation training images — never the test set — then \
        chooses one setting per layer meeting the budget with the least predicted accuracy drop (the sum of each layer's \
        own drop) by a multiple-choice knapsack solved exactly by dynamic programming, then fine-tunes on the other training \
        images with the weights fake-quantized, pruning each layer gradually towards its sparsity (Zhu & Gupta's cubic over \
        the first --prune-epochs) and holding the pruned weights at zero. Budgets: \
        size=Nx (stored bytes, every code, index and scale counted, at most the float checkpoint's over N), flops=Nx \
        (FLOPs with non-zero weights, at most the dense FLOPs over N), latency=Tus (batch-1 inference time on this \
        machine with --threads, as deployed: float weights, Linear layers at least 70 % zeros in their sparse form; each \
        layer timed alone at each sparsity on a held-out image, the fastest of 100 rounds of 10 calls; bit widths do not change it) \
        or latency=Nx (that time at most the uncompressed model's over N). \
        The budget is checked on the compressed model: its written checkpoint, or for latency its measured time. \
        The test set is evaluated once, at the end; `swiftlet evaluate` reads the checkpoint.
        """
    static let budget = Option<String?>.string("budget", placeholder: "size=Nx|flops=Nx|latency=Tus|latency=Nx", help: "What the compressed model must meet, e.g. size=20x, flops=3x, latency=200us or latency=2x")
    static let maxDrop = Option<Float?>.number("max-drop", range: .nonNegative,
                                               help: "Refuse an allocation whose predicted validation accuracy drop exceeds X points")
    static let validation = Option.integer("validation", default: 5000, range: .images,
                                           help: "Training images held out to measure sensitivity and validation accuracy")
    static let epochs = Option.integer("epochs", default: 32, range: .epochsOrNone, help: "Fine-tuning epochs")
    static let pruneEpochs = Option.integer("prune-epochs", default: 16, range: .epochsOrNone,
                                            help: "Fine-tuning epochs over which each layer's sparsity ramps up to its target (0: prune at once before them)")
    static let learningRate = Option.number("lr", default: 0.01, range: .positive,
                                            help: "Fine-tuning learning rate (SGD, momentum 0.9), annealed to 0 along a cosine")

    var options: [any OptionDeclaration] {
        [catalog.modelOption(), CommonOptions.checkpoint, CommonOptions.allowNonFinite, Self.budget, Self.maxDrop, Self.validation,
         Self.epochs, Self.pruneEpochs, Self.learningRate, CommonOptions.dataset, CommonOptions.out] + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        CommonOptions.applyThreads(arguments)
        guard let budgetText = arguments[Self.budget] else { throw UsageError.missingArgument("--budget", command: "swiftlet compress") }
        let budget = try CompressionBudget(parsing: budgetText)
        let (entry, model) = try CommonOptions.loadModel(arguments, catalog: catalog, command: "swiftlet compress")
        let output = try DistributedRun(communicator: nil, claiming: URL(fileURLWithPath: arguments[CommonOptions.out] ?? "runs/compress-\(entry.name)"),
                                        inputs: [arguments[CommonOptions.checkpoint]])
        defer { output.release() }
        let context = CommonOptions.context(arguments, experiment: "compress", model: entry, run: output, console: console)
        let data = try CommonOptions.imageData(arguments, for: entry)
        let split = try data.holdingOut(validation: arguments[Self.validation])

        let started = Date()
        let timer = budget.isLatency ? LatencyTimer(example: try split.firstTestImage()) : nil
        let profile = try context.profileForCompression(model, validation: split, grid: try CompressionSetting.defaultGrid(for: [budget]), timer: timer)
        let allocation = try CompressionAllocation.optimal(profile, budget: budget)
        let searchSeconds = Date().timeIntervalSince(started)
        if let maxDrop = arguments[Self.maxDrop], allocation.predictedDrop > Double(maxDrop) {
            throw AutoCompressionError.predictedDropTooLarge(budget, predicted: allocation.predictedDrop, allowed: Double(maxDrop))
        }
        if !context.json { console.output.write(Self.table(allocation, profile: profile).renderPlainText() + "\n") }

        let (result, compressed, measured) = try context.compressAndFineTune(
            model, entry: entry, allocation: allocation, training: split, data: data,
            fineTuning: AllocationFineTuning(epochs: arguments[Self.epochs], learningRate: arguments[Self.learningRate], annealed: true,
                                             gradualEpochs: arguments[Self.pruneEpochs] > 0 ? arguments[Self.pruneEpochs] : nil),
            stage: "compressed", as: "model", timer: timer)
        let validationAccuracy = try evaluate(compressed, batches: split.testBatches()).accuracy
        let summary = Self.summary(allocation, profile: profile, validationAccuracy: validationAccuracy, testAccuracy: result.accuracy,
                                   measured: measured, searchSeconds: searchSeconds, validationImages: arguments[Self.validation])
        if context.json {
            JSONLinesWriter(sink: console.output).write(summary.json)
        } else {
            console.output.write(summary.text + "wrote \(output.url.path)/model.safetensors\n")
        }
        output.finish()
    }

    /// One row per layer: what was chosen, what it costs, what it is predicted to lose.
    static func table(_ allocation: CompressionAllocation, profile: CompressionProfile) -> Table {
        let timed = profile.referenceNanoseconds > 0
        var table = Table(headers: ["layer", "sparsity", "bits", "bytes", "FLOPs"] + (timed ? ["µs"] : []) + ["predicted drop"])
        for (layer, option) in allocation.choices {
            table.append([layer.path, HumanReadable.percent(100 * Double(option.setting.sparsity), decimals: 0),
                          option.setting.bits == 16 ? "fp16" : "\(option.setting.bits)", HumanReadable.count(option.bytes),
                          HumanReadable.count(option.flops)] + (timed ? [microseconds(option.nanoseconds)] : [])
                         + [HumanReadable.fixed(profile.drop(of: option, in: layer), decimals: 2)])
        }
        table.append(["(rest)", "", "", HumanReadable.count(profile.fixedBytes), HumanReadable.count(profile.fixedFLOPs)]
                     + (timed ? [microseconds(profile.fixedNanoseconds)] : []) + [""])
        return table
    }

    /// Nanoseconds in µs to one decimal.
    static func microseconds(_ nanoseconds: Int) -> String { HumanReadable.fixed(Double(nanoseconds) / 1000, decimals: 1) }

    /// Predicted against measured: accuracy on the validation split, bytes, FLOPs and, when
    /// timed, batch-1 latency.
    static func summary(_ allocation: CompressionAllocation, profile: CompressionProfile, validationAccuracy: Double, testAccuracy: Double,
                        measured: MeasuredCost, searchSeconds: Double, validationImages: Int) -> (text: String, json: JSONObject) {
        let predictedAccuracy = profile.baseline - allocation.predictedDrop
        let sizeFactor = Double(profile.referenceBytes) / Double(max(measured.bytes, 1))
        let flopsFactor = Double(profile.referenceFLOPs) / Double(max(measured.flops, 1))
        let text = """
            budget \(allocation.budget): at most \(HumanReadable.count(measured.limit)) \(allocation.budget.unit); search (profile + allocation) took \(HumanReadable.duration(searchSeconds))
            validation accuracy (\(HumanReadable.count(validationImages)) held-out training images): uncompressed \(HumanReadable.percent(profile.baseline)), \
            predicted \(HumanReadable.percent(predictedAccuracy)), measured after fine-tuning \(HumanReadable.percent(validationAccuracy))
            stored bytes: predicted \(HumanReadable.count(allocation.predictedBytes)), measured \(HumanReadable.count(measured.bytes)) \
            of \(HumanReadable.count(profile.referenceBytes)) (\(HumanReadable.fixed(sizeFactor, decimals: 1))× smaller)
            FLOPs per image: predicted \(HumanReadable.count(allocation.predictedFLOPs)), measured \(HumanReadable.count(measured.flops)) \
            of \(HumanReadable.count(profile.referenceFLOPs)) (\(HumanReadable.fixed(flopsFactor, decimals: 1))× fewer)

            """
            + (measured.latency.map { latency in
                "batch-1 latency: predicted \(microseconds(allocation.predictedNanoseconds)) µs (uncompressed \(microseconds(profile.referenceNanoseconds)) µs "
                    + "when profiled), measured \(microseconds(latency.nanoseconds)) µs against \(microseconds(latency.uncompressedNanoseconds)) µs "
                    + "uncompressed timed in turns with it\n"
            } ?? "")
            + "test accuracy: \(HumanReadable.percent(testAccuracy))\n"
        var json: JSONObject = [
            "experiment": "compress", "budget": .string(allocation.budget.description), "limit": .integer(measured.limit),
            "baseline_validation_accuracy": .number(profile.baseline, decimals: 2), "predicted_validation_accuracy": .number(predictedAccuracy, decimals: 2),
            "validation_accuracy": .number(validationAccuracy, decimals: 2), "test_accuracy": .number(testAccuracy, decimals: 2),
            "predicted_bytes": .integer(allocation.predictedBytes), "stored_bytes": .integer(measured.bytes),
            "predicted_flops": .integer(allocation.predictedFLOPs), "flops": .integer(measured.flops),
            "search_seconds": .number(searchSeconds, decimals: 1),
        ]
        if let latency = measured.latency {
            json["predicted_latency_us"] = .number(Double(allocation.predictedNanoseconds) / 1000, decimals: 1)
            json["latency_us"] = .number(Double(latency.nanoseconds) / 1000, decimals: 1)
            json["uncompressed_latency_us"] = .number(Double(latency.uncompressedNanoseconds) / 1000, decimals: 1)
        }
        return (text, json)
    }
}
