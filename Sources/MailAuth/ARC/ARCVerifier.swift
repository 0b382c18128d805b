/// Validates the Authenticated Received Chain of one message (RFC 8617
/// section 5.2), fed the way the milter receives it, like `DKIMVerifier`:
///
///     let verifier = ARCVerifier(resolver: dns)
///     for (name, value) in headers { verifier.header(name: name, value: value) }
///     verifier.endOfHeaders()          // structure, one batch of key lookups, seals
///     for chunk in body { verifier.body(chunk) }
///     let result = verifier.finish()   // none / pass / fail, oldest-pass, AARs
///
/// The signatures are DKIM's: an ARC-Message-Signature is checked like a
/// DKIM-Signature (same tags, canonicalizations, header selection, key
/// records, cryptography, body hashing), an ARC-Seal like a DKIM-Signature
/// over the ARC sets 1...i, relaxed. `endOfHeaders()` does everything
/// that needs no body: it collects the ARC sets, checks the structure
/// (and stops there when it is broken: no DNS for a malformed chain),
/// looks up every key in one `DNSResolver` batch and verifies every seal
/// and every message signature's header hash. The body is hashed once per
/// distinct (canonicalization, hash, `l=`) for the message signatures
/// still in the running; nothing of it is kept.
///
/// Single-threaded by design (the worker is); not `Sendable`.
public final class ARCVerifier: MessageHeaderFieldConsumer {
    public let options: ARCVerifierOptions
    private let resolver: any DNSResolver

    private var fields: [MessageHeaderField] = []
    private var headersDone = false
    private var result: ARCVerifierResult? = nil

    /// Decided before the body: `none`, or a structural failure.
    private var early: (status: ARCChainStatus, reason: String?)? = nil
    private var instanceCount = 0
    private var latestSealStatus: ARCChainStatus? = nil
    private var records: [ARCAuthenticationResultsRecord] = []
    /// Index `i - 1` holds instance `i`.
    private var seals: [SignatureState] = []
    /// Index `i - 1` holds instance `i`; nil for the older ones when
    /// oldest-pass is not wanted.
    private var messageSignatures: [SignatureState?] = []
    private var hashers: [DKIMBodyHasher.Key: DKIMBodyHasher] = [:]

    private struct SignatureState {
        let kind: ARCHeaderKind
        let instance: Int
        let header: DKIMSignatureHeader
        var checked: DKIMCheckedSignature? = nil
        var verdict: DKIMVerdict? = nil
        var key: DKIMKeyRecord? = nil
        var bodyKey: DKIMBodyHasher.Key? = nil
    }

    public init(resolver: any DNSResolver, options: ARCVerifierOptions = ARCVerifierOptions()) {
        self.resolver = resolver
        self.options = options
    }

    // MARK: Feeding the message

    /// A header field exactly as it stood in the message.
    public func header(_ field: MessageHeaderField) {
        guard !headersDone else { return }
        fields.append(field)
    }

    /// Whether any ARC header field has been seen (without one the result
    /// is `none` and nothing else needs doing).
    public var hasARCHeaders: Bool {
        if headersDone { return early?.status != ARCChainStatus.none }
        return fields.contains { ARCHeaderKind(field: $0) != nil }
    }

    /// Whether feeding the body can still change anything.
    public var needsBody: Bool {
        headersDone ? !hashers.isEmpty : hasARCHeaders
    }

