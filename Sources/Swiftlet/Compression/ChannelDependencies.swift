// Which channels must be removed together, read off the traced graph (Torch-Pruning's
// DepGraph idea, Fang et al. 2023). Removing output channel c of a conv touches every tensor
// that channel flows through until a consumer sums it away:
//
//   the conv itself        row c of its weight (axis 0) and bias[c];
//   a BatchNorm            γ[c], β[c], running mean[c] and variance[c];
//   a residual add         channel c of the other operand too — so the producers on both
//                          sides lose c together, and so on through every add of the stage;
//   a concat               the channel at its offset in the joined tensor;
//   a flatten              the H·W consecutive features of channel c;
//   the consumer           input channel c of a conv (weight axis 1), or those features of
//                          a linear layer's weight (axis 1).
//
// Each op's output channels are described as segments of "channel spaces"; an add unites
// the spaces of its operands, and a dependency group is one united space with every tensor
// slice it owns. Between producer and consumer only ops that map zero to zero may stand
// (ReLU, pooling, reshape, BatchNorm with its β removed too, …): then the smaller model
// computes exactly what the original computes with the group's channels zeroed. A group
// that reaches the model's output or an op that would break this is kept whole, with the
// reason.

/// The channel dependency groups of a model, from one traced forward pass.
public struct ChannelDependencies {
    /// What a tensor slice does for its channel.
    public enum Role: Equatable {
        /// Computes the channel (a conv's or linear layer's weight row, its bias).
        case producer
        /// Acts on the channel alone (BatchNorm's γ, β and statistics, a per-channel scale).
        case channelwise
        /// Reads the channel (a conv's or linear layer's weight column).
        case consumer
    }

    /// A tensor of the model that loses one slice (`block` entries along `axis`) per channel
    /// removed from a group; a tensor that concatenated channels reach has several segments.
    public struct Member {
        /// State-dict name.
        public let name: String
        /// The axis that loses the slices: 0 for a producer's or a channelwise tensor, 1 for a consumer's weight.
        public let axis: Int
        /// How the tensor relates to the channels.
        public let role: Role
        let tensor: Tensor
        /// The axis as consecutive segments: each a channel space of `size` channels, every
        /// channel `block` entries wide.
        let segments: [(space: Int, block: Int)]
    }

    /// Channels that must be removed together.
    public struct Group {
        /// The group's number, its position in `groups`.
        public let index: Int
        /// How many channels the group has.
        public let channels: Int
        /// Module paths of the ops that compute the channels.
        public let producers: [String]
        /// Names of those ops ("conv2d", "linear", "matmul").
        public let producerOps: Set<String>
        /// Why the group cannot lose channels (it reaches the model's output, passes an op
        /// that does not map zero to zero, …); nil when it can.
        public let blockedReason: String?
        /// Whether channels can be removed from the group.
        public var isPrunable: Bool { blockedReason == nil }
    }

    /// Every channel dependency group of the model; a group's `index` is its position here.
    public let groups: [Group]
    let members: [Member]
    /// The group of every channel space.
    let groupOfSpace: [Int]
    let spaceSize: [Int]
    /// Weight tensors of conv2d, linear and matmul ops with their dense MACs per image, for
    /// FLOPs after pruning.
    let weightedOps: [(weight: Tensor, macs: Int)]

    /// The groups of `model` for inputs of `inputShape` (without the batch dimension).
    public init(_ model: Module, inputShape: [Int]) throws {
        let graph = try model.graph(inputShape: inputShape)
        var builder = DependencyBuilder(graph: graph)
        try builder.build()
        self.init(builder, graph: graph)
    }

