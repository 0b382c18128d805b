/// SPF scope of a result handed to DMARC.
public enum DMARCSPFScope: String, Sendable, Hashable {
    case mfrom
    case helo
}

/// One SPF result as the SPF handler hands it to DMARC (Perl's
/// `dmarc_domain`, `dmarc_scope`, `dmarc_result`).
public struct DMARCSPFInput: Sendable, Hashable {
    public var domain: String
    public var scope: DMARCSPFScope
    /// The SPF result word (`pass`, `fail`, `softfail`, ...); only a pass
    /// (case-insensitive) can align.
    public var result: String

    public init(domain: String, scope: DMARCSPFScope = .mfrom, result: String) {
        self.domain = domain
        self.scope = scope
        self.result = result
    }

    var isPass: Bool { result.lowercased() == "pass" }
}

/// One DKIM signature result (its `d=`, selector and result word).
public struct DMARCDKIMInput: Sendable, Hashable {
    public var domain: String
    public var selector: String
    /// `pass`, `fail`, `neutral`, ...; only a pass can align.
    public var result: String
    /// Mail::DKIM's detail, for the report's `human_result`.
    public var humanResult: String?

    public init(domain: String, selector: String = "", result: String, humanResult: String? = nil) {
        self.domain = domain
        self.selector = selector
        self.result = result
        self.humanResult = humanResult
    }

    var isPass: Bool { result.lowercased() == "pass" }
}

/// What one DMARC evaluation needs: the RFC5322.From domain and the
/// authentication results. Nothing else is looked at.
public struct DMARCRequest: Sendable, Hashable {
    public var fromDomain: String
    public var spf: [DMARCSPFInput]
    public var dkim: [DMARCDKIMInput]

    public init(fromDomain: String, spf: [DMARCSPFInput] = [], dkim: [DMARCDKIMInput] = []) {
        self.fromDomain = fromDomain
        self.spf = spf
        self.dkim = dkim
    }

    /// The one-SPF-result form the Perl handler uses.
    public init(fromDomain: String, spf: DMARCSPFInput?, dkim: [DMARCDKIMInput] = []) {
        self.init(fromDomain: fromDomain, spf: spf.map { [$0] } ?? [], dkim: dkim)
    }
}
