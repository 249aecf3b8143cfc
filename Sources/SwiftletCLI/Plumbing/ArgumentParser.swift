extension ParsedArguments {
    /// Parses and checks `arguments` (everything after the command name).
    ///
    /// Accepts `--name value` and `--name=value`; a value may start with a single dash
    /// (`--lr -0.5`) but not with two, so `--out --json` reports the missing value instead
    /// of writing to a folder named "--json". After `--` every word is positional.
    /// Options absent from the command line fall back to their environment variable.
    public init(parsing arguments: [String], options: [OptionSpec], positionals: [Positional],
                commandPath: String, environment: [String: String] = [:]) throws {
        var byName: [String: OptionSpec] = [:]
        for option in options {
            precondition(byName.updateValue(option, forKey: option.name) == nil,
                         "\(commandPath) declares \(option.flagName) twice")
        }
        var values: [String: [ParsedValue]] = [:]
        var givenText: [String: [String]] = [:]
        var positionalWords: [String] = []

        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("-") || word == "-" || Double(word) != nil {
                positionalWords.append(word)
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            guard word.hasPrefix("--") else {
                throw UsageError.unknownOption(word, command: commandPath, suggestion: nil)
            }
            let body = word.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inlineValue = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
            guard let option = byName[name] else {
                throw UsageError.unknownOption("--" + name, command: commandPath,
                                               suggestion: closestName(to: name, among: options.map(\.name)).map { "--" + $0 })
            }
            let text: String
            if option.kind == .flag {
                if let inlineValue { throw UsageError.flagWithValue(option: option.flagName, value: inlineValue) }
                text = ""
            } else if let inlineValue {
                text = inlineValue
            } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                text = arguments[index]
                index += 1
            } else {
                throw UsageError.missingValue(option: option.flagName, expected: option.kind.expectation)
            }
            givenText[name, default: []].append(text)
            if !option.isRepeatable, let previous = givenText[name], previous.count > 1 {
                throw UsageError.repeatedOption(option.flagName, values: previous)
            }
            guard let value = parseValue(text, kind: option.kind) else {
                throw UsageError.invalidValue(option: option.flagName, value: text, expected: option.kind.expectation(rejecting: text))
            }
            values[name, default: []].append(value)
        }

        for option in options where values[option.name] == nil {
            guard let variable = option.environmentVariable, let text = environment[variable], !text.isEmpty else { continue }
            guard let value = parseValue(text, kind: option.kind) else {
                throw UsageError.invalidEnvironmentValue(variable: variable, option: option.flagName, value: text,
                                                         expected: option.kind.expectation(rejecting: text))
            }
            values[option.name] = [value]
        }

        var positionalValues: [String: String] = [:]
        for (position, positional) in positionals.enumerated() {
            guard position < positionalWords.count else {
                if positional.isOptional { break }
                throw UsageError.missingArgument(positional.name, command: commandPath)
            }
            let word = positionalWords[position]
            if let choices = positional.choices, !choices.contains(word) {
                throw UsageError.invalidArgument(positional.name, value: word,
                                                 expected: "one of \(choices.joined(separator: ", "))")
            }
            positionalValues[positional.name] = word
        }
        if positionalWords.count > positionals.count {
            throw UsageError.unexpectedArgument(positionalWords[positionals.count], command: commandPath)
        }

        self.init(commandPath: commandPath, values: values, declaredOptions: Set(byName.keys),
                  positionalValues: positionalValues)
    }
}

/// Checks `text` against `kind`; nil when it does not fit.
private func parseValue(_ text: String, kind: OptionKind) -> ParsedValue? {
    switch kind {
    case .flag:
        return .present
    case let .integer(range):
        guard let value = Int(text), range.contains(value) else { return nil }
        return .integer(value)
    case let .number(range):
        guard !isOutsideFloatRange(text), let value = Float(text), value.isFinite, range.contains(value) else { return nil }
        return .number(value)
    case .text:
        return text.isEmpty ? nil : .text(text)
    case let .choice(words):
        return words.contains(text) ? .text(text) : nil
    }
}

/// The declared name a typo most likely meant: the only one it abbreviates, else the nearest
/// within two edits (fewer for short words).
func closestName(to typed: String, among names: [String]) -> String? {
    let extensions = names.filter { $0.hasPrefix(typed) }
    if extensions.count == 1 { return extensions[0] }
    let scored = names.map { (name: $0, distance: editDistance(typed, $0)) }
    guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= min(2, typed.count / 2 + 1) else {
        return nil
    }
    return best.name
}

/// Levenshtein distance between two short words.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