    private init(_ builder: DependencyBuilder, graph: ModelGraph) {
        var roots: [Int: Int] = [:]
        var groupOfSpace: [Int] = []
        var union = builder.spaces
        for space in builder.sizes.indices {
            let root = union.find(space)
            if roots[root] == nil { roots[root] = roots.count }
            groupOfSpace.append(roots[root]!)  // just set
        }
        var producers = [[String]](repeating: [], count: roots.count)
        var producerOps = [Set<String>](repeating: [], count: roots.count)
        for member in builder.members where member.role == .producer {
            for segment in member.segments {
                let group = groupOfSpace[segment.space]
                if !producers[group].contains(member.path) { producers[group].append(member.path) }
                producerOps[group].insert(member.op)
            }
        }
        var reasons = [String?](repeating: nil, count: roots.count)
        for (space, reason) in builder.blocked.sorted(by: { $0.key < $1.key }) where reasons[groupOfSpace[space]] == nil {
            reasons[groupOfSpace[space]] = reason
        }
        var channels = [Int](repeating: 0, count: roots.count)
        for space in builder.sizes.indices { channels[groupOfSpace[space]] = builder.sizes[space] }
        groups = (0..<roots.count).map {
            Group(index: $0, channels: channels[$0], producers: producers[$0], producerOps: producerOps[$0], blockedReason: reasons[$0])
        }
        members = builder.members.map { Member(name: $0.name, axis: $0.axis, role: $0.role, tensor: $0.tensor, segments: $0.segments) }
        self.groupOfSpace = groupOfSpace
        spaceSize = builder.sizes
        weightedOps = graph.nodes.indices.compactMap { index in
            let node = graph.nodes[index]
            guard node.op.isWeighted || node.op == .matmul, let weight = graph.values[node.inputs[1]].tensor else { return nil }
            return (weight, graph.macs(ofNode: index).dense)
        }
    }

    /// The group whose channels the conv2d or linear op of the module at `path` produces.
    public func group(producedBy path: String) -> Group? {
        groups.first { $0.producers.contains(path) }
    }

    /// The members of group `index`.
    public func members(of group: Int) -> [Member] {
        members.filter { $0.segments.contains { groupOfSpace[$0.space] == group } }
    }

    /// The indices along `member.axis` that stay when `removed[group]` channels leave each group.
    func keptIndices(_ member: Member, removing removed: [Int: Set<Int>]) -> [Int] {
        var kept: [Int] = [], offset = 0
        for (space, block) in member.segments {
            let gone = removed[groupOfSpace[space]] ?? []
            for channel in 0..<spaceSize[space] where !gone.contains(channel) {
                kept += (offset + channel * block)..<(offset + (channel + 1) * block)
            }
            offset += spaceSize[space] * block
        }
        return kept
    }

    /// Multiply-accumulates per image of the conv2d, linear and matmul ops once `removed`
    /// channels have left their groups.
    public func macs(removing removed: [Int: Set<Int>]) -> Int {
        var keptFraction: [ObjectIdentifier: Double] = [:]
        var counted = Set<String>()
        for member in members where member.role != .channelwise && member.tensor.rank >= 2
            && counted.insert("\(member.name)#\(member.axis)").inserted {
            let kept = Double(keptIndices(member, removing: removed).count) / Double(max(member.tensor.shape[member.axis], 1))
            keptFraction[ObjectIdentifier(member.tensor), default: 1] *= kept
        }
        return weightedOps.reduce(0) { total, op in
            total + Int((Double(op.macs) * (keptFraction[ObjectIdentifier(op.weight)] ?? 1)).rounded())
        }
    }
}

/// Builds the channel spaces and members, one graph node at a time.
private struct DependencyBuilder {
    struct Member {
        let name: String
        let path: String
        let op: String
        let axis: Int
        let role: ChannelDependencies.Role
        let tensor: Tensor
        let segments: [(space: Int, block: Int)]
    }
    typealias Layout = [(space: Int, block: Int)]

    let graph: ModelGraph
    var sizes: [Int] = []
    var spaces = UnionFind()
    var blocked: [Int: String] = [:]
    var members: [Member] = []
    /// The channel layout (axis 1) of every value computed so far.
    var layouts: [Int: Layout] = [:]

    init(graph: ModelGraph) {
        self.graph = graph
    }

    mutating func build() throws {
        layouts[graph.input] = channelSpace(of: graph.input, blocked: "it is the model's input")
        for node in graph.nodes { visit(node) }
        block(layout(graph.output), "it reaches the model's output")
        checkConsistency()
    }

    // MARK: Ops

