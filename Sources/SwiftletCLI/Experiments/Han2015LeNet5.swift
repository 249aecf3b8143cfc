/// han2015-lenet5: Han et al. 2015/2016 on LeNet-5 (Caffe variant: conv 20, conv 50,
/// fc 500, fc 10) — iterative magnitude pruning to per-layer sparsities, then Deep
/// Compression. Han: 0.80 % dense error, 0.77 % pruned (12×), 0.74 % compressed (39×).
///
/// Retraining is 6 epochs per pruning round, not LeNet-300's 3: chosen on a validation split
/// (`--validation 10000`, seeds 0 and 1, the test set unseen) among three recipes declared in
/// advance, by the mean gap between compressed and dense validation error: 3 epochs at lr
/// 0.01 +0.135 pp, 6 epochs at lr 0.01 +0.09 pp, 3 epochs at lr 0.001
/// (a gentler retraining) +0.31 pp; the rule, also fixed in advance, took the best if it beat
/// the first by at least 0.03 pp. fc1 stays at 95 %: Han's 92 % came to 38.3× on the same
/// split, short of the 39× byte target.
struct Han2015LeNet5: Experiment {
    let id = "han2015-lenet5"
    let summary = "LeNet-5 (conv20-conv50-fc500): train → iterative pruning (≥ 91 %) → weight sharing + relative indices + Huffman coding"
    let corrections: [String] = []
    let references = [
        ReferenceFigure(stage: "dense", errors: 80, source: "Han et al. 2015, Table 1 (error 0.80 %)"),
        ReferenceFigure(stage: "pruned", errors: 77, source: "Han et al. 2015, Table 1 (error 0.77 %, 12×)"),
        ReferenceFigure(stage: "compressed", errors: 74, source: "Han et al. 2016, Table 1 (error 0.74 %, 39×)"),
    ]

    /// One pipeline: dense → pruned → clustered → compressed.
    func series(ofStage stage: String) -> String { "Deep Compression" }

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        try DeepCompressionPipeline(
            model: "lenet5", layerSparsity: ["conv1.weight": 0.34, "conv2.weight": 0.88, "fc1.weight": 0.95, "fc2.weight": 0.81],
            retrainEpochs: 6,
            clusterBits: ["conv1.weight": 8, "conv2.weight": 8, "fc1.weight": 5, "fc2.weight": 5]
        ).run(context)
    }
}
