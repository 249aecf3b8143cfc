import Foundation

/// Somewhere text goes: standard output, standard error, or a buffer in tests.
public protocol TextSink: AnyObject {
    func write(_ text: String)
}

/// Standard output or standard error, unbuffered so progress and results appear at once.
public final class StandardStream: TextSink, Sendable {
    private let handle: FileHandle

    public static let output = StandardStream(FileHandle.standardOutput)
    public static let error = StandardStream(FileHandle.standardError)

    private init(_ handle: FileHandle) {
        self.handle = handle
    }

    public func write(_ text: String) {
        handle.write(Data(text.utf8))
    }

    /// Whether the stream is an interactive terminal (not a pipe or a file).
    public var isTerminal: Bool { isatty(handle.fileDescriptor) != 0 }

    /// The terminal's width in columns, when the stream is a terminal that reports one.
    public var columns: Int? {
        var size = winsize()
        guard ioctl(handle.fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// Collects everything written, for tests.
public final class TextBuffer: TextSink {
    public private(set) var text = ""

    public init() {}

    public func write(_ text: String) {
        self.text += text
    }
}

/// Drops everything written: the console of data-parallel ranks other than 0.
public final class DiscardingSink: TextSink {
    public init() {}

    public func write(_ text: String) {}
}

/// Where a command writes: results on `output` (stdout: with `--json`, JSON lines only),
/// progress and messages on `diagnostics` (stderr).
public struct Console {
    public let output: TextSink
    public let diagnostics: TextSink
    /// Whether `diagnostics` is a terminal, so progress can redraw in place.
    public let diagnosticsIsTerminal: Bool
    /// The width of that terminal in columns, when known: a redrawn line must not wrap.
    public let diagnosticsColumns: Int?
    /// Environment variables, injectable so tests do not depend on the caller's environment.
    public let environment: [String: String]

    public init(output: TextSink, diagnostics: TextSink, diagnosticsIsTerminal: Bool = false, diagnosticsColumns: Int? = nil,
                environment: [String: String] = [:]) {
        self.output = output
        self.diagnostics = diagnostics
        self.diagnosticsIsTerminal = diagnosticsIsTerminal
        self.diagnosticsColumns = diagnosticsColumns
        self.environment = environment
    }

    /// A console that shows nothing.
    public static var muted: Console { Console(output: DiscardingSink(), diagnostics: DiscardingSink()) }

    /// The process's stdout, stderr and environment.
    public static var standard: Console {
        Console(output: StandardStream.output, diagnostics: StandardStream.error,
                diagnosticsIsTerminal: StandardStream.error.isTerminal, diagnosticsColumns: StandardStream.error.columns,
                environment: ProcessInfo.processInfo.environment)
    }
}
