import Foundation
import Swiftlet

extension ExperimentContext {
    /// Says on stderr when a stage's last epoch ended at chance-level training accuracy (below
    /// 1.5 × 100 % / classes): the model has learned nothing. Too high a learning rate does this
    /// while the loss stays finite (`--lr 1` … `1000` on the MNIST net: about 10 %, mean loss 3
    /// to 10³⁰), which `TrainingDivergence` cannot catch; the run still ends normally.
    func warnIfAtChanceLevel(_ result: EpochResult, epoch: Int, stage: String, data: ImageData) {
        let classes = data.dataset.train.classNames.count
        guard classes > 1, result.images > 0, result.accuracy < 150 / Double(classes) else { return }
        console.diagnostics.write("warning: \(stage): epoch \(epoch) ended at \(HumanReadable.percent(result.accuracy)) training accuracy, "
                                  + "chance level for \(classes) classes (mean loss \(String(format: "%.4g", result.loss))): the model has not learned. "
                                  + "Hint: a learning rate that is too high does this\n")
    }
}
