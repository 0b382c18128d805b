/// Why a BIMI evaluation ended as it did: Mail::BIMI's error codes
/// (`Mail::BIMI::Error`), each with the comment it writes into the
/// `bimi=` entry and the result word it gives (`fail` unless the table
/// says otherwise).
public enum BIMIReason: String, Sendable, CaseIterable {
    case invalidRecord = "BIMI_INVALID"
    case dmarcNotEnforcing = "DMARC_NOT_ENFORCING"
    case dmarcNotPass = "DMARC_NOT_PASS"
    case dnsError = "DNS_ERROR"
    case duplicateKey = "DUPLICATE_KEY"
    case emptyLocation = "EMPTY_L_TAG"
    case emptyVersion = "EMPTY_V_TAG"
    case invalidAuthorityTransport = "INVALID_TRANSPORT_A"
    case invalidLocationTransport = "INVALID_TRANSPORT_L"
    case invalidVersion = "INVALID_V_TAG"
    case missingLocation = "MISSING_L_TAG"
    case missingVersion = "MISSING_V_TAG"
    case multipleRecords = "MULTI_BIMI_RECORD"
    case noRecord = "NO_BIMI_RECORD"
    case noDMARC = "NO_DMARC"
    case spfPlusAll = "SPF_PLUS_ALL"
    case svgFetchError = "SVG_FETCH_ERROR"
    case svgInvalidXML = "SVG_INVALID_XML"
    case svgMismatch = "SVG_MISMATCH"
    case svgSize = "SVG_SIZE"
    case svgUnzipError = "SVG_UNZIP_ERROR"
    case svgValidationError = "SVG_VALIDATION_ERROR"
    case vmcFetchError = "VMC_FETCH_ERROR"
    case vmcParseError = "VMC_PARSE_ERROR"
    case vmcRequired = "VMC_REQUIRED"
    case vmcValidationError = "VMC_VALIDATION_ERROR"

    /// The comment of the `bimi=` entry.
    public var comment: String {
        switch self {
        case .invalidRecord: return "Invalid BIMI Record"
        case .dmarcNotEnforcing: return "DMARC Policy is not at enforcement"
        case .dmarcNotPass: return "DMARC did not pass"
        case .dnsError: return "DNS query error"
        case .duplicateKey: return "Duplicate key in record"
        case .emptyLocation: return "Domain declined to participate"
        case .emptyVersion: return "Empty v tag"
        case .invalidAuthorityTransport: return "Invalid transport in authority"
        case .invalidLocationTransport: return "Invalid transport in location"
        case .invalidVersion: return "Invalid v tag"
        case .missingLocation: return "Missing l tag"
        case .missingVersion: return "Missing v tag"
        case .multipleRecords: return "Multiple BIMI records found"
        case .noRecord: return "No BIMI records found"
        case .noDMARC: return "No DMARC"
        case .spfPlusAll: return "SPF +all detected"
        case .svgFetchError: return "Could not fetch SVG"
        case .svgInvalidXML: return "Invalid XML in SVG"
        case .svgMismatch: return "SVG in bimi-location did not match SVG in VMC"
        case .svgSize: return "SVG Document exceeds maximum size"
        case .svgUnzipError: return "Error unzipping SVG"
        case .svgValidationError: return "SVG did not validate"
        case .vmcFetchError: return "Could not fetch VMC"
        case .vmcParseError: return "Could not parse VMC"
        case .vmcRequired: return "VMC is required"
        case .vmcValidationError: return "VMC did not validate"
        }
    }

    /// The result word of the `bimi=` entry.
    public var result: String {
        switch self {
        case .dmarcNotEnforcing, .dmarcNotPass, .noDMARC, .spfPlusAll: return "skipped"
        case .dnsError, .svgFetchError, .vmcFetchError: return "temperror"
        case .emptyLocation: return "declined"
        case .noRecord: return "none"
        default: return "fail"
        }
    }

    /// Mail::BIMI's "known errors, in order of importance": when a record
    /// has several, the first of this list is the one reported (none of
    /// them: `invalidRecord`).
    public static let precedence: [BIMIReason] = [
        .noRecord, .dnsError, .noDMARC, .multipleRecords, .duplicateKey, .emptyLocation, .emptyVersion,
        .invalidVersion, .missingLocation, .missingVersion, .invalidAuthorityTransport, .invalidLocationTransport,
        .spfPlusAll, .svgFetchError, .vmcFetchError, .vmcParseError, .vmcValidationError, .svgSize,
        .svgUnzipError, .svgInvalidXML, .svgValidationError, .svgMismatch, .vmcRequired,
    ]

    /// The reason reported for a set of errors found together.
    public static func reported(_ errors: [BIMIReason]) -> BIMIReason {
        precedence.first { errors.contains($0) } ?? .invalidRecord
    }
}
