import Foundation
import Swiftlet
import SwiftletFiles

/// `swiftlet distill`: trains a built-in student on a teacher checkpoint's outputs.
struct DistillCommand: Command {
    let catalog: Catalog
    let name = "distill"
    let summary = "Distil a teacher checkpoint into a built-in student; writes OUT/model.safetensors"
    let discussion = """
        The default loss is Hinton et al.'s α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α)·CE(y, z_s). \
        The source documents' L = CE + KL is --alpha 0.5 --no-temperature-squared (exactly half of it). \
        --hard trains on the teacher's argmax instead (T and α unused). --cache-teacher runs the teacher \
        in the first epoch only and reuses its logits (training images are not augmented here). \
        The student trains with SGD, momentum 0.9, from a fresh initialisation or from --student-checkpoint \
        (e.g. a pruned student: its zero weights count as pruned and stay zero).
        """
    static let epochs = Option.integer("epochs", default: 10, range: .epochs, help: "Training epochs of the student")
    static let teacher = Option<String?>.string("teacher", placeholder: "FILE", help: "The teacher's .safetensors checkpoint")
    var teacherModel: Option<String?> { catalog.modelOption("teacher-model", help: "The teacher's architecture") }
    var student: Option<String?> { catalog.modelOption("student", help: "The student's architecture") }
    static let studentCheckpoint = Option<String?>.string("student-checkpoint", placeholder: "FILE",
                                                          help: "Start the student from this float checkpoint (zero weights stay zero)")
    static let temperature = Option.number("temperature", default: 4, range: .positive, help: "Softmax temperature T of the soft targets")
    static let alpha = Option.number("alpha", default: 0.9, range: .within(0...1), help: "Weight α of the soft term; 1 − α weighs the labels' CE")
    static let withoutTemperatureSquared = Option.flag("no-temperature-squared", help: "Drop the T² factor on the soft term")
    static let hard = Option.flag("hard", help: "Hard-label distillation: CE against the teacher's argmax")
    static let cacheTeacher = Option.flag("cache-teacher", help: "Compute the teacher's logits once, in the first epoch")
    static let learningRate = Option.number("lr", default: 0.01, range: .positive, help: "Student learning rate")

    var options: [any OptionDeclaration] {
        [Self.teacher, teacherModel, CommonOptions.allowNonFinite, student, Self.studentCheckpoint, Self.temperature, Self.alpha, Self.withoutTemperatureSquared, Self.hard,
         Self.cacheTeacher, Self.epochs, Self.learningRate, CommonOptions.dataset, CommonOptions.out] + CommonOptions.distributedOptions + GlobalOptions.all
    }

    func run(_ arguments: ParsedArguments, console: Console) throws {
        let command = "swiftlet distill"
        guard let teacherPath = arguments[Self.teacher] else { throw UsageError.missingArgument("--teacher", command: command) }
        guard let teacherName = arguments[teacherModel] else { throw UsageError.missingArgument("--teacher-model", command: command) }
        guard let studentName = arguments[student] else { throw UsageError.missingArgument("--student", command: command) }
        let teacherEntry = try catalog.model(teacherName), studentEntry = try catalog.model(studentName)
        guard teacherEntry.inputShape == studentEntry.inputShape else {
            throw UsageError.distillationInputsDiffer(teacher: teacherName, teacherEntry.inputShape, student: studentName, studentEntry.inputShape)
        }
        CommonOptions.applyThreads(arguments)
        let output = try DistributedRun(arguments, defaultName: "distill-\(studentName)", inputs: [teacherPath])
        defer { output.release() }
        let folder = output.url
        let context = CommonOptions.context(arguments, experiment: "distill", model: studentEntry, run: output, console: console)
        let data = try CommonOptions.imageData(arguments, for: studentEntry, shard: try context.shard)
        let teacher = try CommonOptions.loadFloatModel(teacherEntry, from: teacherPath, command: command,
                                                       allowNonFinite: arguments[CommonOptions.allowNonFinite])
        try context.finishStage("teacher", model: teacher, data: data, save: false)

        GlobalRandom.seed(context.seed)
        let student = try arguments[Self.studentCheckpoint].map { path in
            let loaded = try CommonOptions.loadFloatModel(studentEntry, from: path, command: command,
                                                          allowNonFinite: arguments[CommonOptions.allowNonFinite])
            try context.finishStage("student-loaded", model: loaded, data: data, save: false)
            return loaded
        } ?? studentEntry.make()
        let optimizer = SGD(student.parameters, lr: arguments[Self.learningRate], momentum: 0.9)
        try optimizer.holdZeros(of: student)
        let targets: DistillationTargets = arguments[Self.hard]
            ? .teacherArgmax
            : .soft(DistillationLoss(temperature: arguments[Self.temperature], alpha: arguments[Self.alpha],
                                     scaleByTemperatureSquared: !arguments[Self.withoutTemperatureSquared]))
        let stage = arguments[Self.hard] ? "student-hard" : "student-soft"
        try context.distill(student, teacher: teacher, optimizer: optimizer, data: data, epochs: arguments[Self.epochs],
                            stage: stage, targets: targets, cacheTeacher: arguments[Self.cacheTeacher])
        try context.finishStage(stage, model: student, data: data, as: "model")
        if !context.json {
            context.console.output.write(StageResult.table(context.results).renderPlainText() + "\nwrote \(folder.path)/model.safetensors\n")
        }
        output.finish()
    }
}
