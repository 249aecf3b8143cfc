/// han2015-lenet5: Han et al. 2015/2016 on LeNet-5 (Caffe variant: conv 20, conv 50,
/// fc 500, fc 10) — iterative magnitude pruning to per-layer sparsities, then Deep
/// Compression. Han: 0.80 % dense error, 0.77 % pruned (12×), 0.74 % compressed (39×).
struct Han2015LeNet5: Experiment {
    let id = "han2015-lenet5"
    let summary = "LeNet-5 (conv20-conv50-fc500): train → iterative pruning (≥ 91 %) → weight sharing + relative indices + Huffman coding"
    let corrections: [String] = []
    let references = [
        ReferenceFigure(stage: "dense", accuracy: 100 - 0.80, source: "Han et al. 2015, Table 1 (error 0.80 %)"),
        ReferenceFigure(stage: "pruned", accuracy: 100 - 0.77, source: "Han et al. 2015, Table 1 (error 0.77 %, 12×)"),
        ReferenceFigure(stage: "compressed", accuracy: 100 - 0.74, source: "Han et al. 2016, Table 1 (error 0.74 %, 39×)"),
    ]

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        try DeepCompressionPipeline(
            model: "lenet5", layerSparsity: ["conv1.weight": 0.34, "conv2.weight": 0.88, "fc1.weight": 0.95, "fc2.weight": 0.81],
            clusterBits: ["conv1.weight": 8, "conv2.weight": 8, "fc1.weight": 5, "fc2.weight": 5]
        ).run(context)
    }
}
