// The losses as values, for code that passes a criterion around as PyTorch's `nn.*Loss`
// classes do. Each is a thin wrapper over the function of the same name in Ops/Losses.swift.

/// `nn.CrossEntropyLoss`: mean cross-entropy of logits [N, C] against class indices.
public struct CrossEntropyLoss {
    /// The loss; it has no settings.
    public init() {}
    /// Mean cross-entropy of `logits` [N, C] against `labels` (N class indices).
    public func callAsFunction<Label: BinaryInteger>(_ logits: Tensor, _ labels: [Label]) throws -> Tensor {
        try crossEntropy(logits, labels)
    }
}

/// `nn.NLLLoss`: mean negative log-likelihood of log-probabilities [N, C] at the labels.
public struct NLLLoss {
    /// The loss; it has no settings.
    public init() {}
    /// Mean of −logProbabilities[i, labels[i]].
    public func callAsFunction<Label: BinaryInteger>(_ logProbabilities: Tensor, _ labels: [Label]) throws -> Tensor {
        try nllLoss(logProbabilities, labels)
    }
}

/// `nn.MSELoss`: mean squared error.
public struct MSELoss {
    /// The loss; it has no settings.
    public init() {}
    /// Mean of (prediction − target)² over every element.
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try mseLoss(prediction, target)
    }
}

/// KL(softmax(teacher/T) ‖ softmax(student/T)), batch mean, without the T² factor
/// (`DistillationLoss` applies it).
public struct KLDivergenceLoss {
    /// T: softens both distributions; 1 compares the plain softmax outputs.
    public var temperature: Float
    /// The divergence at temperature T.
    public init(temperature: Float = 1) { self.temperature = temperature }
    /// The batch-mean divergence of the student's distribution from the teacher's.
    public func callAsFunction(studentLogits: Tensor, teacherLogits: Tensor) throws -> Tensor {
        try klDivergence(studentLogits: studentLogits, teacherLogits: teacherLogits, temperature: temperature)
    }
}