    /// All header fields are in: structure, key lookups (one batch), seal
    /// and header signatures. Called by `body` and `finish` if the caller
    /// did not.
    public func endOfHeaders() {
        guard !headersDone else { return }
        headersDone = true
        defer { fields = [] }

        let chain = ARCChain(fields)
        latestSealStatus = chain.latestSealStatus
        instanceCount = chain.highestInstance
        if chain.isEmpty {
            early = (.none, nil)
            return
        }
        // Step 2: a chain its last sealer declared failed stays failed.
        if latestSealStatus == .fail {
            early = (.fail, "ARC-Seal i=\(chain.latestSealInstance ?? chain.highestInstance) has cv=fail")
            return
        }
        // Steps 1 and 3: instances, completeness, continuity, cv values.
        let sets: [ARCChain.InstanceSet]
        switch chain.sets() {
        case .failure(let malformed):
            early = (.fail, malformed.reason)
            return
        case .success(let found):
            sets = found
        }
        instanceCount = sets.count
        records = sets.compactMap { ARCAuthenticationResultsRecord(field: $0.authenticationResults) }
        if let problem = Self.chainStatusProblem(sets) {
            early = (.fail, problem)
            return
        }

        let dkimOptions = options.dkimOptions
        seals = sets.map { set in
            Self.checked(SignatureState(kind: .seal, instance: set.instance, header: DKIMSignatureHeader(field: set.seal)),
                         options: dkimOptions)
        }
        messageSignatures = sets.map { set in
            guard options.computeOldestPass || set.instance == sets.count else { return nil }
            return Self.checked(SignatureState(kind: .messageSignature, instance: set.instance,
                                               header: DKIMSignatureHeader(field: set.messageSignature)),
                                options: dkimOptions)
        }

        let keys = fetchKeys()
        let selection = DKIMHeaderSelection(fields)
        for index in seals.indices {
            // An ARC-Seal covers the sets up to its own, in instance order,
            // itself (b= emptied) last (RFC 8617 section 5.1.1).
            let covered = sets[..<index].flatMap(\.fields)
                + [sets[index].authenticationResults, sets[index].messageSignature]
            verifyHeader(&seals[index], keys: keys, fields: covered)
        }
        for index in messageSignatures.indices {
            guard var state = messageSignatures[index] else { continue }
            let covered = state.checked.map { selection.select($0.signedHeaders).fields } ?? []
            verifyHeader(&state, keys: keys, fields: covered)
            if state.verdict == nil, let checked = state.checked {
                let bodyKey = DKIMBodyHasher.Key(canonicalization: checked.bodyCanonicalization,
                                                 hash: checked.algorithm.hash, limit: checked.bodyLengthLimit)
                if hashers[bodyKey] == nil {
                    if let hasher = DKIMBodyHasher(bodyKey) {
                        hashers[bodyKey] = hasher
                    } else {
                        state.verdict = .cryptoError("digest unavailable")
                    }
                }
                if state.verdict == nil { state.bodyKey = bodyKey }
            }
            messageSignatures[index] = state
        }
    }

    /// A chunk of the body, in message order, line ends as sent.
    public func body(_ chunk: UnsafeRawBufferPointer) {
        endOfHeaders()
        guard result == nil, !chunk.isEmpty else { return }
        for hasher in hashers.values { hasher.update(chunk) }
    }

    /// The end of the message: the chain's status and what goes with it.
    /// Further calls return the same result.
    public func finish() -> ARCVerifierResult {
        if let result { return result }
        endOfHeaders()
        for hasher in hashers.values { hasher.finish() }
        let finished = decide()
        result = finished
        hashers = [:]
        return finished
    }

    /// Validates a whole message held in memory (tests, tools).
    public static func verify(message: [UInt8], resolver: any DNSResolver,
                              options: ARCVerifierOptions = ARCVerifierOptions()) -> ARCVerifierResult {
        let verifier = ARCVerifier(resolver: resolver, options: options)
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        for field in fields { verifier.header(field) }
        verifier.endOfHeaders()
        verifier.body(message[bodyStart...])
        return verifier.finish()
    }

    // MARK: Steps

    /// RFC 8617 section 5.2 step 3.3: no seal says `fail`, the first says
    /// `none`, every later one `pass`.
    private static func chainStatusProblem(_ sets: [ARCChain.InstanceSet]) -> String? {
        for set in sets {
            guard case .success(let tags) = DKIMTagList.parse(set.seal.value),
                  let text = tags.text("cv"), let status = ARCChainStatus(tagValue: text) else {
                return "ARC-Seal i=\(set.instance) has no valid cv="
            }
            let wanted: ARCChainStatus = set.instance == 1 ? .none : .pass
            if status != wanted {
                return "ARC-Seal i=\(set.instance) has cv=\(status.rawValue), must be \(wanted.rawValue)"
            }
        }
        return nil
    }

    /// The tag checks that need neither DNS nor the message: ARC's strict
    /// syntax, then DKIM's checks for the field's kind, then ARC's own rules.
    private static func checked(_ state: SignatureState, options: DKIMVerifierOptions) -> SignatureState {
        var state = state
        if case .success(let tags) = state.header.parsed {
            if let verdict = ARCTagSyntax.problem(state.header.field.value, tags: tags, kind: state.kind) {
                state.verdict = verdict
                return state
            }
            if state.kind == .seal && tags["h"] != nil {
                // RFC 8617 section 4.1.3: h= in a seal fails the chain.
                state.verdict = .arcInvalid("h= tag not allowed in ARC-Seal")
                return state
            }
        }
        let kind: DKIMCheckedSignature.Kind = state.kind == .seal ? .arcSeal : .arcMessageSignature
        switch DKIMCheckedSignature.check(state.header, options: options, kind: kind) {
        case .success(let checked):
            if state.kind == .messageSignature && checked.signedHeaders.contains(Self.arcSealName) {
                state.verdict = .arcInvalid("ARC-Message-Signature signs ARC-Seal")
            } else {
                state.checked = checked
            }
        case .failure(let verdict):
            state.verdict = verdict
        }
        return state
    }

