import SwiftletCLI

swiftletTool.main()
