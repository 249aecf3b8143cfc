/// Options shared by many commands; list the ones a command uses in its `options`.
public enum GlobalOptions {
    public static let threads = Option<Int?>.integer(
        "threads", range: .within(1...1024), help: "Worker threads; every core when absent", environmentVariable: "SWIFTLET_THREADS")
    public static let json = Option.flag(
        "json", help: "Print results as JSON, one object per line, and nothing else on stdout")
    public static let dataDirectory = Option<String?>.string(
        "data-dir", placeholder: "DIR", help: "Where datasets are stored", environmentVariable: "SWIFTLET_DATA")
    public static let mirror = Option<String?>.string(
        "mirror", placeholder: "DIR", help: "A local folder to fetch datasets from instead of the network",
        environmentVariable: "SWIFTLET_MIRROR")
    public static let seed = Option.integer("seed", default: 0, range: .nonNegative, help: "Random seed")

    /// All of the above.
    public static var all: [any OptionDeclaration] { [threads, json, dataDirectory, mirror, seed] }
}
