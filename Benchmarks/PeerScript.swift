import Foundation

/// A peer script of `Benchmarks/peer/` that failed to run or printed no result.
public struct PeerScriptFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Runs `script` with the Python the user named and returns what it printed on stdout. Its
/// stderr goes to a file, so that neither stream can fill a pipe and stall the script while
/// the other is read; a failure names the script and the last line it wrote there.
func runPeerScript(_ script: URL, python: String, arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script.path] + arguments
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(script.lastPathComponent)-\(UUID().uuidString).err")
    guard FileManager.default.createFile(atPath: errorFile.path, contents: nil), let errors = try? FileHandle(forWritingTo: errorFile) else {
        throw PeerScriptFailure(description: "cannot create \(errorFile.path)")
    }
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
        try process.run()
    } catch {
        throw PeerScriptFailure(description: "cannot run \(python): \(error.localizedDescription)")
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? errors.close()
    guard process.terminationStatus == 0 else {
        let errorText = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        throw PeerScriptFailure(description: "\(python) \(script.lastPathComponent) failed: \(errorText.split(separator: "\n").last ?? "exit \(process.terminationStatus)")")
    }
    return String(decoding: data, as: UTF8.self)
}
