/// What the student is trained to match during distillation.
public enum DistillationTargets: Sendable {
    /// The teacher's softened distribution mixed with the true labels:
    /// α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) + (1 − α)·CE(y, z_s) — see `DistillationLoss`
    /// (default T = 4, α = 0.9, T² on; `scaleByTemperatureSquared: false` drops the T²).
    case soft(DistillationLoss)
    /// Hard-label distillation: cross-entropy against the teacher's argmax instead of the
    /// dataset's labels — the student imitates the teacher's decisions, mistakes included.
    case teacherArgmax
}

/// One epoch of knowledge distillation: `trainEpoch` on the student, with a loss that
/// compares the student's logits with the teacher's.
///
/// The teacher runs in evaluation mode (dropout off, batch-norm running statistics) and
/// without recording a graph; its previous mode is restored afterwards. With a `cache`, the
/// teacher runs during the first epoch only (see `TeacherLogitCache`: valid without
/// augmentation only); the cache is marked filled when this epoch ends.
///
/// The returned loss is the distillation objective; the accuracy is against the
/// dataset's labels, as in `trainEpoch`.
public func distillEpoch<Batches: Sequence>(
    student: Module, teacher: Module, optimizer: Optimizer, batches: Batches, batchCount: Int,
    targets: DistillationTargets = .soft(DistillationLoss()), cache: TeacherLogitCache? = nil,
    progress: (BatchProgress) -> Void = { _ in }
) throws -> EpochResult where Batches.Element == LabeledBatch {
    let result = try withTeacherInEvaluationMode(teacher) {
        try trainEpoch(student, optimizer: optimizer, batches: batches, batchCount: batchCount,
                       loss: distillationObjective(teacher: teacher, targets: targets, cache: cache), progress: progress)
    }
    cache?.markFilled()
    return result
}

/// The loss of distilling `teacher` into the model being trained, for `trainEpoch` or
/// `Trainer.loss`: the teacher's logits (from `cache` when it has them) compared with the
/// student's as `targets` says. Run it with the teacher in evaluation mode
/// (`withTeacherInEvaluationMode`); the teacher records no graph.
public func distillationObjective(teacher: Module, targets: DistillationTargets, cache: TeacherLogitCache? = nil)
    -> (_ logits: Tensor, _ batch: LabeledBatch) throws -> Tensor {
    let runTeacher = { (images: Tensor) in try withNoGrad { try teacher(images) } }
    return { logits, batch in
        let teacherLogits = try cache?.logits(for: batch.images, teacher: runTeacher) ?? runTeacher(batch.images)
        switch targets {
        case let .soft(loss):
            return try loss(studentLogits: logits, teacherLogits: teacherLogits, labels: batch.labels)
        case .teacherArgmax:
            return try crossEntropy(logits, predictedClasses(teacherLogits))
        }
    }
}

/// Runs `body` with `teacher` in evaluation mode (dropout off, batch-norm running
/// statistics), then restores its previous mode.
@discardableResult
public func withTeacherInEvaluationMode<Result>(_ teacher: Module, _ body: () throws -> Result) rethrows -> Result {
    let teacherWasTraining = teacher.isTraining
    teacher.eval()
    defer { if teacherWasTraining { teacher.train() } }
    return try body()
}
