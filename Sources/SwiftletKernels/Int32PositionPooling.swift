/// Max-pooling of one image's int32 accumulators laid out [H·W positions, C channels] — a
/// convolution's sums before they are requantized — into [outH·outW, C]. Requantizing is
/// monotone in the sum (a positive multiplier, rounding, clamping), so pooling the sums and
/// requantizing a quarter of them (2×2 pools) gives the same codes as requantizing every sum
/// and pooling the codes. Each window's positions are whole rows of C channels, maxed eight
/// channels at a time (a width every x86-64 with AVX2 has; the few left one by one), each
/// maximum kept in a register over the window. Padded positions are skipped (they count as
/// −∞, as in `nn.MaxPool2d`).
public func int32MaxPoolPositions(_ g: Pool2dGeometry, input: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int32>) {
    typealias Lanes = SIMD8<Int32>
    let channels = g.channels, whole = channels & ~(Lanes.scalarCount - 1)
    for oh in 0..<g.outHeight {
        for ow in 0..<g.outWidth {
            let (rows, columns) = g.window(oh, ow)
            let target = output + (oh * g.outWidth + ow) * channels
            for c in stride(from: 0, to: whole, by: Lanes.scalarCount) {
                var best = Lanes(repeating: .min)
                for ih in rows {
                    for iw in columns {
                        let sums = UnsafeRawPointer(input + (ih * g.inWidth + iw) * channels + c).loadUnaligned(as: Lanes.self)
                        best.replace(with: sums, where: sums .> best)
                    }
                }
                UnsafeMutableRawPointer(target + c).storeBytes(of: best, as: Lanes.self)
            }
            for c in whole..<channels {
                var best = Int32.min
                for ih in rows { for iw in columns { best = max(best, input[(ih * g.inWidth + iw) * channels + c]) } }
                target[c] = best
            }
        }
    }
}