    private mutating func visit(_ node: ModelGraph.Node) {
        let x = node.inputs[0], out = node.output
        let where_ = "\(node.op.name) in \"\(node.path.isEmpty ? "(model)" : node.path)\""
        switch node.op {
        case let .conv2d(_, _, _, groups):
            let weight = node.inputs[1], inChannels = shape(x).count > 1 ? shape(x)[1] : 0
            if groups == 1 {
                produce(node, weight: weight, input: layout(x))
            } else if groups == inChannels && shape(weight)[0] == inChannels && shape(weight)[1] == 1 {
                // Depthwise: channel c in, channel c out.
                layouts[out] = layout(x)
                for operand in node.inputs.dropFirst() { addMember(operand, axis: 0, layout(x), .channelwise, node) }
            } else {
                block(layout(x), "it feeds a grouped convolution (\(where_))")
                layouts[out] = channelSpace(of: out, blocked: "it comes from a grouped convolution (\(where_))")
            }
        case .linear:
            produce(node, weight: node.inputs[1], input: layout(x))
        case .matmul where shape(x).count == 2 && isTensor(node.inputs[1]) && shape(node.inputs[1]).count == 2:
            addMember(node.inputs[1], axis: 0, layout(x), .consumer, node)
            let space = newSpace(shape(node.inputs[1])[1])
            layouts[out] = [(space, 1)]
            addMember(node.inputs[1], axis: 1, [(space, 1)], .producer, node)
        case .batchNorm:
            layouts[out] = layout(x)
            for operand in node.inputs.dropFirst() { addMember(operand, axis: 0, layout(x), .channelwise, node) }
        case .relu, .tanh, .maxPool2d, .avgPool2d, .globalAvgPool2d:
            layouts[out] = layout(x)
        case let .affine(_, shift) where shift == 0:
            layouts[out] = layout(x)
        case .sigmoid, .exp, .log, .affine:
            block(layout(x), "\(where_) does not map zero to zero")
            layouts[out] = layout(x)
        case let .pad(before, after, value) where before.count > 1 && before[1] == 0 && after[1] == 0 && value == 0:
            layouts[out] = layout(x)
        case let .slice(axis, _, _) where axis != 1:
            layouts[out] = layout(x)
        case let .permute(axes) where axes.prefix(2) == [0, 1]:
            layouts[out] = layout(x)
        case let .sum(axes, _) where !axes.contains(0) && !axes.contains(1), let .mean(axes, _) where !axes.contains(0) && !axes.contains(1):
            layouts[out] = layout(x)
        case .reshape:
            reshape(node, where_)
        case .add, .sub, .mul, .div:
            elementwise(node, where_)
        case let .concat(axis) where axis == 1:
            layouts[out] = node.inputs.flatMap { layout($0) }
        case .concat:
            for other in node.inputs.dropFirst() { tie(layout(x), layout(other), where_) }
            layouts[out] = layout(x)
        default:
            for operand in node.inputs where layouts[operand] != nil {
                block(layout(operand), "it reaches \(where_), which structured pruning cannot follow")
            }
            layouts[out] = channelSpace(of: out, blocked: "it comes from \(where_), which structured pruning cannot follow")
        }
    }

    /// A conv2d or linear op with its own output channels; its input channels are read by weight axis 1.
    private mutating func produce(_ node: ModelGraph.Node, weight: Int, input: Layout) {
        let space = newSpace(shape(weight)[0])
        layouts[node.output] = [(space, 1)]
        addMember(weight, axis: 0, [(space, 1)], .producer, node)
        if node.inputs.count > 2 { addMember(node.inputs[2], axis: 0, [(space, 1)], .producer, node) }
        addMember(weight, axis: 1, input, .consumer, node)
    }

    /// A flatten keeps channel c as its H·W consecutive features; reshaping only the trailing
    /// dimensions keeps the channels as they are.
    private mutating func reshape(_ node: ModelGraph.Node, _ where_: String) {
        let from = shape(node.inputs[0]), to = shape(node.output)
        let input = layout(node.inputs[0])
        if from.count >= 2, to.count >= 2, from.prefix(2) == to.prefix(2) {
            layouts[node.output] = input
        } else if from.count >= 2, to.count == 2, to[0] == from[0], to[1] == from.dropFirst().reduce(1, *) {
            let rest = from.dropFirst(2).reduce(1, *)
            layouts[node.output] = input.map { ($0.space, $0.block * rest) }
        } else {
            block(input, "\(where_) mixes channels with other dimensions")
            layouts[node.output] = channelSpace(of: node.output, blocked: "it comes from \(where_), which mixes channels")
        }
    }