    private static let arcSealName = Array("arc-seal".utf8)

    /// One DNS batch for every distinct key name still needed.
    private func fetchKeys() -> [String: Result<DKIMKeyRecord, DKIMVerdict>] {
        var names: [String] = []
        for state in seals + messageSignatures.compactMap({ $0 }) where state.verdict == nil {
            if let name = state.checked?.keyName, !names.contains(name) { names.append(name) }
        }
        guard !names.isEmpty else { return [:] }
        let outcomes = resolver.lookup(names.map { DNSQuestion(name: $0, type: .txt) })
        var keys: [String: Result<DKIMKeyRecord, DKIMVerdict>] = [:]
        for (index, name) in names.enumerated() {
            keys[name] = DKIMKeyRecord.evaluate(index < outcomes.count ? outcomes[index] : .error("resolver returned no outcome"))
        }
        return keys
    }

    /// Loads the key and checks the signature over `fields` (then the
    /// field itself without its `b=` value).
    private func verifyHeader(_ state: inout SignatureState, keys: [String: Result<DKIMKeyRecord, DKIMVerdict>],
                              fields covered: [MessageHeaderField]) {
        guard state.verdict == nil, let checked = state.checked else { return }
        switch keys[checked.keyName] ?? .failure(.keyNotAvailable) {
        case .failure(let verdict):
            state.verdict = verdict
        case .success(let key):
            state.key = key
            state.verdict = DKIMVerifier.judgeKey(key, for: checked, options: options.dkimOptions)
                ?? DKIMVerifier.verifyHeaderSignature(checked, key: key, fields: covered)
        }
    }

    /// A message signature's final verdict, body hash included.
    private func verdict(of state: SignatureState) -> DKIMVerdict {
        if let verdict = state.verdict { return verdict }
        guard let checked = state.checked, let bodyKey = state.bodyKey, let hasher = hashers[bodyKey] else {
            return state.kind == .seal ? .pass : .cryptoError("no body hash")
        }
        return hasher.finish() == checked.bodyHash ? .pass : .bodyAltered
    }

    /// RFC 8617 section 5.2 steps 4 to 7, over the verdicts.
    private func decide() -> ARCVerifierResult {
        var outcome = ARCVerifierResult(status: .fail, instanceCount: instanceCount, latestSealStatus: latestSealStatus)
        if let early {
            outcome.status = early.status
            outcome.reason = early.reason
            return outcome
        }
        outcome.authenticationResults = records
        let sealVerdicts = seals.map(verdict(of:))
        let messageVerdicts = messageSignatures.map { $0.map(verdict(of:)) }
        for index in seals.indices.reversed() {
            outcome.signatures.append(report(seals[index], sealVerdicts[index]))
            if let state = messageSignatures[index], let verdict = messageVerdicts[index] {
                outcome.signatures.append(report(state, verdict))
            }
        }
        let newest = instanceCount - 1
        // Step 4: the newest message signature.
        if let verdict = messageVerdicts[newest], verdict != .pass {
            outcome.reason = "ARC-Message-Signature i=\(instanceCount): \(verdict.detail)"
            return outcome
        }
        // Step 5: oldest-pass, from N-1 down.
        var oldestPass: Int? = nil
        if options.computeOldestPass {
            oldestPass = 0
            for index in stride(from: newest - 1, through: 0, by: -1) where messageVerdicts[index] != .pass {
                oldestPass = index + 2
                break
            }
        }
        // Step 6: every seal, newest first.
        for index in seals.indices.reversed() where sealVerdicts[index] != .pass {
            outcome.reason = "ARC-Seal i=\(index + 1): \(sealVerdicts[index].detail)"
            return outcome
        }
        outcome.status = .pass
        outcome.oldestPass = oldestPass
        return outcome
    }

    private func report(_ state: SignatureState, _ verdict: DKIMVerdict) -> ARCSignatureResult {
        ARCSignatureResult(kind: state.kind, instance: state.instance, result: verdict.result, detail: verdict.detail,
                           domain: state.header.domain, selector: state.header.selector,
                           algorithm: state.header.algorithmText, keyBits: state.key?.key.bits)
    }
}
