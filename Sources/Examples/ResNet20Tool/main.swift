// A program of your own with the whole `swiftlet` command line, and your model in it:
//
//     swift run -c release resnet20-tool train --model resnet20 --dataset cifar10 --epochs 30 --out runs/r20
//     swift run -c release resnet20-tool prune --model resnet20 --checkpoint runs/r20/model.safetensors \
//         --dataset cifar10 --method filters --sparsity 0.3 --out runs/r20-thin
//     swift run -c release resnet20-tool reproduce resnet20-cifar-compress
// ANCHOR: tool
import ResNetExample
import SwiftletCLI

swiftletTool(name: "resnet20-tool", models: [ResNet20.entry], experiments: [ResNet20CifarCompress(), AutomaticCompressionExperiment.resNet20()]).main()
// ANCHOR_END: tool
