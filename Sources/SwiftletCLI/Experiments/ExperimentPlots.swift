/// The plots a report draws from an experiment's stages: accuracy against stored size
/// always, against sparsity where stages differ in sparsity, against bits where at least
/// two stages are quantized. Each stage is its own series, so the legend names it.
struct ExperimentPlots {
    let experimentID: String
    let results: [StageResult]

    /// (file name, plot) pairs, in the order the report shows them.
    var all: [(file: String, plot: LinePlot)] {
        guard results.count > 1 else { return [] }
        var plots = [(file: "\(experimentID)-size.svg",
                      plot: plot("accuracy vs stored size", xLabel: "stored size (KB, log scale)", logarithmicX: true) {
                          Double($0.storedBytes) / 1000 })]
        if Set(results.map { ($0.sparsity * 10).rounded() }).count > 1 {
            plots.append((file: "\(experimentID)-sparsity.svg", plot: plot("accuracy vs sparsity", xLabel: "sparsity (%)") { $0.sparsity }))
        }
        if results.filter({ $0.bits != nil }).count > 1 {
            plots.append((file: "\(experimentID)-bits.svg",
                          plot: plot("accuracy vs bits per weight", xLabel: "bits per weight (32 = float)") { Double($0.bits ?? 32) }))
        }
        return plots
    }

    private func plot(_ what: String, xLabel: String, logarithmicX: Bool = false, x: (StageResult) -> Double) -> LinePlot {
        LinePlot(title: "\(experimentID): \(what)", xLabel: xLabel, yLabel: "\(results.first?.evaluatedOn ?? "test") accuracy (%)",
                 series: results.map { LinePlot.Series($0.stage, points: [(x: x($0), y: $0.accuracy)]) },
                 logarithmicX: logarithmicX)
    }
}
