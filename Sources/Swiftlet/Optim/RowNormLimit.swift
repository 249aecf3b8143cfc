extension Tensor {
    /// Scales every row (the slices along dimension 0) whose L2 norm exceeds `bound` so that
    /// its norm is `bound`; rows within it are left exactly as they are. Zeros stay zero, so
    /// pruning masks survive. Norms are summed in `Double`: a row of a wide layer has
    /// thousands of entries.
    func limitRowNorms(to bound: Float) {
        guard let rows = shape.first, rows > 0 else { return }
        let width = count / rows
        var limited = scalars
        var changed = false
        for row in 0..<rows {
            let range = row * width..<(row + 1) * width
            let norm = limited[range].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            guard norm > Double(bound) else { continue }
            let scale = Float(Double(bound) / norm)
            for index in range { limited[index] *= scale }
            changed = true
        }
        if changed { scalars = limited }
    }
}
