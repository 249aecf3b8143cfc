import Swiftlet
import XCTest

/// Changing a tensor in place between the forward pass and `backward()` is caught by its
/// version counter, as in PyTorch, instead of silently giving wrong gradients.
final class SavedTensorTests: XCTestCase {
    // ANCHOR: saved
    func testModifyingASavedInputMakesBackwardThrow() throws {
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let w = try Tensor([0.5, -1, 2, 1, 0, -0.5], shape: [3, 2], requiresGrad: true)
        let loss = try x.matmul(w).relu().sum()
        x.scalars[0] = 10  // matmul saved x: ∂loss/∂w = xᵀ·g needs the old values
        XCTAssertThrowsError(try loss.backward()) { error in
            XCTAssertEqual(error as? TensorError,
                           .modifiedAfterSaved(op: "matmul", input: 0, shape: [2, 3], savedVersion: 0, version: 1))
            XCTAssertTrue("\(error)".contains("input 0 of matmul (shape [2, 3]) was modified in place"), "\(error)")
        }
    }
    // ANCHOR_END: saved

    func testEveryInPlaceChangeCounts() throws {
        let t = Tensor.zeros([3])
        XCTAssertEqual(t.version, 0)
        t.scalars[1] = 1
        t.scalars = [1, 2, 3]
        t.scalars.withUnsafeMutableBufferPointer { $0[0] = 5 }
        XCTAssertEqual(t.version, 3)
    }

    func testAnIntermediateChangedInPlaceIsCaughtToo() throws {
        let w = try Tensor([-1, 2], shape: [2], requiresGrad: true)
        let h = w * 3
        let loss = h.relu().sum()
        h.scalars[0] = 4  // relu saved h to know where it was positive
        XCTAssertThrowsError(try loss.backward()) {
            XCTAssertEqual($0 as? TensorError, .modifiedAfterSaved(op: "relu", input: 0, shape: [2], savedVersion: 0, version: 1))
        }
    }

    /// An op whose backward reads only shapes (add) saves nothing, so changing its inputs is
    /// harmless and allowed; and the usual order — backward, then the optimizer's in-place
    /// step — never trips the check.
    func testOnlySavedValuesAreChecked() throws {
        let a = try Tensor([1, 2], shape: [2], requiresGrad: true)
        let b = try Tensor([3, 4], shape: [2])
        let sum = try (a + b).sum()
        b.scalars[0] = 7
        try sum.backward()
        XCTAssertEqual(a.grad?.scalars, [1, 1])

        let w = try Tensor([1, -2], shape: [1, 2], requiresGrad: true)
        let optimizer = SGD([w], lr: 0.1)
        for _ in 0..<2 {
            let loss = try (w * w).sum()
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
        }
        XCTAssertEqual(w.scalars[0], 0.64, accuracy: 1e-6)  // w ← 0.8·w twice
    }
}
