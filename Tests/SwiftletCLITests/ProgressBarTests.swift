import XCTest
import SwiftletCLI

final class ProgressBarTests: XCTestCase {
    final class ManualClock: MonotonicClock {
        var now = 100.0
        func seconds() -> Double { now }
    }

    private let clock = ManualClock()
    private let sink = TextBuffer()

    private func makeBar(terminal: Bool, epochs: Int? = 10) -> ProgressBar {
        ProgressBar(stage: "train", stepsPerPass: 938, epochs: epochs,
                    console: Console(output: TextBuffer(), diagnostics: sink, diagnosticsIsTerminal: terminal),
                    clock: clock, barWidth: 24)
    }

    func testLineLayoutMatchesTheDocumentedFormat() {
        let bar = makeBar(terminal: true)
        bar.start(epoch: 3)
        clock.now += 12
        bar.advance(by: 612, items: 612 * 64, metrics: [ProgressBar.Metric("loss", 0.04123), .percent("acc", 98.7123)])
        // 612 steps in 12 s: 39,168 images / 12 s = 3,264 img/s; ETA = (326 + 7 × 938) steps × 12/612 s.
        XCTAssertEqual(sink.text, "\rtrain  epoch 3/10  [===============>        ] 612/938  loss 0.0412  acc 98.71%  3,264 img/s  ETA 2:15")
    }

    func testTerminalRedrawsAreThrottledAndPadded() {
        let bar = makeBar(terminal: true, epochs: nil)
        bar.advance(items: 64, metrics: [ProgressBar.Metric("loss", text: "a-long-value-to-overwrite")])
        clock.now += 0.0625
        bar.advance(items: 64)  // within 0.1 s of the last redraw: skipped
        XCTAssertEqual(sink.text.components(separatedBy: "\r").count - 1, 1)
        clock.now += 0.0625
        bar.advance(items: 64, metrics: [ProgressBar.Metric("loss", text: "x")])
        let redraws = sink.text.components(separatedBy: "\r").dropFirst()
        XCTAssertEqual(redraws.count, 2)
        XCTAssertEqual(redraws.last?.count, redraws.first?.count, "a shorter line is padded over the longer one")
        XCTAssertTrue(redraws.last?.hasPrefix("train  [>                       ] 3/938  loss x  1,536 img/s  ETA ") ?? false)
        XCTAssertFalse(sink.text.contains("\n"))

        bar.finish(metrics: [.percent("test", 99.1)])
        XCTAssertTrue(sink.text.hasSuffix("\rtrain  [>                       ] 3/938  loss x  test 99.10%  1,536 img/s  time 0:00\n"),
                      sink.text)
    }

    func testTerminalLinesAreCutToTheTerminalWidth() {
        let bar = ProgressBar(stage: "train", stepsPerPass: 938, epochs: 10,
                              console: Console(output: TextBuffer(), diagnostics: sink, diagnosticsIsTerminal: true, diagnosticsColumns: 40),
                              clock: clock, barWidth: 24)
        bar.start(epoch: 1)
        bar.advance(items: 64, metrics: [ProgressBar.Metric("loss", 0.5)])
        bar.finish()
        let lines = sink.text.components(separatedBy: "\r").dropFirst().map { $0.trimmingCharacters(in: .newlines) }
        XCTAssertEqual(lines, ["train  epoch 1/10  [>                 …", "train  epoch 1/10  [>                 …"])
        XCTAssertTrue(lines.allSatisfy { $0.count == 39 })
    }

    func testLogOutputGetsOccasionalPlainLinesAndAFinalLine() {
        let bar = makeBar(terminal: false, epochs: 2)
        bar.start(epoch: 1)
        for _ in 0..<900 {
            clock.now += 0.01
            bar.advance(items: 64, metrics: [ProgressBar.Metric("loss", 0.5)])
        }
        XCTAssertEqual(sink.text, "", "no line before the plain-line interval")
        clock.now += 30
        bar.advance(items: 64)
        XCTAssertEqual(sink.text.filter { $0 == "\n" }.count, 1)
        clock.now += 1
        bar.advance(by: 37, items: 37 * 64)
        bar.finish()
        let lines = sink.text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertFalse(sink.text.contains("\r"))
        XCTAssertEqual(lines.last, "train  epoch 1/2  [========================] 938/938  loss 0.5000  1,501 img/s  time 0:40")

        bar.start(epoch: 2)
        clock.now += 10
        bar.advance(items: 64)
        bar.finish()
        XCTAssertTrue(sink.text.hasSuffix("train  epoch 2/2  [>                       ] 1/938  6 img/s  time 0:10\n"), sink.text)
    }

    func testThroughputLeavesOutWhatRunsAfterTheLastStep() {
        let bar = makeBar(terminal: false, epochs: 1)
        bar.start(epoch: 1)
        clock.now += 10
        bar.advance(by: 938, items: 938 * 64)
        clock.now += 30  // a validation pass
        bar.finish(metrics: [.percent("val", 98.5)])
        XCTAssertTrue(sink.text.hasSuffix("] 938/938  val 98.50%  6,003 img/s  time 0:40\n"), sink.text)
    }

    func testETACoversTheRemainingEpochs() {
        let bar = makeBar(terminal: true, epochs: 2)
        bar.start(epoch: 1)
        clock.now += 938
        bar.advance(by: 938)
        bar.finish()
        bar.start(epoch: 2)
        clock.now += 469
        bar.advance(by: 469)
        // One second per step so far; 469 steps left.
        XCTAssertTrue(sink.text.hasSuffix("ETA 7:49"), sink.text)
    }
}
