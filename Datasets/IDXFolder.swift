import Foundation
import SwiftletKernels

/// A folder laid out like MNIST: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each plain or with `.gz`.
/// Works for any such dataset (Fashion-MNIST, KMNIST, …). Class names come from an
/// optional `classes.txt` (one per line), otherwise they are the label numbers.
enum IDXFolder {
    static let fileNames = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// The four files' names as stored in the canonical downloads.
    static let compressedFileNames = fileNames.map { $0 + ".gz" }

    /// The file for `name` in `folder`: the `.gz` one if present, else the plain one.
    static func locate(_ name: String, in folder: URL) -> URL {
        let compressed = folder.appendingPathComponent(name + ".gz")
        return isRegularFile(compressed) ? compressed : folder.appendingPathComponent(name)
    }

    /// Whether `folder` holds the four files (compressed or not).
    static func isComplete(_ folder: URL) -> Bool {
        fileNames.allSatisfy { isRegularFile(locate($0, in: folder)) }
    }

    static func load(_ folder: URL, name: String, classNames fixedNames: [String]? = nil) throws -> ImageDataset {
        let urls = fileNames.map { locate($0, in: folder) }
        // Decompress the four files in parallel: the training images dominate.
        var arrays = [Result<IDXArray, Error>](repeating: .failure(DatasetError(.missingFile, file: folder.path, "not read")), count: 4)
        arrays.withUnsafeMutableBufferPointer { results in
            Parallel.forEach(4) { index in
                results[index] = Result { try IDXArray(contentsOf: urls[index]) }
            }
        }
        let (trainImages, trainLabels, testImages, testLabels) =
            (try arrays[0].get(), try arrays[1].get(), try arrays[2].get(), try arrays[3].get())
        let namesFile = folder.appendingPathComponent("classes.txt")
        let classNames = try fixedNames ?? (isRegularFile(namesFile)
            ? parseClassNames(readFileBytes(namesFile), file: namesFile.path)
            : numberedClasses(max(trainLabels.data.max() ?? 0, testLabels.data.max() ?? 0)))
        return ImageDataset(
            name: name,
            train: try imageSet(trainImages, trainLabels, urls[0], urls[1], classNames),
            test: try imageSet(testImages, testLabels, urls[2], urls[3], classNames))
    }

    /// "0", "1", … up to the largest label.
    private static func numberedClasses(_ largestLabel: UInt8) -> [String] {
        (0...Int(largestLabel)).map(String.init)
    }

    private static func imageSet(_ images: IDXArray, _ labels: IDXArray, _ imagesURL: URL, _ labelsURL: URL,
                                 _ classNames: [String]) throws -> ImageSet {
        guard images.elementType == .uint8, images.dimensions.count == 3 else {
            throw DatasetError(.badMagic, file: imagesURL.path, "expected unsigned-byte images of rank 3 (magic 0x00000803), found \(images.elementType) of rank \(images.dimensions.count)")
        }
        guard labels.elementType == .uint8, labels.dimensions.count == 1 else {
            throw DatasetError(.badMagic, file: labelsURL.path, "expected unsigned-byte labels of rank 1 (magic 0x00000801), found \(labels.elementType) of rank \(labels.dimensions.count)")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DatasetError(.sizeMismatch, file: labelsURL.path, "\(labels.dimensions[0]) labels for the \(images.dimensions[0]) images of \(imagesURL.lastPathComponent)")
        }
        return try ImageSet(channels: 1, height: images.dimensions[1], width: images.dimensions[2],
                            pixels: images.data, labels: labels.data, classNames: classNames, file: labelsURL.path)
    }
}

/// One class name per non-empty line (CIFAR-10's `batches.meta.txt`, an IDX folder's `classes.txt`).
func parseClassNames(_ bytes: [UInt8], file: String) throws -> [String] {
    let names = String(decoding: bytes, as: UTF8.self)
        .split(whereSeparator: \.isNewline)
        .map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }
    guard !names.isEmpty, names.count <= 256 else {
        throw DatasetError(.sizeMismatch, file: file, "expected between 1 and 256 class names, one per line, found \(names.count)")
    }
    return names
}
