import Config
import MailAuth

/// The BIMI handler's block beyond `bimi_options`: the DNS lists that
/// allow or refuse Organizational Domains, and how incoming BIMI headers
/// are removed.
struct BIMIHandlerOptions: Sendable, Equatable {
    /// `rbl_allowlist`: only Organizational Domains listed here are evaluated.
    var allowList: String?
    /// `rbl_blocklist`: Organizational Domains listed here are not evaluated.
    var blockList: String?
    /// `rbl_no_evidence_allowlist`: a pass without a valid VMC is kept only
    /// for Organizational Domains listed here.
    var noEvidenceAllowList: String?
    /// `sanitize_location_header` (default yes), `sanitize_indicator_header`
    /// (default silent).
    var sanitizeLocation: SanitizeHandler.Mode
    var sanitizeIndicator: SanitizeHandler.Mode
    /// `timeout` in microseconds (Perl's alarm around Mail::BIMI).
    var timeoutMicroseconds: Int
    var library: BIMIOptions
    /// `https_ca_file`: trusted for HTTPS fetches beside the system bundle.
    var httpsCAFile: String?
    /// `https_allow_private_addresses` (default no): fetch from loopback
    /// and private addresses too (tests; a record's URI is the sender's choice).
    var httpsAllowPrivateAddresses = false
    /// `fetch_concurrency`: fetches in flight at once across all workers.
    var fetchConcurrency = 4
    /// `bimi_options.ssl_root_cert`: the roots a VMC must chain to (the
    /// system bundle when unset).
    var vmcRootFile: String?
    var vmcChecksAltName = true
    var allowedMarkTypes: Set<String>?
    /// `bimi_options.http_client_timeout` (seconds, default 3): one fetch at most.
    var fetchTimeoutSeconds = 3.0

    /// `bimi_options` keys Mail::BIMI has (`Mail::BIMI::Options`); any other
    /// is warned about at start.
    static let libraryKeys: Set<String> = [
        "cache_backend", "cache_fastmmap_share_file", "cache_file_directory", "force_record", "http_client_timeout",
        "http_client_max_redirect", "dns_client_timeout", "no_location_with_vmc", "no_validate_cert", "no_validate_svg",
        "require_vmc", "ssl_root_cert", "strict_spf", "svg_from_file", "svg_max_fetch_size", "svg_max_size", "svg_profile",
        "verbose", "vmc_from_file", "vmc_no_check_alt", "vmc_max_fetch_size", "allowed_mark_types", "no_experimental_vmc",
        "cert_subdomain_is_valid",
    ]

    init(config: ConfigNode) throws(ConfigurationError) {
        allowList = try Self.zone(config, "rbl_allowlist")
        blockList = try Self.zone(config, "rbl_blocklist")
        noEvidenceAllowList = try Self.zone(config, "rbl_no_evidence_allowlist")
        sanitizeLocation = try SanitizeHandler.mode(config.child("sanitize_location_header"))
        if let node = config.child("sanitize_indicator_header"), !node.isNull {
            sanitizeIndicator = try SanitizeHandler.mode(node)
        } else {
            sanitizeIndicator = .silent
        }
        timeoutMicroseconds = try config.integer("timeout", in: 1...600_000_000) ?? 5_000_000
        library = BIMIOptions()
        if let node = config.child("bimi_options"), !node.isNull {
            _ = try node.requireObject()
            // Perl's options are Perl truth: 1, "1", "yes" are on; 0, "", "0" off.
            library.requireVMC = try Self.flag(node, "require_vmc")
            library.strictSPF = try Self.flag(node, "strict_spf")
            library.validatesEvidence = !(try Self.flag(node, "no_validate_cert"))
            library.skipsSVGValidation = try Self.flag(node, "no_validate_svg")
            library.noLocationWithVMC = try Self.flag(node, "no_location_with_vmc")
            vmcChecksAltName = !(try Self.flag(node, "vmc_no_check_alt"))
            let sizes = 1...BIMIFetchLimits.ceilingFetchBytes
            library.maximumSVGFetchBytes = try node.integer("svg_max_fetch_size", in: sizes) ?? library.maximumSVGFetchBytes
            library.maximumVMCFetchBytes = try node.integer("vmc_max_fetch_size", in: sizes) ?? library.maximumVMCFetchBytes
            library.maximumSVGBytes = try node.integer("svg_max_size", in: sizes) ?? library.maximumSVGBytes
            fetchTimeoutSeconds = Double(try node.integer("http_client_timeout", in: 1...600) ?? 3)
            if let file = try node.string("ssl_root_cert"), !file.isEmpty { vmcRootFile = file }
            if let types = try node.string("allowed_mark_types"), !types.isEmpty {
                allowedMarkTypes = Set(types.split(separator: ",").map { String(BIMIRecord.trimmingSpaces(String($0))) })
            }
        } else {
            library.validatesEvidence = true
        }
        library.validatesIndicator = true
        if let file = try config.string("https_ca_file"), !file.isEmpty { httpsCAFile = file }
        httpsAllowPrivateAddresses = try Self.flag(config, "https_allow_private_addresses")
        fetchConcurrency = try config.integer("fetch_concurrency", in: 1...256) ?? 4
    }

    /// The fetch helper's command line for these settings (the master
    /// starts it with the BIMI handler and restarts it when this changes).
    var fetcherArguments: [String] {
        var arguments = ["--max-fetches", String(fetchConcurrency)]
        if let httpsCAFile { arguments += ["--ca-file", httpsCAFile] }
        if httpsAllowPrivateAddresses { arguments.append("--allow-private-addresses") }
        return arguments
    }

    /// A DNS zone, or nil for an empty or missing key.
    static func zone(_ config: ConfigNode, _ key: String) throws(ConfigurationError) -> String? {
        guard let text = try config.string(key), !text.isEmpty else { return nil }
        guard DMARCPolicyRBLLookup.isToken(text) else {
            throw (config.child(key) ?? config).error("expected a DNS zone, got \"\(text)\"")
        }
        return text
    }

    static func flag(_ node: ConfigNode, _ key: String) throws(ConfigurationError) -> Bool {
        guard let child = node.child(key), !child.isNull else { return false }
        switch child.value {
        case .bool(let value): return value
        case .string(let text): return MailSession.isPerlTrue(text)
        default: return try child.integerValue() != 0
        }
    }
}
