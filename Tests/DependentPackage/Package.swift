// swift-tools-version:6.0
import PackageDescription

// A package that depends on Swiftlet as a user's would, by path here (by URL elsewhere: see the
// README's "Depending on Swiftlet"). DependentPackageTests builds it with `swift build`.
// Swiftlet's `-target-cpu` flag is its own (unsafeFlags are allowed in a path dependency); a
// dependent's own numeric code would pass `-Xswiftc -target-cpu -Xswiftc native` itself.
let package = Package(
    name: "SwiftletDependent",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Swiftlet", path: "../..")],
    targets: [
        .executableTarget(name: "dependent", dependencies: [
            .product(name: "Swiftlet", package: "Swiftlet"),
            .product(name: "Datasets", package: "Swiftlet"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
