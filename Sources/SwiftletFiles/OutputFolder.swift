import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder a command writes its outputs into, claimed for the whole command: created,
/// checked writable and locked before any work, so a bad `--out` fails at once and a
/// second command writing to the same folder is refused instead of interleaving its files.
///
/// Files that belong together (a model, its optimizer state, the training progress that
/// says how far they got) are committed as a unit with `commit(_:)`: they are written into
/// a temporary folder, which is renamed to `.commit` (the commit point) and then moved into
/// place. Why a temporary folder rather than a manifest: a reader that opens
/// `model.safetensors` directly (PyTorch, `swiftlet evaluate`) never sees a manifest, and a
/// manifest cannot bring back the file a half-finished write replaced; with the folder the
/// old set stays whole until the rename, and a kill after it is finished by the next claim
/// (`rollForward`). The lock is advisory (`flock` on the folder itself), so it leaves no
/// lock file behind and the system releases it when the process dies, even by SIGKILL.
public final class OutputFolder {
    public let url: URL
    private var descriptor: Int32
    /// The folders the claim created, outermost first: removed again on release if the
    /// command left them empty (it failed before writing anything), so a mistake leaves no trace.
    private let createdFolders: [URL]
    static let commitName = ".commit"

    /// Claims `url`: creates it, takes the lock (or throws if another process holds it),
    /// checks that files can be created in it, finishes a commit that a killed process left
    /// behind, and removes stale temporaries.
    public init(claiming url: URL) throws {
        self.url = url.standardizedFileURL
        createdFolders = try createFolder(self.url)
        descriptor = open(self.url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileSystemError.last("open the output folder", self.url.path) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            release()
            throw code == EWOULDBLOCK
                ? FileSystemError("write to", self.url.path, code: code, reason: "another command is writing to this folder; wait for it to finish or choose another output folder")
                : FileSystemError("lock", self.url.path, code: code)
        }
        do {
            try checkWritable()
            try rollForward()
            TemporaryName.removeStale(in: self.url)
        } catch {
            release()
            throw error
        }
    }

    // Also runs when `init` throws after `descriptor` is set, hence `release`'s guard.
    deinit { release() }

    /// Gives up the lock, and removes the folders the claim created if they are still empty.
    /// Later calls do nothing.
    public func release() {
        guard descriptor >= 0 else { return }
        for folder in createdFolders.reversed() where rmdir(folder.path) != 0 { break }
        close(descriptor)
        descriptor = -1
    }

    /// Writes `files` (name → bytes) so that the folder holds either all of the new files or
    /// all of the old ones, whatever happens: a kill, a full disk.
    public func commit(_ files: [String: [UInt8]]) throws {
        let staging = url.appendingPathComponent(TemporaryName.forName(Self.commitName))
        try? FileManager.default.removeItem(at: staging)
        try createFolder(staging)
        do {
            for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
                try writeAndSync(bytes, toNewFile: staging.appendingPathComponent(name).path,
                                 reportedAs: url.appendingPathComponent(name).path)
            }
            syncFolder(staging)
            guard rename(staging.path, commitFolder.path) == 0 else { throw FileSystemError.last("write", commitFolder.path) }
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        syncFolder(url)
        try rollForward()
    }

    private var commitFolder: URL { url.appendingPathComponent(Self.commitName) }

    /// Moves the files of a committed unit into place and removes its folder. Idempotent, so
    /// a kill part-way leaves a `.commit` that the next claim finishes.
    private func rollForward() throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: commitFolder.path) else { return }
        for name in names.sorted() {
            let destination = url.appendingPathComponent(name).path
            guard rename(commitFolder.appendingPathComponent(name).path, destination) == 0 else {
                throw FileSystemError.last("write", destination)
            }
        }
        syncFolder(url)
        guard rmdir(commitFolder.path) == 0 else { throw FileSystemError.last("remove", commitFolder.path) }
    }

    /// Creates and removes a temporary file, so a folder that cannot take files fails now.
    private func checkWritable() throws {
        let probe = url.appendingPathComponent(TemporaryName.forName("write-check")).path
        let probeDescriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard probeDescriptor >= 0 else { throw FileSystemError.last("write to", url.path) }
        close(probeDescriptor)
        unlink(probe)
    }

    /// Throws if any of `inputs` is a file directly inside this folder: a command's outputs
    /// must never replace what it reads, and anything it writes here could.
    public func refuseInputsInside(_ inputs: [URL], option: String = "--out") throws {
        let folder = FileIdentity(url)
        for input in inputs where folder != nil && FileIdentity(input.deletingLastPathComponent()) == folder {
            throw FileSystemError("write to", url.path, code: EINVAL,
                                  reason: "it holds the input \(input.path), which this command's outputs could replace; choose another \(option)")
        }
    }
}

/// Device and inode of an existing path: equal for the same file however it is named
/// (relative, through a symlink, a hard link).
public struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64

    /// Nil when the path does not exist.
    public init?(_ url: URL) {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// Throws if `output` already exists and is the same file as one of `inputs`: `evaluate
/// --probe` or `export --out` naming the checkpoint they read would destroy it.
public func refuseOverwritingInputs(_ output: URL, inputs: [URL], option: String) throws {
    guard let target = FileIdentity(output) else { return }
    if let input = inputs.first(where: { FileIdentity($0) == target }) {
        throw FileSystemError("write", output.path, code: EINVAL,
                              reason: "it is the input \(input.path), which \(option) would overwrite; choose another file")
    }
}
