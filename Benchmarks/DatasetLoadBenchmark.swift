import Datasets
import Foundation

/// How long loading one dataset takes, decompression and decoding included.
public struct DatasetLoadTiming: Sendable {
    public let dataset: String
    /// The fastest of the timed loads, in seconds.
    public let seconds: Double
    public let trainImages: Int
    public let testImages: Int
}

/// Times `loadDataset` for each name (`mnist` from the shipped `.gz` files, `cifar10` from
/// the cached `.tar.gz`). Each dataset is first fetched into the cache if needed, untimed,
/// so a mirror or download never counts; then the fastest of `repeats` loads is reported.
public func measureDatasetLoading(_ names: [String] = ["mnist", "cifar10"], options: FetchOptions = FetchOptions(),
                                  repeats: Int = 3) throws -> [DatasetLoadTiming] {
    try names.map { name in
        _ = try loadDataset(name, options: options)
        var best = Double.infinity
        var dataset: ImageDataset?
        for _ in 0..<max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            dataset = try loadDataset(name, options: options)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return DatasetLoadTiming(dataset: name, seconds: best,
                                 trainImages: dataset?.train.count ?? 0, testImages: dataset?.test.count ?? 0)
    }
}
