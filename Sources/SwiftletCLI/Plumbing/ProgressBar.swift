/// A training progress line on stderr:
///
///     train  epoch 3/10  [=========>              ] 612/938  loss 0.0412  acc 98.71%  5,210 img/s  ETA 0:42
///
/// On a terminal it redraws in place (`\r`, at most `redrawInterval` apart, cut to the
/// terminal's width with `…`: a line that wraps cannot be redrawn in place); in a log it
/// prints a plain line every `plainLineInterval` seconds. Either way `finish` prints the
/// pass's final line, which shows the time taken instead of the ETA. The ETA covers the
/// rest of the stage (all remaining epochs) at the average step time so far. The throughput
/// counts the steps' time only: the final line's time includes what ran after the last step
/// (a validation pass), its img/s does not.
///
/// Usage: `start(epoch:)` (when there are epochs), `advance(items:metrics:)` once per step,
/// `finish(metrics:)` at the end of each epoch or pass.
public final class ProgressBar {
    /// One `name value` pair after the counts; the caller formats the value.
    public struct Metric: Equatable {
        public let name: String
        public let value: String

        public init(_ name: String, text: String) {
            self.name = name
            self.value = text
        }

        /// `loss 0.0412`.
        public init(_ name: String, _ value: Double, decimals: Int = 4) {
            self.init(name, text: HumanReadable.fixed(value, decimals: decimals))
        }

        /// `acc 98.71%`, from a value already in percent.
        public static func percent(_ name: String, _ value: Double, decimals: Int = 2) -> Metric {
            Metric(name, text: HumanReadable.percent(value, decimals: decimals))
        }
    }

    public let stage: String
    public let stepsPerPass: Int
    public let epochs: Int?
    /// What the throughput counts: `img` gives `5,210 img/s`.
    public let unit: String

    private let sink: TextSink
    private let isTerminal: Bool
    private let columns: Int?
    private let clock: MonotonicClock
    private let redrawInterval: Double
    private let plainLineInterval: Double
    private let barWidth: Int

    private var epoch = 1
    private var step = 0
    private var items = 0
    private var metrics: [Metric] = []
    private var passStart: Double
    /// When the latest step was recorded: the end of the throughput's time.
    private var lastStep: Double
    /// Time and steps of finished passes, for the ETA.
    private var earlierPassesSeconds = 0.0
    private var earlierPassesSteps = 0
    private var lastWrite: Double?
    private var lastLineLength = 0

    /// - Parameters:
    ///   - stepsPerPass: steps (batches) in one epoch, or in the whole pass without epochs.
    ///   - epochs: the number of epochs, or nil for a single pass (no `epoch x/y` shown).
    ///   - isTerminal: redraw in place; defaults to whether the console's stderr is a terminal.
    public init(stage: String, stepsPerPass: Int, epochs: Int? = nil, unit: String = "img",
                console: Console, clock: MonotonicClock = SystemClock(),
                redrawInterval: Double = 0.1, plainLineInterval: Double = 30, barWidth: Int = 24) {
        precondition(stepsPerPass > 0 && barWidth > 1, "a progress bar needs steps and room to draw")
        self.stage = stage
        self.stepsPerPass = stepsPerPass
        self.epochs = epochs
        self.unit = unit
        self.sink = console.diagnostics
        self.isTerminal = console.diagnosticsIsTerminal
        self.columns = console.diagnosticsColumns
        self.clock = clock
        self.redrawInterval = redrawInterval
        self.plainLineInterval = plainLineInterval
        self.barWidth = barWidth
        self.passStart = clock.seconds()
        self.lastStep = passStart
    }

    /// Starts epoch `epoch` (1-based): counts, metrics and the throughput timer restart.
    public func start(epoch: Int) {
        self.epoch = epoch
        step = 0
        items = 0
        metrics = []
        passStart = clock.seconds()
        lastStep = passStart
        lastWrite = nil
    }

    /// Records `steps` more steps covering `items` items (images) and the latest metrics,
    /// and redraws if it is time to.
    public func advance(by steps: Int = 1, items: Int = 0, metrics: [Metric] = []) {
        step = min(step + steps, stepsPerPass)
        self.items += items
        if !metrics.isEmpty { self.metrics = metrics }
        let now = clock.seconds()
        lastStep = now
        let interval = isTerminal ? redrawInterval : plainLineInterval
        // A log gets its first plain line only after an interval; a terminal draws at once.
        let reference = lastWrite ?? (isTerminal ? -Double.infinity : passStart)
        guard now - reference >= interval else { return }
        lastWrite = now
        emit(line(now: now, finished: false), final: false)
    }

    /// Ends the epoch or pass, printing its final line with `metrics` (e.g. test accuracy)
    /// after the latest step metrics.
    public func finish(metrics extra: [Metric] = []) {
        let now = clock.seconds()
        metrics += extra
        emit(line(now: now, finished: true), final: true)
        earlierPassesSeconds += now - passStart
        earlierPassesSteps += step
        lastWrite = nil
    }

    /// The current line, as it would be drawn at time `now`.
    func line(now: Double, finished: Bool) -> String {
        var parts = [stage]
        if let epochs { parts.append("epoch \(epoch)/\(epochs)") }
        let filled = step * barWidth / stepsPerPass
        let bar = step == stepsPerPass
            ? String(repeating: "=", count: barWidth)
            : String(repeating: "=", count: filled) + ">" + String(repeating: " ", count: barWidth - filled - 1)
        parts.append("[\(bar)] \(step)/\(stepsPerPass)")
        parts += metrics.map { "\($0.name) \($0.value)" }
        let elapsed = now - passStart, stepping = (finished ? lastStep : now) - passStart
        if items > 0, stepping > 0 { parts.append("\(HumanReadable.count(Double(items) / stepping)) \(unit)/s") }
        if finished {
            parts.append("time \(HumanReadable.clock(elapsed))")
        } else {
            parts.append("ETA \(HumanReadable.clock(remainingSeconds(elapsed: elapsed)))")
        }
        return parts.joined(separator: "  ")
    }

    private func remainingSeconds(elapsed: Double) -> Double {
        let stepsDone = earlierPassesSteps + step
        guard stepsDone > 0 else { return .nan }
        let secondsPerStep = (earlierPassesSeconds + elapsed) / Double(stepsDone)
        let laterEpochs = max((epochs ?? epoch) - epoch, 0)
        return secondsPerStep * Double(stepsPerPass - step + laterEpochs * stepsPerPass)
    }

    private func emit(_ full: String, final: Bool) {
        guard isTerminal else { return sink.write(full + "\n") }
        var line = full
        // The last column stays free: some terminals wrap as soon as it is written.
        if let columns, full.count >= columns { line = String(full.prefix(max(columns - 2, 0))) + "…" }
        // Pad over the tail of a longer previous line instead of relying on escape codes.
        let padding = String(repeating: " ", count: max(lastLineLength - line.count, 0))
        sink.write("\r" + line + padding + (final ? "\n" : ""))
        lastLineLength = final ? 0 : line.count
    }
}
