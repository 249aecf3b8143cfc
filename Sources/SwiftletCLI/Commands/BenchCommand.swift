import Foundation
import Swiftlet
import SwiftletBenchmarks

/// `swiftlet bench`: speed of the kernels and the built-in models, optionally beside PyTorch.
struct BenchCommand: Command {
    let catalog: Catalog
    let name = "bench"
    let summary = "Measure sgemm GFLOP/s and training/inference speed of the seed models"
    let discussion = "Without --threads, measures with 1 and 2 threads. --peer PYTHON runs Benchmarks/peer/pytorch_bench.py with that Python (it needs torch) on the same models in the same run and prints the ratios; for inference and latency it also exports each model to ONNX in float and as the int8 engine's QDQ pipeline and times both in ONNX Runtime (Benchmarks/peer/ort_bench.py, same threads and batch) — a Python without onnxruntime leaves those columns out and says why in one line. --only sparse times batch-1 inference of LeNet-300-100 pruned to 90 % through the dense and the sparse path, in turns, best of 100 rounds of 300 images each. --only int8 times batch-64 inference of the MNIST net and the CIFAR SimpleCNN in fp32 and through the int8 pipeline (Int8InferenceModel), back to back, and prints the ratio; with --peer also ONNX Runtime on the same engines exported as QDQ, at each thread count, and int8 against it. --only conv times the forward, input-gradient and weight-gradient kernels of every convolution of --models (default cifar-vgg) at batch 64, best of at least five calls each, in GFLOP/s. --only decompose times batch-64 inference of built-in models with layers replaced by their low-rank factorisations (lenet300 fc1, hinton-student fc2, cifar-simplecnn fc1 and conv2, and seed004-cifar-prune-decompose's fc1 r16 + conv2 r8), each alternately with the undecomposed model, best of 5 rounds each, and prints the FLOPs ratio beside the speed ratio (with --peer, beside PyTorch's speed-up for the same factorisations). --only data times loading MNIST from the shipped .gz files and CIFAR-10 from the cached .tar.gz (fetched first, untimed, from --mirror if needed). --only allreduce, under `mpirun -np N` in a build with the MPI trait, times averaging the gradients of --models (default: the seed models, resnet20 and cifar-vgg) across the N ranks, and of a 1-float and a 16 MiB buffer (latency and bandwidth); median of 30 (docs/distributed.md)."
    static let only = Option.choice("only", ["sgemm", "train", "infer", "latency", "data", "sparse", "int8", "conv", "decompose", "allreduce"], help: "Measure one figure only")
    static let models = Option.strings("models", placeholder: "NAME", help: "Models to measure (default: the four seed models)")
    static let peer = Option<String?>.string("peer", placeholder: "PYTHON", help: "A Python with torch (and onnxruntime), to compare with PyTorch and ONNX Runtime")

    static let seedModels = ["mnist-net", "lenet300", "cifar-simplecnn", "cifar-teacher"]
    /// The models whose int8 speed the quantization issue asks for.
    static let int8Models = ["mnist-net", "cifar-simplecnn"]

    var options: [any OptionDeclaration] {
        [Self.only, Self.models, Self.peer, GlobalOptions.threads, GlobalOptions.json, GlobalOptions.dataDirectory, GlobalOptions.mirror]
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let threads = arguments[GlobalOptions.threads].map { [$0] } ?? [1, 2]
        let only = arguments[Self.only]
        if only == "data" { return try benchData(arguments, console: console) }
        if only == "allreduce" { return try benchAllreduce(arguments, console: console) }
        if only == "sparse" {
            for count in threads {
                let m = try measureSparseLatency(threads: count)
                console.output.write(arguments[GlobalOptions.json] ? m.jsonLine + "\n"
                    : "\(m.model) at \(HumanReadable.percent(100 * m.sparsity, decimals: 0)) sparsity, batch 1, \(count) thread\(count == 1 ? "" : "s"): "
                      + "dense \(HumanReadable.fixed(m.denseMicroseconds, decimals: 2)) µs, "
                      + "sparse \(HumanReadable.fixed(m.sparseMicroseconds, decimals: 2)) µs, "
                      + String(format: "%.2f× faster (outputs differ by at most %.1e)\n", m.speedup, m.maximumDifference))
            }
            return
        }
        if only == "int8" { return try benchInt8(arguments, threads: threads, console: console) }
        if only == "conv" { return try benchConvolutions(arguments, threads: threads, console: console) }
        if only == "decompose" { return try benchDecomposition(arguments, threads: threads, console: console) }
        let models = arguments[Self.models].isEmpty ? Self.seedModels : arguments[Self.models]
        var lines: [String] = []
        var sgemm: [SGEMMMeasurement] = []
        var measured: [ModelMeasurement] = []
        if only == nil || only == "sgemm" {
            sgemm = measureSGEMM(threads: threads)
            lines += sgemm.map(\.jsonLine)
        }
        if only != "sgemm" {
            for model in models {
                for count in threads {
                    console.diagnostics.write("measuring \(model) with \(count) thread\(count == 1 ? "" : "s")…\n")
                    let measurement = try measureModel(catalog.model(model), threads: count)
                    measured.append(measurement)
                    lines += measurement.jsonLines.filter { only == nil || $0.contains("\"bench\": \"\(only!)\"") }
                }
            }
        }
        if arguments[GlobalOptions.json] {
            return console.output.write(lines.map { $0 + "\n" }.joined())
        }
        let peerThreads = threads.max() ?? 2
        let peer = try arguments[Self.peer].map { try PeerBenchmark.run(python: $0, threads: peerThreads, models: models) }
        var report = BenchReport(sgemm: sgemm, models: measured, peer: peer, only: only)
        if let python = arguments[Self.peer], [nil, "infer", "latency"].contains(only) {
            console.diagnostics.write("measuring the ONNX exports in ONNX Runtime with \(peerThreads) thread\(peerThreads == 1 ? "" : "s")…\n")
            report.onnxRuntime = try ONNXRuntimeBenchmark.run(python: python, threads: peerThreads, models: models)
        }
        console.output.write(report.text)
    }

