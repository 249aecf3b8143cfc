import Swiftlet

/// The student side of the distillation experiments: every student starts from the same
/// seeded initialisation and trains with the same optimizer and epochs, so the stages differ
/// only in what the student is trained to match.
struct StudentTraining {
    let context: ExperimentContext
    /// Training images without augmentation, so that the teacher's logits can be cached; the
    /// stages are evaluated on its test images.
    let data: ImageData
    let student: ModelZoo.Entry
    let epochs: Int
    let learningRate: Float
    /// Anneals the learning rate to 0 by a cosine over `epochs`; constant when false.
    var annealed = false

    /// Trains a fresh student on the dataset's labels (cross-entropy) and ends `stage`.
    func fromScratch(_ stage: String) throws {
        let (model, optimizer) = freshStudent()
        try context.train(model, optimizer: optimizer, data: data, epochs: epochs, stage: stage, schedule: schedule(optimizer))
        try context.finishStage(stage, model: model, data: data)
    }

    /// Distils `teacher` into a fresh student and ends `stage`. On `data` the teacher runs in the
    /// first epoch only (its logits are cached); on a `transferSet` with augmentation (new
    /// images every epoch) it runs on every batch.
    func distilled(_ stage: String, from teacher: Module, targets: DistillationTargets, transferSet: ImageData? = nil) throws {
        let (model, optimizer) = freshStudent()
        try context.distill(model, teacher: teacher, optimizer: optimizer, data: transferSet ?? data, epochs: epochs, stage: stage,
                            targets: targets, cacheTeacher: transferSet == nil, schedule: schedule(optimizer))
        try context.finishStage(stage, model: model, data: data)
    }

    private func schedule(_ optimizer: Optimizer) -> LearningRateSchedule? {
        annealed ? LearningRateSchedule(optimizer, .cosine(tMax: epochs, minimum: 0)) : nil
    }

    private func freshStudent() -> (Module, Optimizer) {
        GlobalRandom.seed(context.seed)
        let model = student.make()
        return (model, SGD(model.parameters, lr: learningRate, momentum: 0.9))
    }
}
