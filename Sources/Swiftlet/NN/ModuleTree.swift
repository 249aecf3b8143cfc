// The module tree: every module below a model has a dotted path — PyTorch's
// `named_modules()` names, the prefixes of its `state_dict` names — by which compression
// passes look modules up and swap them (a Linear by its factorisation, by its sparse form).
//
// Reading the tree needs nothing from a model's author: children in stored properties are
// found by reflection. Replacing one needs a slot that can be written: a `Sequential`
// entry, or a property declared with `@Child`. Swift's reflection cannot write a plain
// stored property, and the property's declared type limits what may take its place.

/// Where a module lookup or replacement by path failed, and why.
public enum ModuleTreeError: Error, Equatable, CustomStringConvertible {
    /// No module at `path`; `candidates` are the paths that exist.
    case noModule(path: String, candidates: [String])
    /// The module at `path` is held where it cannot be replaced (e.g. a plain `let`).
    case notReplaceable(path: String, reason: String)
    /// The slot at `path` is declared as `declared`, which `given` is not.
    case typeMismatch(path: String, declared: String, given: String)

    public var description: String {
        switch self {
        case let .noModule(path, candidates):
            return "no module at \"\(path)\"; the model has: \(candidates.isEmpty ? "no submodules" : candidates.joined(separator: ", "))"
        case let .notReplaceable(path, reason):
            return "the module at \"\(path)\" cannot be replaced: \(reason)"
        case let .typeMismatch(path, declared, given):
            return "\"\(path)\" is declared as \(declared), so a \(given) cannot take its place; declare it `@Child var …: Module` to accept any module"
        }
    }
}

/// A stored child module that passes may replace (`replaceSubmodule(at:with:)`):
///
///     final class Block: Module {
///         @Child var conv1: Module = Conv2d(16, 16, kernelSize: 3, padding: 1)   // any replacement
///         @Child var fc: Linear = Linear(64, 10)                                  // a Linear (or subclass) only
///     }
///
/// A plain `let conv1: Conv2d` is found, trained, pruned and traced just the same; only
/// replacing it needs the wrapper.
@propertyWrapper
public final class Child<Declared: Module> {
    /// The child module now in place (the original or its replacement).
    public var wrappedValue: Declared

    /// Wraps the declared initial child.
    public init(wrappedValue: Declared) {
        self.wrappedValue = wrappedValue
    }
}

/// A child slot that can be rewritten, whatever its declared type.
protocol ChildSlot: AnyObject {
    var module: Module { get }
    func replace(with module: Module, path: String) throws
}

extension Child: ChildSlot {
    var module: Module { wrappedValue }

    func replace(with module: Module, path: String) throws {
        guard let typed = module as? Declared else {
            throw ModuleTreeError.typeMismatch(path: path, declared: "\(Declared.self)", given: "\(type(of: module))")
        }
        wrappedValue = typed
    }
}

extension Module {
    /// Children found by reflection, with the `@Child` slot of each that has one.
    var storedChildren: [(name: String, module: Module, slot: ChildSlot?)] {
        var levels: [[(String, Module, ChildSlot?)]] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            var level: [(String, Module, ChildSlot?)] = []
            for case let (label?, value) in current.children {
                if let slot = value as? ChildSlot {
                    // A property wrapper's storage is `_name`.
                    level.append((label.hasPrefix("_") ? String(label.dropFirst()) : label, slot.module, slot))
                } else if let module = value as? Module {
                    level.append((label, module, nil))
                } else if let modules = value as? [Module] {
                    level += modules.enumerated().map { ("\(label).\($0.offset)", $0.element, nil) }
                }
            }
            levels.append(level)
            mirror = current.superclassMirror
        }
        // Superclass properties first, as they were declared first.
        return levels.reversed().flatMap { $0 }
    }

    /// This module (path "") and every module below it, depth first in declaration order,
    /// with dotted paths: PyTorch's `named_modules()`.
    public var namedModules: [(path: String, module: Module)] {
        [("", self)] + children.flatMap { child in
            child.module.namedModules.map { (path: $0.path.isEmpty ? child.name : "\(child.name).\($0.path)", module: $0.module) }
        }
    }

    /// The submodule at a dotted path such as `"fc1"` or `"layer1.0.conv1"` (`""` is this
    /// module), or nil.
    public func submodule(at path: String) -> Module? {
        path.isEmpty ? self : slot(at: path)?.module
    }

    /// The module holding the submodule at `path`, that submodule's name there, and the
    /// submodule. A child's name may itself contain dots (`blocks.0`, an array element).
    private func slot(at path: String) -> (parent: Module, name: String, module: Module)? {
        for child in children {
            if path == child.name { return (self, child.name, child.module) }
            if path.hasPrefix(child.name + "."), let found = child.module.slot(at: String(path.dropFirst(child.name.count + 1))) {
                return found
            }
        }
        return nil
    }

    /// The submodule at `path`, or an error listing the paths that exist.
    public func module(at path: String) throws -> Module {
        guard let module = submodule(at: path) else {
            throw ModuleTreeError.noModule(path: path, candidates: namedModules.map(\.path).filter { !$0.isEmpty })
        }
        return module
    }

    /// Puts `replacement` where the module at `path` is: the way every pass swaps a layer
    /// (decomposition, sparse conversion). The slot must be a `Sequential` entry or a
    /// `@Child` property whose declared type `replacement` has.
    public func replaceSubmodule(at path: String, with replacement: Module) throws {
        guard !path.isEmpty else {
            throw ModuleTreeError.notReplaceable(path: path, reason: "a model cannot replace itself")
        }
        guard let (parent, name, _) = slot(at: path) else {
            throw ModuleTreeError.noModule(path: path, candidates: namedModules.map(\.path).filter { !$0.isEmpty })
        }
        try parent.replaceChild(named: name, with: replacement, path: path)
    }

    /// Replaces a `@Child` property: what `replaceChild(named:with:path:)` does by default.
    func replaceStoredChild(named name: String, with replacement: Module, path: String) throws {
        guard let stored = storedChildren.first(where: { $0.name == name }) else {
            throw ModuleTreeError.notReplaceable(path: path, reason: "\(type(of: self)) lists it as a child but does not store it in a property; override replaceChild(named:with:path:)")
        }
        guard let slot = stored.slot else {
            let reason = name.contains(".")
                ? "it is an element of the array `\(name.prefix { $0 != "." })` of \(type(of: self)); hold the modules in a Sequential to make them replaceable"
                : "`\(name)` is a plain stored property of \(type(of: self)); declare it `@Child var \(name): Module` so passes can replace it"
            throw ModuleTreeError.notReplaceable(path: path, reason: reason)
        }
        try slot.replace(with: replacement, path: path)
    }
}