    private func benchInt8(_ arguments: ParsedArguments, threads: [Int], console: Console) throws {
        let models = arguments[Self.models].isEmpty ? Self.int8Models : arguments[Self.models]
        let measurements = try measureEach(models, threads: threads, console: console, label: { "\($0) fp32 and int8" }) {
            [try measureInt8Inference($0, threads: $1)]
        }
        // With --peer, ONNX Runtime on the same models exported as the int8 engine's QDQ pipeline, at each thread count.
        let runtimes: [ONNXRuntimeBenchmark] = try arguments[Self.peer].map { python in
            try threads.map { count in
                console.diagnostics.write("measuring the ONNX exports in ONNX Runtime with \(count) thread\(count == 1 ? "" : "s")…\n")
                return try ONNXRuntimeBenchmark.run(python: python, threads: count, models: models)
            }
        } ?? []
        let measured = runtimes.filter { $0.unavailable == nil }
        var table = Table(headers: ["model", "threads", "fp32 img/s", "int8 img/s", "int8 / fp32"]
                          + (measured.isEmpty ? [] : ["ONNX Runtime int8 img/s", "int8 / ONNX Runtime int8"]))
        var jsonLines = measurements.map(\.jsonLine)
        for m in measurements {
            var row = [m.model, "\(m.threads)", HumanReadable.count(m.fp32ImagesPerSecond), HumanReadable.count(m.int8ImagesPerSecond),
                       String(format: "%.2f×", m.speedup)]
            if !measured.isEmpty {
                let theirs = measured.first { $0.threads == m.threads }?.figures(m.model, .int8)?.inferImagesPerSecond
                row += theirs.map { [HumanReadable.count($0), String(format: "%.2f×", m.int8ImagesPerSecond / $0)] } ?? ["–", "–"]
                if let theirs {
                    jsonLines.append(#"{"bench": "int8-onnxruntime", "model": "\#(m.model)", "threads": \#(m.threads), "batch": \#(m.batch), "#
                                     + #""onnxruntime_int8_img_per_s": \#(Int(theirs.rounded())), "ratio": \#(String(format: "%.2f", m.int8ImagesPerSecond / theirs))}"#)
                }
            }
            table.append(row)
        }
        let notes = runtimes.flatMap(\.notes).map { "\n" + $0 }.joined()
        report(arguments, console: console, jsonLines: jsonLines,
               title: "inference at batch 64, fp32 and int8 measured back to back", table: table, notes: notes)
    }

    private func benchConvolutions(_ arguments: ParsedArguments, threads: [Int], console: Console) throws {
        let models = arguments[Self.models].isEmpty ? ["cifar-vgg"] : arguments[Self.models]
        let measurements = try measureEach(models, threads: threads, console: console, label: { "the convolutions of \($0)" }) {
            try measureConvolutions(try catalog.model($0), threads: $1)
        }
        var table = Table(headers: ["model", "layer", "shape", "threads", "forward GFLOP/s", "input grad GFLOP/s", "weight grad GFLOP/s", "ms per step"])
        for m in measurements {
            let g = m.geometry
            let gflops = { (seconds: Double) in HumanReadable.fixed(m.flops / seconds / 1e9, decimals: 1) }
            table.append([m.model, m.layer, "\(g.inChannels)→\(g.outChannels) k\(g.kernelHeight) \(g.inHeight)×\(g.inWidth)", "\(m.threads)",
                          gflops(m.forward), gflops(m.backwardInput), gflops(m.backwardWeight),
                          HumanReadable.fixed(1000 * (m.forward + m.backwardInput + m.backwardWeight), decimals: 2)])
        }
        report(arguments, console: console, jsonLines: measurements.map(\.jsonLine),
               title: "convolution kernels at batch 64, best of at least five calls", table: table)
    }

    private func benchDecomposition(_ arguments: ParsedArguments, threads: [Int], console: Console) throws {
        let chosen = arguments[Self.models]
        let cases = DecompositionCase.defaults.filter { chosen.isEmpty || chosen.contains($0.model) }
        let known = Set(DecompositionCase.defaults.map(\.model))
        if let unknown = chosen.first(where: { !known.contains($0) }) {
            throw UsageError.invalidValue(option: "--models", value: unknown, expected: "one of \(known.sorted().joined(separator: ", ")) (the models bench --only decompose measures)")
        }
        let measurements = try measureEach(cases, threads: threads, console: console, label: { "\($0.model) \($0.label)" }) {
            [try measureDecomposition($0, threads: $1)]
        }
        // PyTorch's figures for the same factorisations with each thread count, measured right after.
        var peers: [Int: PeerBenchmark] = [:]
        if let python = arguments[Self.peer] {
            for count in threads {
                console.diagnostics.write("measuring the same factorisations in PyTorch with \(count) thread\(count == 1 ? "" : "s")…\n")
                peers[count] = try PeerBenchmark.runDecompositions(python: python, threads: count)
            }
        }
        var table = Table(headers: ["model", "decomposed", "threads", "FLOPs/img", "FLOPs ratio", "img/s", "original img/s", "speed-up"]
                          + (peers.isEmpty ? [] : ["PyTorch img/s", "PyTorch speed-up"]))
        for m in measurements {
            let peer = peers[m.threads]?.decompositions[PeerBenchmark.decompositionKey(model: m.decomposition.model, label: m.decomposition.label)]
            table.append([m.decomposition.model, m.decomposition.label, "\(m.threads)", HumanReadable.count(m.speed.flops),
                          String(format: "%.2f", m.speed.flopReduction), HumanReadable.count(m.speed.imagesPerSecond),
                          HumanReadable.count(m.speed.referenceImagesPerSecond), String(format: "%.2f×", m.speed.speedup)]
                         + (peers.isEmpty ? [] : [peer.map { HumanReadable.count($0.imagesPerSecond) } ?? "–",
                                                  peer.map { String(format: "%.2f×", $0.speedup) } ?? "–"]))
        }
        report(arguments, console: console, jsonLines: measurements.map(\.jsonLine),
               title: "inference at batch 64, each decomposed model alternately with the original (best of 5 rounds each)", table: table)
    }

    /// Measures every item with every thread count, announcing each on stderr.
    private func measureEach<Item, Measurement>(
        _ items: [Item], threads: [Int], console: Console, label: (Item) -> String,
        _ measure: (Item, Int) throws -> [Measurement]
    ) rethrows -> [Measurement] {
        var measurements: [Measurement] = []
        for item in items {
            for count in threads {
                console.diagnostics.write("measuring \(label(item)) with \(count) thread\(count == 1 ? "" : "s")…\n")
                measurements += try measure(item, count)
            }
        }
        return measurements
    }

    /// The measurements as JSON lines with --json, else as a titled table and `notes` under it.
    private func report(_ arguments: ParsedArguments, console: Console, jsonLines: [String], title: String, table: Table, notes: String = "") {
        console.output.write(arguments[GlobalOptions.json] ? jsonLines.map { $0 + "\n" }.joined()
                             : title + "\n" + table.renderPlainText() + notes + "\n")
    }

    private func benchAllreduce(_ arguments: ParsedArguments, console: Console) throws {
        let communicator = try openMPICommunicator(timeout: 60)
        let models = arguments[Self.models].isEmpty ? Self.seedModels + ["resnet20", "cifar-vgg"] : arguments[Self.models]
        var cases = try models.map { ($0, try catalog.model($0).make().parameters) }
        cases += [("1 float", [Tensor.zeros([1])]), ("16 MiB", [Tensor.zeros([1 << 22])])]
        let measurements = try cases.map { try measureAllreduce($0.0, parameters: $0.1, communicator: communicator) }
        communicator.finalize()
        guard communicator.rank == 0 else { return }
        var table = Table(headers: ["gradients of", "scalars", "MB", "ranks", "µs per average", "bus Gbit/s"])
        for m in measurements {
            table.append([m.label, HumanReadable.count(m.scalars), HumanReadable.fixed(Double(m.bytes) / 1e6, decimals: 3), "\(m.ranks)",
                          HumanReadable.fixed(m.seconds * 1e6, decimals: 1), HumanReadable.fixed(m.busBytesPerSecond * 8 / 1e9, decimals: 2)])
        }
        report(arguments, console: console, jsonLines: measurements.map(\.jsonLine),
               title: "averaging gradients across \(communicator.size) ranks (median of 30)", table: table)
    }

    private func benchData(_ arguments: ParsedArguments, console: Console) throws {
        let timings = try measureDatasetLoading(options: CommonOptions.fetchOptions(arguments))
        if arguments[GlobalOptions.json] {
            for t in timings {
                JSONLinesWriter(sink: console.output).write([
                    "bench": "data", "dataset": .string(t.dataset), "seconds": .number(t.seconds, decimals: 3),
                    "train": .integer(t.trainImages), "test": .integer(t.testImages)])
            }
            return
        }
        var table = Table(headers: ["dataset", "train images", "test images", "load time (best of 3)"])
        for t in timings {
            table.append([t.dataset, HumanReadable.count(t.trainImages), HumanReadable.count(t.testImages), HumanReadable.duration(t.seconds)])
        }
        console.output.write(table.renderPlainText() + "\n")
    }
}
