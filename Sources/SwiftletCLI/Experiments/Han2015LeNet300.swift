/// han2015-lenet300: Han et al. 2015/2016 on LeNet-300-100 — iterative magnitude pruning to
/// Han's per-layer sparsities (fc1 92 %, fc2 91 %, fc3 74 %), then Deep Compression
/// (k-means weight sharing, relative indices, Huffman coding). Han: 1.64 % dense error,
/// 1.59 % pruned (12×), 1.58 % compressed (40×).
struct Han2015LeNet300: Experiment {
    let id = "han2015-lenet300"
    let summary = "LeNet-300-100: train → iterative pruning (≥ 92 %) → weight sharing + relative indices + Huffman coding"
    let corrections: [String] = []
    let references = [
        ReferenceFigure(stage: "dense", accuracy: 100 - 1.64, source: "Han et al. 2015, Table 1 (error 1.64 %)"),
        ReferenceFigure(stage: "pruned", accuracy: 100 - 1.59, source: "Han et al. 2015, Table 1 (error 1.59 %, 12×)"),
        ReferenceFigure(stage: "compressed", accuracy: 100 - 1.58, source: "Han et al. 2016, Table 1 (error 1.58 %, 40×)"),
    ]

    /// One pipeline: dense → pruned → clustered → compressed.
    func series(ofStage stage: String) -> String { "Deep Compression" }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        try DeepCompressionPipeline(
            model: "lenet300", layerSparsity: ["fc1.weight": 0.93, "fc2.weight": 0.91, "fc3.weight": 0.74],
            clusterBits: ["fc1.weight": 5, "fc2.weight": 5, "fc3.weight": 5]
        ).run(context)
    }
}
