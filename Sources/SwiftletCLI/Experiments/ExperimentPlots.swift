/// The plots a report draws from an experiment's stages: accuracy against stored size
/// always, against sparsity where stages differ in sparsity, against bits where at least
/// two stages are quantized. Stages of one method form one series, joined in stage order
/// (`Experiment.series(ofStage:)`), so the legend names methods rather than stages; reference
/// figures are hollow markers at the x of the stage they stand beside, one series per source.
struct ExperimentPlots {
    let experiment: any Experiment
    let results: [StageResult]

    /// (file name, plot) pairs, in the order the report shows them.
    var all: [(file: String, plot: LinePlot)] {
        guard results.count > 1 else { return [] }
        let id = experiment.id
        var plots = [(file: "\(id)-size.svg",
                      plot: plot("accuracy vs stored size", xLabel: "stored size (KB, log scale)", xScale: .logarithmic) {
                          Double($0.storedBytes) / 1000 })]
        if Set(results.map { ($0.sparsity * 10).rounded() }).count > 1 {
            plots.append((file: "\(id)-sparsity.svg", plot: plot("accuracy vs sparsity", xLabel: "sparsity (%)") { $0.sparsity }))
        }
        if results.filter({ $0.bits != nil }).count > 1 {
            plots.append((file: "\(id)-bits.svg",
                          plot: plot("accuracy vs bits per weight", xLabel: "bits per weight (32 = float, log scale)",
                                     xScale: .binaryLogarithmic) { Double($0.bits ?? 32) }))
        }
        return plots
    }

    private func plot(_ what: String, xLabel: String, xScale: LinePlot.Scale = .linear, x: (StageResult) -> Double) -> LinePlot {
        var series: [LinePlot.Series] = []
        func add(_ point: (x: Double, y: Double), to name: String, isReference: Bool = false) {
            if let index = series.firstIndex(where: { $0.name == name }) {
                series[index].points.append(point)
            } else {
                series.append(LinePlot.Series(name, points: [point], isReference: isReference))
            }
        }
        for result in results { add((x(result), result.accuracy), to: experiment.series(ofStage: result.stage)) }
        for reference in experiment.references {
            guard let stage = results.first(where: { $0.stage == reference.stage }) else { continue }
            add((x(stage), reference.accuracy), to: reference.seriesName, isReference: true)
        }
        return LinePlot(title: "\(experiment.id): \(what)", xLabel: xLabel,
                        yLabel: "\(results.first?.evaluatedOn ?? "test") accuracy (%)", series: series, xScale: xScale)
    }
}

extension ReferenceFigure {
    /// The source up to its first comma: "PyTorch", "Han et al. 2015".
    var seriesName: String { String(source.prefix { $0 != "," }) }
}
