/// Sizes that come from files (safetensors headers, IDX headers, checkpoint metadata) must be
/// multiplied without trapping: a hostile header can ask for 2⁶⁰ × 2⁶⁰ elements.
public enum ShapeArithmetic {
    /// `elementBytes` times the product of `shape`, or nil if a dimension is negative or the
    /// product of the non-zero dimensions overflows `Int`. Zeros are skipped while checking,
    /// so a shape that holds no elements (`[0, 2⁶², 2⁶²]`) is refused too: code that later
    /// multiplies a subset of its dimensions (a row length, a plane size) could not.
    public static func byteCount(of shape: [Int], elementBytes: Int = 1) -> Int? {
        var product = elementBytes, holdsNothing = false
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            if dimension == 0 { holdsNothing = true; continue }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            product = next
        }
        return holdsNothing ? 0 : product
    }
}
