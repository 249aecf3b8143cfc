/// Knowledge-distillation objective (Hinton et al. 2015):
///
///     L = α · T² · KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α) · CE(y, z_s)
///
/// The soft term's gradient shrinks as 1/T² (see `klDivergence`), so `scaleByTemperatureSquared`
/// (the default) multiplies it back, keeping the two terms balanced for any T. The source
/// documents' form L = CE + KL is `alpha: 0.5, scaleByTemperatureSquared: false` times two.
public struct DistillationLoss: Sendable {
    /// T: softens both distributions so that the student also learns the teacher's ranking of wrong classes.
    public var temperature: Float
    /// α in [0, 1]: the weight of the soft (teacher) term; 1 − α weighs the hard labels.
    public var alpha: Float
    /// Whether the soft term is multiplied by T² (Hinton et al.'s correction).
    public var scaleByTemperatureSquared: Bool

    /// The objective with temperature T and soft-term weight α.
    public init(temperature: Float = 4, alpha: Float = 0.9, scaleByTemperatureSquared: Bool = true) {
        self.temperature = temperature
        self.alpha = alpha
        self.scaleByTemperatureSquared = scaleByTemperatureSquared
    }

    /// L for a batch: the student's and teacher's logits [N, C] and the hard labels.
    public func callAsFunction(studentLogits: Tensor, teacherLogits: Tensor, labels: [Int]) throws -> Tensor {
        guard alpha >= 0 && alpha <= 1 else {
            throw TensorError.settingOutOfRange(op: "DistillationLoss", setting: "alpha", value: Double(alpha), accepted: "in [0, 1]")
        }
        let soft = try klDivergence(studentLogits: studentLogits, teacherLogits: teacherLogits.detached(), temperature: temperature)
        let scale = scaleByTemperatureSquared ? temperature * temperature : 1
        let hard = try crossEntropy(studentLogits, labels)
        return try soft * (alpha * scale) + hard * (1 - alpha)
    }
}
