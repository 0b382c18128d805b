/// The ARC header fields of a message, grouped by instance, and the
/// structural checks of RFC 8617 section 5.2 steps 1 to 3.2: instances in
/// 1...50, exactly one field of each kind per instance, instances
/// continuous from 1 to N. Pure bookkeeping: no tag is judged here beyond
/// the instance number (and the newest seal's `cv=`, which step 2 needs).
struct ARCChain {
    /// One ARC header field with the instance it claims (nil when it has
    /// no readable instance).
    struct Entry {
        let kind: ARCHeaderKind
        let instance: Int?
        let field: MessageHeaderField
    }

    /// The three fields of one complete ARC Set.
    struct InstanceSet {
        let instance: Int
        let authenticationResults: MessageHeaderField
        let messageSignature: MessageHeaderField
        let seal: MessageHeaderField

        /// In the order an ARC-Seal hashes them (RFC 8617 section 5.1.1).
        var fields: [MessageHeaderField] { [authenticationResults, messageSignature, seal] }
    }

    /// Why the chain is malformed.
    struct Malformed: Error, Equatable {
        let reason: String
    }

    private(set) var entries: [Entry] = []

    init(_ fields: [MessageHeaderField]) {
        for field in fields {
            guard let kind = ARCHeaderKind(field: field) else { continue }
            entries.append(Entry(kind: kind, instance: Self.instance(of: field, kind: kind), field: field))
        }
    }

    var isEmpty: Bool { entries.isEmpty }

    /// The highest instance any ARC field claims (0 without ARC fields or
    /// readable instances); may be out of range.
    var highestInstance: Int {
        entries.compactMap(\.instance).max() ?? 0
    }

    /// `cv=` of the ARC-Seal(s) with the highest instance among the seals,
    /// when readable: RFC 8617 section 5.1 step 2 and section 5.2 step 2
    /// look at it before anything else. Any such seal saying `fail` makes
    /// it `fail`.
    var latestSealStatus: ARCChainStatus? {
        let seals = entries.filter { $0.kind == .seal && $0.instance != nil }
        guard let top = latestSealInstance else { return nil }
        let statuses = seals.filter { $0.instance == top }.compactMap { entry -> ARCChainStatus? in
            guard case .success(let tags) = DKIMTagList.parse(entry.field.value) else { return nil }
            return tags.text("cv").flatMap(ARCChainStatus.init(tagValue:))
        }
        if statuses.contains(.fail) { return .fail }
        return statuses.first
    }

    /// The highest instance among the ARC-Seals, if any is readable.
    var latestSealInstance: Int? {
        entries.filter { $0.kind == .seal }.compactMap(\.instance).max()
    }

    /// The sets 1...N, or why the chain is malformed (the text names the
    /// first problem found, in RFC order: range, then completeness).
    func sets() -> Result<[InstanceSet], Malformed> {
        for entry in entries {
            guard let instance = entry.instance else {
                return .failure(Malformed(reason: "\(entry.kind.fieldName) without a valid instance (i=)"))
            }
            guard ARCInstance.isValid(instance) else {
                return .failure(Malformed(reason: "\(entry.kind.fieldName) with instance \(instance) outside 1-50"))
            }
        }
        let top = highestInstance
        var sets: [InstanceSet] = []
        for instance in 1...max(top, 1) {
            var found: [ARCHeaderKind: MessageHeaderField] = [:]
            for kind in ARCHeaderKind.allCases {
                let matching = entries.filter { $0.kind == kind && $0.instance == instance }
                if matching.isEmpty { return .failure(Malformed(reason: "missing \(kind.fieldName) i=\(instance)")) }
                if matching.count > 1 { return .failure(Malformed(reason: "duplicate \(kind.fieldName) i=\(instance)")) }
                found[kind] = matching[0].field
            }
            sets.append(InstanceSet(instance: instance,
                            authenticationResults: found[.authenticationResults]!,
                            messageSignature: found[.messageSignature]!,
                            seal: found[.seal]!))
        }
        return .success(sets)
    }

    private static func instance(of field: MessageHeaderField, kind: ARCHeaderKind) -> Int? {
        switch kind {
        case .authenticationResults:
            return ARCInstance.fromAuthenticationResults(field.value)?.instance
        case .messageSignature, .seal:
            guard case .success(let tags) = DKIMTagList.parse(field.value) else { return nil }
            return ARCInstance.fromTags(tags)
        }
    }
}
