import Foundation

/// Numbers formatted for people: sizes, durations, counts and percentages.
public enum HumanReadable {
    /// Decimal units, as model sizes are usually quoted: `850 B`, `1.2 kB`, `431 kB`, `1.7 MB`.
    public static func bytes(_ count: Int) -> String {
        if abs(count) < 1000 { return "\(count) B" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(count) / 1000
        var unit = 0
        while true {
            // Decide the precision after rounding, so 999,960 B reads "1.0 MB", not "1000 kB".
            let text = abs(value) < 99.95 ? String(format: "%.1f", value) : String(format: "%.0f", value)
            if abs(value) < 999.5 || unit == units.count - 1 { return "\(text) \(units[unit])" }
            value /= 1000
            unit += 1
        }
    }

    /// Short durations in seconds (`0.45 s`, `12.3 s`), sub-second ones in ms or µs,
    /// a minute or more as a clock (`1:23`, `1:02:03`).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let magnitude = abs(seconds)
        if magnitude >= 59.95 { return clock(seconds) }
        if magnitude >= 9.995 { return String(format: "%.1f s", seconds) }
        if magnitude >= 0.1 || magnitude == 0 { return String(format: "%.2f s", seconds) }
        if magnitude >= 0.001 { return String(format: "%.1f ms", seconds * 1e3) }
        return String(format: "%.1f µs", seconds * 1e6)
    }

    /// Whole seconds as `m:ss` or `h:mm:ss` (`0:42`, `1:02:03`); `--:--` when unknown.
    public static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < Double(Int.max / 2) else { return "--:--" }
        let total = Int(seconds.rounded())
        let sign = total < 0 ? "-" : ""
        let (hours, rest) = abs(total).quotientAndRemainder(dividingBy: 3600)
        let (minutes, secs) = rest.quotientAndRemainder(dividingBy: 60)
        if hours > 0 { return sign + String(format: "%d:%02d:%02d", hours, minutes, secs) }
        return sign + String(format: "%d:%02d", minutes, secs)
    }

    /// Thousands separated by commas: `5,210`, `-1,234,567`.
    public static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    /// A rate or other measured count, rounded to a whole number: `5,210`.
    public static func count(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 9e18 else { return "--" }
        return count(Int(value.rounded()))
    }

    /// A value already in percent: `percent(98.7123)` is `98.71%`.
    public static func percent(_ value: Double, decimals: Int = 2) -> String {
        String(format: "%.\(decimals)f%%", value)
    }

    /// A number with a fixed count of decimals: `fixed(0.04123, decimals: 4)` is `0.0412`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
