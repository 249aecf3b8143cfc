import Datasets
import Swiftlet

/// seed002-distill: the document's combined loss L = CE(y, z_s) + KL(softmax(z_t/T) ‖ softmax(z_s/T))
/// at T = 4, distilling the MNIST net (conv 10-20, fc 50) into the 784-128-10 MLP, beside the
/// same MLP trained from scratch and distilled with Hinton's α·T²·KL + (1 − α)·CE (α = 0.9).
/// Every network: 10 epochs, SGD lr 0.01, momentum 0.9, batch 64, inputs normalised with
/// mean/std 0.5 (the MNIST recipe of these documents). Without T² the soft term's gradient is
/// 1/T² = 1/16 of its weight at T = 4, so the labels dominate; the stage `student-kd-t2` shows
/// the scaled form beside it.
struct Seed002Distill: Experiment {
    let id = "seed002-distill"
    let summary = "MNIST net → MLP-128: the document's CE + KL at T = 4 vs α·T²·KL + (1 − α)·CE vs the MLP from scratch"
    let defaultEpochs = 10
    let corrections: [String] = []

    func run(_ context: ExperimentContext) throws -> [StageResult] {
        let data = try context.loadImages("mnist", normalization: .centered(channels: 1))
        let epochs = context.epochs(default: defaultEpochs)

        let teacher = try context.trainModel("mnist-net", data: data, epochs: epochs, stage: "teacher")

        let student = try ModelZoo.entry("mlp-128")
        let students = StudentTraining(context: context, data: data, student: student, epochs: epochs, learningRate: 0.01)
        try students.fromScratch("student-scratch")
        // CE + KL is twice α = 0.5 without T²; SGD on twice the loss at lr 0.01 is SGD on the half at lr 0.02, step for step.
        let documentForm = StudentTraining(context: context, data: data, student: student, epochs: epochs, learningRate: 0.02)
        try documentForm.distilled("student-ce+kl", from: teacher,
                                   targets: .soft(DistillationLoss(temperature: 4, alpha: 0.5, scaleByTemperatureSquared: false)))
        try students.distilled("student-kd-t2", from: teacher, targets: .soft(DistillationLoss(temperature: 4, alpha: 0.9)))
        return context.results
    }
}
