/// One regular file inside a tar archive: its path and where its bytes lie in the archive.
public struct TarEntry: Equatable, Sendable {
    /// The member's path inside the archive, e.g. `cifar-10-batches-bin/data_batch_1.bin`.
    public let path: String
    /// The member's bytes: offsets into the archive passed to `Tar.entries(_:file:)`.
    public let range: Range<Int>
}

/// A reader for tar archives (POSIX ustar, with GNU long names and pax `path` records),
/// enough for the canonical dataset archives. Nothing is written to disk; still, a member
/// path that is absolute or contains `..` is rejected, because such an archive is either
/// broken or hostile.
public enum Tar {
    private static let blockSize = 512

    /// The regular files of `archive`, in archive order.
    /// - Parameters:
    ///   - archive: the whole archive, already decompressed.
    ///   - file: the archive's name, used in error messages.
    public static func entries(_ archive: [UInt8], file: String) throws -> [TarEntry] {
        try archive.withUnsafeBufferPointer { try entries($0, file: file) }
    }

    static func entries(_ archive: UnsafeBufferPointer<UInt8>, file: String) throws -> [TarEntry] {
        var entries = [TarEntry]()
        var offset = 0
        var pendingPath: String?  // from a GNU long-name or pax header, for the next entry
        while offset + blockSize <= archive.count {
            let header = UnsafeBufferPointer(rebasing: archive[offset..<(offset + blockSize)])
            if header.allSatisfy({ $0 == 0 }) { return entries }  // end-of-archive marker
            try checkHeaderChecksum(header, offset: offset, file: file)
            let size = try number(header, 124, 12, what: "size", offset: offset, file: file)
            let dataStart = offset + blockSize
            guard size <= archive.count - dataStart else {
                throw DatasetError(.truncated, file: file, "truncated: tar member at byte \(offset) declares \(size) bytes but only \(archive.count - dataStart) remain")
            }
            let data = dataStart..<(dataStart + size)
            let path = pendingPath ?? headerPath(header)
            pendingPath = nil
            switch header[156] {
            case UInt8(ascii: "L"):
                pendingPath = string(UnsafeBufferPointer(rebasing: archive[data]))
            case UInt8(ascii: "x"):
                pendingPath = paxPath(UnsafeBufferPointer(rebasing: archive[data]))
            case UInt8(ascii: "g"):
                break  // global pax settings: nothing we use
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                try checkSafe(path, file: file)
                entries.append(TarEntry(path: path, range: data))
            default:
                try checkSafe(path, file: file)  // folders, links, devices: checked, not returned
            }
            offset = dataStart + (size + blockSize - 1) / blockSize * blockSize
        }
        guard offset >= archive.count else {
            throw DatasetError(.truncated, file: file, "truncated: \(archive.count - offset) stray bytes at the end of the tar archive, less than a header")
        }
        return entries
    }

    /// `entries` by file name (the last path component), refusing two members of one name:
    /// a verifier and a loader could otherwise check one copy and read the other.
    static func entriesByFileName(_ entries: [TarEntry], file: String) throws -> [String: TarEntry] {
        var byName: [String: TarEntry] = [:]
        for entry in entries {
            let fileName = String(entry.path.split(separator: "/").last ?? "")
            if let first = byName.updateValue(entry, forKey: fileName) {
                throw DatasetError(.corruptStream, file: file, "the archive holds two members named \(fileName): '\(first.path)' and '\(entry.path)'")
            }
        }
        return byName
    }

    private static func checkSafe(_ path: String, file: String) throws {
        if path.hasPrefix("/") {
            throw DatasetError(.unsafePath, file: file, "tar member '\(path)' has an absolute path")
        }
        if path.split(separator: "/").contains("..") {
            throw DatasetError(.unsafePath, file: file, "tar member '\(path)' climbs out of the archive with '..'")
        }
    }

    /// The header checksum: the byte sum of the header with the checksum field read as spaces.
    private static func checkHeaderChecksum(_ header: UnsafeBufferPointer<UInt8>, offset: Int, file: String) throws {
        let stored = try number(header, 148, 8, what: "checksum", offset: offset, file: file)
        var sum = 8 * Int(UInt8(ascii: " "))
        for (index, byte) in header.enumerated() where !(148..<156).contains(index) { sum += Int(byte) }
        guard sum == stored else {
            throw DatasetError(.corruptStream, file: file, "tar header at byte \(offset) has checksum \(stored), its bytes sum to \(sum)")
        }
    }

    /// A numeric header field: octal text, or base-256 when the first byte's top bit is set.
    private static func number(_ header: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int,
                               what: String, offset: Int, file: String) throws -> Int {
        let field = header[start..<(start + length)]
        if let first = field.first, first & 0x80 != 0 {
            var value = Int(first & 0x7F)
            for byte in field.dropFirst() {
                guard value <= Int.max >> 8 else {
                    throw DatasetError(.corruptStream, file: file, "tar header at byte \(offset) has an impossibly large \(what) field")
                }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var digits = 0
        for byte in field {
            if byte == 0 || (byte == UInt8(ascii: " ") && digits > 0) { break }
            if byte == UInt8(ascii: " ") { continue }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte), value < Int.max >> 3 else {
                throw DatasetError(.corruptStream, file: file, "tar header at byte \(offset) has a malformed \(what) field")
            }
            value = value << 3 | Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return value
    }

    /// The ustar path: `prefix/name`, or just `name` in pre-POSIX archives.
    private static func headerPath(_ header: UnsafeBufferPointer<UInt8>) -> String {
        let name = string(UnsafeBufferPointer(rebasing: header[0..<100]))
        let isUstar = header[257..<262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? string(UnsafeBufferPointer(rebasing: header[345..<500])) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// Text up to the first NUL.
    private static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The `path` record of a pax extended header (`"<length> path=<value>\n"` records).
    private static func paxPath(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        for record in string(bytes).split(separator: "\n") {
            guard let space = record.firstIndex(of: " ") else { continue }
            let keyValue = record[record.index(after: space)...]
            if keyValue.hasPrefix("path=") { return String(keyValue.dropFirst(5)) }
        }
        return nil
    }
}
