import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads `url` into memory, or throws `downloadFailed` naming the URL and pointing at
/// the offline alternative (a local mirror).
func download(_ url: URL, relativePath: String) throws -> [UInt8] {
    // Unchecked `Sendable`: written by the completion handler before `done` is signalled,
    // read only after it is waited on.
    final class Outcome: @unchecked Sendable {
        var data: Data?
        var failure: String?
    }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    var request = URLRequest(url: url)
    request.timeoutInterval = 60
    URLSession.shared.dataTask(with: request) { data, response, error in
        if let error {
            outcome.failure = error.localizedDescription
        } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            outcome.failure = "HTTP status \(http.statusCode)"
        } else {
            outcome.data = data
        }
        done.signal()
    }.resume()
    done.wait()
    guard let data = outcome.data else {
        throw DatasetError(.downloadFailed, file: url.absoluteString,
                           "download failed (\(outcome.failure ?? "no data")). Offline? Pass --mirror DIR or set SWIFTLET_MIRROR=DIR to a folder laid out like the canonical downloads (DIR/\(relativePath))")
    }
    return [UInt8](data)
}
