import Foundation
import Swiftlet
import SwiftletFiles

/// A command that trains, run in one process or as one rank of a data-parallel job
/// (`--distributed` under `mpirun`): it holds the job's communicator, and the output folder,
/// which rank 0 alone claims and writes. The other ranks compute the same steps and write nothing.
struct DistributedRun {
    /// The job's communicator with `--distributed`; nil in a single process.
    let communicator: (any Communicator)?
    /// Where the command's files go.
    let url: URL
    /// The claimed output folder; nil on ranks other than 0.
    let folder: OutputFolder?

    /// Joins the job when `--distributed` is given, then claims `url` on rank 0 (refusing a
    /// folder that holds one of `inputs`, as `CommonOptions.claimOutputFolder`).
    init(_ arguments: ParsedArguments, claiming url: URL, inputs: [String?] = []) throws {
        try self.init(communicator: try CommonOptions.communicator(arguments), claiming: url, inputs: inputs)
    }

    /// Claims `url` on rank 0 of `communicator`'s job (or in a single process when it is nil):
    /// for a command that runs several times in one job, e.g. `reproduce all`.
    init(communicator: (any Communicator)?, claiming url: URL, inputs: [String?] = []) throws {
        self.communicator = communicator
        guard (communicator?.rank ?? 0) == 0 else {
            (self.url, folder) = (url.standardizedFileURL, nil)
            return
        }
        let folder = try OutputFolder(claiming: url)
        try folder.refuseInputsInside(inputs.compactMap { $0.map { URL(fileURLWithPath: $0) } })
        (self.url, self.folder) = (folder.url, folder)
    }

    /// `--out`, or `runs/<defaultName>`, claimed as above.
    init(_ arguments: ParsedArguments, defaultName: String, inputs: [String?] = []) throws {
        try self.init(arguments, claiming: URL(fileURLWithPath: arguments[CommonOptions.out] ?? "runs/\(defaultName)"), inputs: inputs)
    }

    /// Gives up the folder's lock (see `OutputFolder.release`).
    func release() { folder?.release() }

    /// Ends this rank's part in the job after a successful run; a failed run skips it, so that
    /// `mpirun` ends the other ranks.
    func finish() { communicator?.finalize() }
}
