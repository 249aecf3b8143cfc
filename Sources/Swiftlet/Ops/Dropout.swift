// Inverted dropout: during training each element is zeroed with probability p and the
// survivors are scaled by 1/(1 − p), so evaluation needs no rescaling. The gradient flows
// through the same mask with the same scale.

extension Tensor {
    /// Dropout with probability `p`; the identity when `training` is false or `p` is 0.
    public func dropout(probability p: Float, training: Bool = true) throws -> Tensor {
        guard p >= 0 && p < 1 else {
            throw TensorError.settingOutOfRange(op: "dropout", setting: "probability", value: Double(p), accepted: "in [0, 1)")
        }
        guard training && p > 0 else { return self }
        let keep = 1 / (1 - p)
        // One access to the thread's generator for the whole mask: reaching it per element (a
        // thread-local lookup, a retain and a release) took 20 % of a dropout MLP's training step.
        var generator = GlobalRandom.generator
        let mask = [Float].generate(count: count) { _ in generator.nextUniform() < p ? 0 : keep }
        GlobalRandom.generator = generator
        return Tensor.result(of: .other("dropout"), shape: shape, scalars: scalars.zipScalars(mask, *), inputs: [self], savesInputs: false) { g in
            [Tensor(shape: g.shape, scalars: g.scalars.zipScalars(mask, *))]
        }
    }
}
