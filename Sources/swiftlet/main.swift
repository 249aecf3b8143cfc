import SwiftletCLI

CommandLineTool(name: "swiftlet", summary: "train and compress neural networks on the CPU",
                version: "0.1.0", commands: []).main()
