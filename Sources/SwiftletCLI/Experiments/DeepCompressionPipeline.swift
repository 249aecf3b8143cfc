import Datasets
import Foundation
import Swiftlet

/// Han et al.'s compression pipeline on one MNIST model, shared by `han2015-lenet300` and
/// `han2015-lenet5`: train dense → iterative magnitude pruning with retraining to per-layer
/// target sparsities → k-means weight sharing with centroid fine-tuning → relative-index and
/// Huffman coding into real bytes, which are decoded into a fresh model that is evaluated.
struct DeepCompressionPipeline {
    /// Model zoo name.
    let model: String
    /// Dense training: SGD with momentum 0.9 and weight decay 5e-4, batch 64 (Caffe's LeNet
    /// solver), cosine-annealed from `learningRate` over `denseEpochs`.
    var denseEpochs = 10
    var learningRate: Float = 0.01
    /// Final sparsity of each weight tensor, reached in `pruningRounds` rounds in which every
    /// layer keeps the same fraction of its survivors: after round r of R a layer's density
    /// is d^(r/R), its final density being d.
    let layerSparsity: [String: Float]
    var pruningRounds = 4
    /// Retraining after each pruning round (same optimizer as dense training), cosine-annealed
    /// from `retrainLearningRate`.
    var retrainEpochs = 3
    var retrainLearningRate: Float = 0.01
    /// Bits of shared-weight index per weight tensor: k = 2^bits clusters.
    let clusterBits: [String: Int]
    /// Centroid fine-tuning: SGD (momentum 0.9) on the centroids, cosine-annealed. A
    /// centroid's gradient sums its cluster's (fc1: ~700 weights), so lr 10⁻⁵ gives fc1's
    /// centroids steps like a weight's under lr ~0.007, below retraining's 0.01.
    var fineTuneEpochs = 2
    var fineTuneLearningRate: Float = 1e-5

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: Normalization(mean: [0.1307], std: [0.3081]))
        GlobalRandom.seed(context.seed)
        let entry = try ModelZoo.entry(model)
        let network = entry.make()
        var epochsSoFar = 0

        let denseEpochs = context.epochs(default: self.denseEpochs)
        let optimizer = SGD(network.parameters, lr: learningRate, momentum: 0.9, weightDecay: 5e-4)
        try context.train(network, optimizer: optimizer, data: data, epochs: denseEpochs, stage: "dense",
                          schedule: LearningRateSchedule(optimizer, .cosine(tMax: denseEpochs, minimum: 0)))
        epochsSoFar += denseEpochs
        try context.finishStage("dense", model: network, data: data)

        let retrainEpochs = min(self.retrainEpochs, denseEpochs)
        var masks: PruningMasks?
        for round in 1...pruningRounds {
            let progress = Float(round) / Float(pruningRounds)
            let targets = layerSparsity.mapValues { 1 - Float(Foundation.pow(Double(1 - $0), Double(progress))) }
            let grown = try prune(network, by: .magnitude, .byName(targets), keeping: masks)
            let retrainer = SGD(network.parameters, lr: retrainLearningRate, momentum: 0.9, weightDecay: 5e-4)
            try grown.apply(to: retrainer)
            masks = grown
            try context.train(network, optimizer: retrainer, data: data, epochs: retrainEpochs,
                              stage: "pruning round \(round)/\(pruningRounds)",
                              schedule: LearningRateSchedule(retrainer, .cosine(tMax: retrainEpochs, minimum: 0)),
                              shuffleOffset: epochsSoFar)
            epochsSoFar += retrainEpochs
        }
        try context.finishStage("pruned", model: network, data: data)

        let weights = Dictionary(uniqueKeysWithValues: network.namedParameters)
        var sharing: [String: SharedWeights] = [:]
        for (name, bits) in clusterBits {
            guard let weight = weights[name] else {
                throw TensorError.invalidArgument(op: "weight sharing", "\(model) has no parameter named \(name)")
            }
            sharing[name] = try SharedWeights(clustering: weight.scalars, clusters: 1 << bits)
        }
        let uniformBits = Set(clusterBits.values).count == 1 ? clusterBits.values.first : nil
        let fineTuner = try SharedCentroidOptimizer(
            parameters: network.parameters, sharing: sharing.compactMap { name, shared in weights[name].map { ($0, shared) } },
            inner: { SGD($0, lr: fineTuneLearningRate, momentum: 0.9) })
        try context.finishStage("clustered", model: network, data: data, bits: uniformBits,
                                storedBytes: try DeepCompressedModel.encode(network, sharing: sharing).bytes.count, save: false)
        let fineTuneEpochs = min(self.fineTuneEpochs, denseEpochs)
        try context.train(network, optimizer: fineTuner, data: data, epochs: fineTuneEpochs, stage: "centroid fine-tuning",
                          schedule: LearningRateSchedule(fineTuner, .cosine(tMax: fineTuneEpochs, minimum: 0)),
                          shuffleOffset: epochsSoFar)

        // What is reported is the model decoded from the stored bytes, not the one in memory.
        let (bytes, sizes) = try DeepCompressedModel.encode(network, sharing: sharing)
        try AtomicFile.write(Data(bytes), to: context.outputDirectory.appendingPathComponent("compressed.bin"))
        let decoded = entry.make()
        try DeepCompressedModel.decode(bytes, into: decoded)
        let compressed = try context.finishStage("compressed", model: decoded, data: data, bits: uniformBits, storedBytes: bytes.count)
        context.addTable("Stored bytes per tensor (Deep Compression format, compressed.bin)",
                         Self.layerTable(sizes, denseBytes: compressed.denseBytes))
        return context.results
    }

    /// Han et al. 2016's Tables 2–3: per tensor, what survives pruning, the coded bits per
    /// stored entry, and the compression against fp32.
    static func layerTable(_ sizes: [CompressedTensorSize], denseBytes: Int) -> Table {
        var table = Table(headers: ["tensor", "weights", "kept", "clusters", "index field", "weight bits", "index bits",
                                    "bytes", "vs fp32"])
        func bitsPerEntry(_ bytes: Int, _ size: CompressedTensorSize) -> String {
            size.entries == 0 ? "" : HumanReadable.fixed(8 * Double(bytes) / Double(size.entries), decimals: 2)
        }
        for size in sizes {
            let shared = size.clusters != nil
            table.append([size.name, HumanReadable.count(size.elements),
                          HumanReadable.percent(100 * Double(size.nonzero) / Double(max(size.elements, 1))),
                          size.clusters.map { "\($0)" } ?? "fp16", size.indexBits.map { "\($0) bits" } ?? "",
                          shared ? bitsPerEntry(size.valueBytes, size) : "16", bitsPerEntry(size.indexBytes, size),
                          HumanReadable.count(size.totalBytes), HumanReadable.fixed(size.compressionRatio, decimals: 1) + "×"])
        }
        let total = sizes.reduce(0) { $0 + $1.totalBytes }
        table.append(["total", HumanReadable.count(sizes.reduce(0) { $0 + $1.elements }), "", "", "", "", "",
                      HumanReadable.count(total), HumanReadable.fixed(Double(denseBytes) / Double(max(total, 1)), decimals: 1) + "×"])
        return table
    }
}
