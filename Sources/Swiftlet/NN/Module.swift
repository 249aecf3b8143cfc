/// A building block of a model: it maps an input tensor to an output tensor and owns
/// named parameters (learned), buffers (other saved state) and child modules.
///
/// Names follow PyTorch's `state_dict`: a child's tensors are prefixed with the child's
/// name, so the `weight` of a child `conv1` is `conv1.weight`. Subclasses list their own
/// tensors in `localParameters` / `localBuffers`; children stored in properties are found
/// by reflection (override `children` to name them differently), and every module in the
/// tree has a dotted path (`layer1.0.conv1`) by which passes find and replace it
/// (ModuleTree.swift).
///
/// Not `Sendable`, like its tensors: a model belongs to the thread or task that trains or
/// evaluates it (docs/concurrency.md).
open class Module {
    /// Training mode changes what some layers do (dropout, batch-norm statistics).
    public private(set) var isTraining = true

    /// A module with no parameters of its own; subclasses declare theirs as stored properties.
    public init() {}

    /// The computation. Every concrete module overrides this; callers call the module
    /// itself (`model(x)`), which runs `forward` and lets a trace see the call (ModelGraph.swift).
    open func forward(_ input: Tensor) throws -> Tensor {
        throw TensorError.invalidArgument(op: "\(type(of: self))", "this module does not implement forward(_:)")
    }

    /// Runs `forward`, recorded with this module's path when a graph is being traced.
    public final func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard let recorder = GraphRecorder.active else { return try forward(input) }
        return try recorder.call(self, input) { try forward($0) }
    }

    /// This module's own learnable tensors, e.g. `[("weight", w), ("bias", b)]`.
    open var localParameters: [(name: String, tensor: Tensor)] { [] }

    /// This module's own non-learnable state, e.g. batch-norm running statistics.
    open var localBuffers: [(name: String, tensor: Tensor)] { [] }

    /// The direct submodules, in declaration order. By default: every stored property
    /// holding a `Module` (also optional, or an array of them, named `property.index`), and
    /// every `@Child` property.
    open var children: [(name: String, module: Module)] {
        storedChildren.map { ($0.name, $0.module) }
    }

    /// Every parameter in the tree, with its dotted name, in a stable order.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        localParameters + children.flatMap { child in
            child.module.namedParameters.map { ("\(child.name).\($0.name)", $0.tensor) }
        }
    }

    /// Every buffer in the tree, with its dotted name.
    public var namedBuffers: [(name: String, tensor: Tensor)] {
        localBuffers + children.flatMap { child in
            child.module.namedBuffers.map { ("\(child.name).\($0.name)", $0.tensor) }
        }
    }

    /// The parameters, for an optimizer.
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Parameters and buffers together: what a checkpoint holds.
    public var stateDict: [(name: String, tensor: Tensor)] { namedParameters + namedBuffers }

    /// The total number of learnable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Replaces the direct child `name` by `replacement` (`path` names it in errors); called by
    /// `replaceSubmodule(at:with:)`. By default it rewrites a `@Child` property; a module that
    /// overrides `children` overrides this too.
    open func replaceChild(named name: String, with replacement: Module, path: String) throws {
        try replaceStoredChild(named: name, with: replacement, path: path)
    }

    /// Switches this module and all its children to training mode.
    public func train() { setTraining(true) }

    /// Switches this module and all its children to evaluation mode.
    public func eval() { setTraining(false) }

    private func setTraining(_ training: Bool) {
        isTraining = training
        for child in children { child.module.setTraining(training) }
    }

    /// Clears the gradients of every parameter.
    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}