    /// Two activations of one shape tie their channels; a parameter broadcast along the
    /// channels loses the same slices.
    private mutating func elementwise(_ node: ModelGraph.Node, _ where_: String) {
        let (a, b) = (node.inputs[0], node.inputs[1])
        let computed = [a, b].filter { layouts[$0] != nil }
        if computed.count == 2 {
            if node.op == .div { block(layout(b), "it divides in \(where_) (0/0)") }
            if shape(a).count >= 2, shape(b).count >= 2, shape(a)[1] == shape(b)[1] {
                tie(layout(a), layout(b), where_)
            } else {
                block(layout(a), "\(where_) broadcasts across channels")
                block(layout(b), "\(where_) broadcasts across channels")
            }
            layouts[node.output] = layout(a)
            return
        }
        guard let activation = computed.first else {
            layouts[node.output] = channelSpace(of: node.output, blocked: "it comes from \(where_) of two constants")
            return
        }
        let other = activation == a ? b : a
        let channels = shape(activation).count > 1 ? shape(activation)[1] : 0
        let rank = shape(node.output).count, otherShape = shape(other)
        let axis = otherShape.count - (rank - 1)  // the other operand's dimension that broadcasts against axis 1
        if axis >= 0, axis < otherShape.count, otherShape[axis] == channels, channels > 1 {
            addMember(other, axis: axis, layout(activation), .channelwise, node)
        } else if node.op == .add || node.op == .sub {
            block(layout(activation), "\(where_) adds one value to every channel")
        }
        if node.op == .div && activation == b { block(layout(activation), "\(where_) divides by the channels") }
        layouts[node.output] = layout(activation)
    }

    // MARK: Spaces

    private mutating func newSpace(_ channels: Int, blocked reason: String? = nil) -> Int {
        sizes.append(channels)
        spaces.add()
        if let reason { blocked[sizes.count - 1] = reason }
        return sizes.count - 1
    }

    /// A fresh space for the channel axis of `value` (none for rank < 2).
    private mutating func channelSpace(of value: Int, blocked reason: String) -> Layout {
        let shape = self.shape(value)
        return shape.count >= 2 ? [(newSpace(shape[1], blocked: reason), 1)] : []
    }

    private func layout(_ value: Int) -> Layout { layouts[value] ?? [] }
    private func shape(_ value: Int) -> [Int] { graph.values[value].shape }
    private func isTensor(_ value: Int) -> Bool { graph.values[value].tensor != nil }

    private mutating func block(_ layout: Layout, _ reason: String) {
        for (space, _) in layout where blocked[space] == nil { blocked[space] = reason }
    }

    /// Unites two layouts of the same channels, segment by segment.
    private mutating func tie(_ a: Layout, _ b: Layout, _ where_: String) {
        let sameCut = a.count == b.count && zip(a, b).allSatisfy { sizes[$0.space] == sizes[$1.space] && $0.block == $1.block }
        guard sameCut else {
            block(a, "\(where_) joins channels that are split differently on its two sides")
            block(b, "\(where_) joins channels that are split differently on its two sides")
            return
        }
        for (x, y) in zip(a, b) { spaces.union(x.space, y.space) }
    }

    /// Records that `value` (a parameter, buffer or constant) loses slices along `axis` with `layout`.
    private mutating func addMember(_ value: Int, axis: Int, _ layout: Layout, _ role: ChannelDependencies.Role, _ node: ModelGraph.Node) {
        guard let tensor = graph.values[value].tensor else { return }
        guard let name = graph.parameterName(of: value) else {
            block(layout, "a constant made during the forward pass of \"\(node.path)\" holds per-channel values")
            return
        }
        members.append(Member(name: name, path: node.path, op: node.op.name, axis: axis, role: role, tensor: tensor, segments: layout))
    }

    /// Every member's segments must span its axis, and a tensor reached twice (a module
    /// called twice) is cut the same way both times: its two uses' channels are tied.
    private mutating func checkConsistency() {
        var first: [String: Layout] = [:]
        for member in members {
            let span = member.segments.reduce(0) { $0 + sizes[$1.space] * $1.block }
            if span != member.tensor.shape[member.axis] {
                block(member.segments, "\(member.name) axis \(member.axis) has \(member.tensor.shape[member.axis]) entries, the channels reaching it \(span)")
            }
            let key = "\(member.name)#\(member.axis)"
            if let earlier = first[key] { tie(earlier, member.segments, "the second use of \(member.name)") } else { first[key] = member.segments }
        }
    }
}

/// Disjoint sets of channel spaces, united by adds.
struct UnionFind {
    private var parent: [Int] = []

    mutating func add() { parent.append(parent.count) }

    mutating func find(_ x: Int) -> Int {
        var root = x
        while parent[root] != root { root = parent[root] }
        var node = x
        while parent[node] != root { (node, parent[node]) = (parent[node], root) }
        return root
    }

    mutating func union(_ a: Int, _ b: Int) {
        let (ra, rb) = (find(a), find(b))
        if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
    }
}
