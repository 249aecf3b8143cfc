/// han2015-lenet300: Han et al. 2015/2016 on LeNet-300-100 — iterative magnitude pruning to
/// Han's per-layer sparsities (fc1 92 %, fc2 91 %, fc3 74 %), then Deep Compression
/// (k-means weight sharing, relative indices, Huffman coding). Han: 1.64 % dense error,
/// 1.59 % pruned (12×), 1.58 % compressed (40×).
struct Han2015LeNet300: Experiment {
    let id = "han2015-lenet300"
    let summary = "LeNet-300-100: train → iterative pruning (≥ 92 %) → weight sharing + relative indices + Huffman coding"
    let corrections: [String] = []
    let setupDifferences = [
        "Han et al. trained in Caffe and do not give the dense run's length or learning rate: here SGD with momentum 0.9, "
            + "weight decay 5·10⁻⁴, batch 64, the learning rate cosine-annealed from 0.05 to 0 over 60 epochs — peak and "
            + "length chosen on a validation split (docs/deep-compression.md).",
        "Pruning reaches the per-layer sparsities (fc1 93 % where Han prunes 92 %) in 4 rounds of magnitude pruning with 3 "
            + "retraining epochs each (lr 0.02, cosine, chosen on a validation split); weight sharing uses 5-bit k-means "
            + "codebooks in every layer, fine-tuned for 2 epochs.",
    ]
    let references = [
        ReferenceFigure(stage: "dense", errors: 164, source: "Han et al. 2015, Table 1 (error 1.64 %)"),
        ReferenceFigure(stage: "pruned", errors: 159, source: "Han et al. 2015, Table 1 (error 1.59 %, 12×)"),
        ReferenceFigure(stage: "compressed", errors: 158, source: "Han et al. 2016, Table 1 (error 1.58 %, 40×)"),
    ]

    /// One pipeline: dense → pruned → clustered → compressed.
    func series(ofStage stage: String) -> String { "Deep Compression" }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        // Dense lr and length, and the retraining per round and its lr, chosen on a validation split
        // (docs/deep-compression.md); the rest as Caffe's LeNet solver.
        try DeepCompressionPipeline(
            model: "lenet300", denseEpochs: 60, learningRate: 0.05,
            layerSparsity: ["fc1.weight": 0.93, "fc2.weight": 0.91, "fc3.weight": 0.74], retrainEpochs: 3,
            retrainLearningRate: 0.02, clusterBits: ["fc1.weight": 5, "fc2.weight": 5, "fc3.weight": 5]
        ).run(context)
    }
}
