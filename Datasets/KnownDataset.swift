import Foundation
import SwiftletKernels

/// How to recognise the true content of a downloaded file.
enum Verification: Sendable {
    /// SHA-256 of the decompressed bytes: one check that accepts the canonical `.gz` and any
    /// re-compression of the same content (such as a mirror's `gzip -9 -n` copy).
    case decompressedSHA256(String)
    /// A tar.gz is accepted if its MD5 is `archiveMD5` (the only checksum published for the
    /// canonical CIFAR-10 download) or if each listed member has the listed SHA-256.
    case archive(archiveMD5: String, memberSHA256: [String: String])
}

/// A file of a known dataset.
struct KnownFile: Sendable {
    /// Where it lives under a mirror or the cache (both are laid out like the canonical downloads).
    let relativePath: String
    let url: URL
    let verification: Verification
}

/// The datasets `fetch` knows how to obtain and verify.
struct KnownDataset: Sendable {
    let name: String
    let files: [KnownFile]
    /// What a loader reads, relative to the cache: the folder of IDX files or the archive.
    let loadPath: String
    /// A copy that ships inside the repository, if any.
    let shippedFolder: URL?

    static func named(_ name: String) -> KnownDataset? {
        [mnist, cifar10].first { $0.name == name }
    }

    /// MNIST, from the PyTorch mirror (the original site throttles downloads). The checksums
    /// are of the decompressed original files.
    static let mnist: KnownDataset = {
        let checksums = [
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ]
        let base = URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!
        let files = zip(IDXFolder.compressedFileNames, checksums).map { fileName, checksum in
            KnownFile(relativePath: "mnist/" + fileName, url: base.appendingPathComponent(fileName),
                      verification: .decompressedSHA256(checksum))
        }
        // The four .gz files sit in Datasets/MNIST/ beside this source file. A path from
        // #filePath needs no resource copy and no environment variable on a fresh clone.
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("MNIST")
        return KnownDataset(name: "mnist", files: files, loadPath: "mnist", shippedFolder: shipped)
    }()

    /// CIFAR-10's binary version. The canonical archive is recognised by the MD5 its authors
    /// publish; the member SHA-256s are those of the rebuild described in the project's
    /// dataset notes (docs/datasets.md), the canonical members' SHA-256s not being published.
    static let cifar10 = KnownDataset(
        name: "cifar10",
        files: [KnownFile(
            relativePath: "cifar-10-binary.tar.gz",
            url: URL(string: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")!,
            verification: .archive(archiveMD5: "c32a1d4ab5d03f1284b67883e8d87530", memberSHA256: [
                "data_batch_1.bin": "d4eccb5aa25a9b948aa3fd025d4ac30e107056a5d419f22705a4771e7bc76c2e",
                "data_batch_2.bin": "2b9ddd6d4c90f0ff4332052222685aa9a20f9683a45f5a0e12c4e5e4c70515a9",
                "data_batch_3.bin": "5ce5e4d12337a9da973abb638b27413c080b3709e3dca56eaf87a40e1270d233",
                "data_batch_4.bin": "d6859fc5c8b537557ca7d4691d50fdfa80578a1eb25f916d552f7af575682bc5",
                "data_batch_5.bin": "6b22a00d0ff493ac5465b40434c5c0c90fd9a16fa964b8b53345f6efb8402003",
                "test_batch.bin": "48d5cb87f43666f32f525a571589607a3b3299ced7d34a8acb451b7fb879bbfd",
            ]))],
        loadPath: "cifar-10-binary.tar.gz",
        shippedFolder: nil)
}

extension Verification {
    /// Throws `checksumMismatch` (or a decoding error) unless `bytes` are the expected content.
    func verify(_ bytes: [UInt8], file: String) throws {
        switch self {
        case .decompressedSHA256(let expected):
            let content = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, file: file) : bytes
            let actual = SHA256.hexDigest(content)
            guard actual == expected else {
                throw DatasetError(.checksumMismatch, file: file, "SHA-256 of the decompressed content is \(actual), expected \(expected)")
            }
        case .archive(let archiveMD5, let memberSHA256):
            if MD5.hexDigest(bytes) == archiveMD5 { return }
            let tar = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, file: file) : bytes
            // Members are found by file name as the loader finds them, two of one name refused.
            let entries = try Tar.entriesByFileName(try Tar.entries(tar, file: file), file: file)
            let expected = memberSHA256.sorted { $0.key < $1.key }
            let found = try expected.map { member, _ in
                guard let entry = entries[member] else {
                    throw DatasetError(.checksumMismatch, file: file, "not the canonical archive (MD5 differs from \(archiveMD5)) and it has no member \(member)")
                }
                return entry
            }
            // The members are independent: hash them on all cores.
            var actual = [String](repeating: "", count: found.count)
            actual.withUnsafeMutableBufferPointer { actual in
                tar.withUnsafeBytes { tar in
                    Parallel.forEach(found.count) { index in
                        actual[index] = SHA256.hexDigest(UnsafeRawBufferPointer(rebasing: tar[found[index].range]))
                    }
                }
            }
            for (index, (_, digest)) in expected.enumerated() where actual[index] != digest {
                throw DatasetError(.checksumMismatch, file: file, "not the canonical archive (MD5 differs from \(archiveMD5)) and member \(found[index].path) has SHA-256 \(actual[index]), expected \(digest)")
            }
        }
    }
}
