import Foundation

// Loss functions, each returning a scalar averaged over the batch (PyTorch's defaults).

// ANCHOR: cross-entropy
/// Cross-entropy of `logits` [N, C] against class indices, averaged over the batch.
/// Fused with log-softmax: ∂L/∂logits = (softmax(logits) − onehot(label)) / N.
public func crossEntropy<Label: BinaryInteger>(_ logits: Tensor, _ labels: [Label]) throws -> Tensor {
    let (batch, classes) = try classificationShape(logits, labels, op: "crossEntropy")
    let logProbabilities = Tensor.logSoftmax(logits.scalars, .init(outer: batch, n: classes, inner: 1))
    let targets = labels.map { Int($0) }
    var total: Float = 0
    for (row, label) in targets.enumerated() { total -= logProbabilities[row * classes + label] }
    return Tensor.result(of: .other("crossEntropy"), shape: [], scalars: [total / Float(batch)], inputs: [logits], savesInputs: false) { g in
        let scale = g.scalars[0] / Float(batch)
        var grad = logProbabilities.mapScalars { Foundation.exp($0) * scale }
        for (row, label) in targets.enumerated() { grad[row * classes + label] -= scale }
        return [Tensor(shape: logits.shape, scalars: grad)]
    }
}
// ANCHOR_END: cross-entropy

/// Negative log-likelihood of log-probabilities [N, C] at the labels, averaged over the batch.
public func nllLoss<Label: BinaryInteger>(_ logProbabilities: Tensor, _ labels: [Label]) throws -> Tensor {
    let (batch, classes) = try classificationShape(logProbabilities, labels, op: "nllLoss")
    let picked = labels.enumerated().map { row, label in row * classes + Int(label) }
    let total = picked.reduce(Float(0)) { $0 - logProbabilities.scalars[$1] }
    return Tensor.result(of: .other("nllLoss"), shape: [], scalars: [total / Float(batch)], inputs: [logProbabilities], savesInputs: false) { g in
        var grad = [Float](repeating: 0, count: logProbabilities.count)
        for index in picked { grad[index] = -g.scalars[0] / Float(batch) }
        return [Tensor(shape: logProbabilities.shape, scalars: grad)]
    }
}

/// Mean squared error, averaged over every element.
public func mseLoss(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
    guard prediction.shape == target.shape else {
        throw TensorError.shapeMismatch(op: "mseLoss", prediction.shape, target.shape, "prediction and target must have the same shape")
    }
    let difference = try prediction - target
    return try (difference * difference).mean()
}

/// Knowledge-distillation divergence KL(softmax(teacher/T) ‖ softmax(student/T)), summed
/// over classes and averaged over the batch (PyTorch's `kl_div(..., reduction="batchmean")`).
///
/// The teacher is a fixed target: no gradient flows into `teacherLogits`. The gradient with
/// respect to the student is (softmax(student/T) − softmax(teacher/T)) / (T·N), which shrinks
/// as 1/T — hence the T² factor of `distillationLoss`, which keeps soft and hard terms on
/// the same scale (Hinton et al. 2015).
public func klDivergence(studentLogits: Tensor, teacherLogits: Tensor, temperature: Float = 1) throws -> Tensor {
    guard studentLogits.rank == 2, studentLogits.shape == teacherLogits.shape else {
        throw TensorError.shapeMismatch(op: "klDivergence", studentLogits.shape, teacherLogits.shape,
                                        "student and teacher logits must both be [N, classes]")
    }
    guard temperature > 0 else {
        throw TensorError.settingOutOfRange(op: "klDivergence", setting: "temperature", value: Double(temperature), accepted: "positive")
    }
    let batch = studentLogits.shape[0]
    let rows = Tensor.SoftmaxRows(outer: batch, n: studentLogits.shape[1], inner: 1)
    let logStudent = Tensor.logSoftmax(studentLogits.scalars.mapScalars { $0 / temperature }, rows)
    let logTeacher = Tensor.logSoftmax(teacherLogits.scalars.mapScalars { $0 / temperature }, rows)
    var total: Float = 0
    for i in 0..<logStudent.count {
        total += Foundation.exp(logTeacher[i]) * (logTeacher[i] - logStudent[i])
    }
    return Tensor.result(of: .other("klDivergence"), shape: [], scalars: [total / Float(batch)], inputs: [studentLogits], savesInputs: false) { g in
        let scale = g.scalars[0] / (temperature * Float(batch))
        return [Tensor(shape: studentLogits.shape, scalars: logStudent.zipScalars(logTeacher) {
            (Foundation.exp($0) - Foundation.exp($1)) * scale
        })]
    }
}

/// Checks logits/labels agree: [N, C] with N labels, each in 0..<C.
private func classificationShape<Label: BinaryInteger>(_ logits: Tensor, _ labels: [Label], op: String) throws -> (Int, Int) {
    guard logits.rank == 2 else {
        throw TensorError.unexpectedShape(op: op, logits.shape, expected: "[batch, classes] scores")
    }
    let (batch, classes) = (logits.shape[0], logits.shape[1])
    guard labels.count == batch, batch > 0 else {
        throw TensorError.labelCountMismatch(op: op, labels: labels.count, batch: batch)
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
        throw TensorError.labelOutOfRange(op: op, label: Int(clamping: bad), classes: classes)
    }
    return (batch, classes)
}
