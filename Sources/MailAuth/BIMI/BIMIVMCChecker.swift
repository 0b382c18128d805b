import COpenSSL

/// Checks an evidence document (a VMC or CMC, fetched from `a=`) as
/// Mail::BIMI's `VMC`, `VMC::Chain` and `VMC::Cert` do, with OpenSSL's X.509:
///
/// - the PEM is cut into certificates as `_build_cert_list` cuts it; one
///   that does not parse, or none: `VMC_PARSE_ERROR`;
/// - the VMC is the certificate with the BIMI extended key usage
///   (`1.3.6.1.5.5.7.3.31`, alone) and a logotype extension; none or
///   several: `VMC_VALIDATION_ERROR`;
/// - it must chain to the trust store, the other certificates of the
///   document as intermediates (`Could not verify VMC`: `VMC_PARSE_ERROR`,
///   Mail::BIMI's code for it); expired: `VMC_VALIDATION_ERROR`;
/// - a subjectAltName DNS name must be the record's domain (or, beyond
///   Mail::BIMI, `<selector>._bimi.<domain>`, which the BIMI draft allows),
///   unless `vmc_no_check_alt`;
/// - a mark type in the subject (`1.3.6.1.4.1.53087.1.13`) must be one of
///   `allowed_mark_types` when that option is given;
/// - the logotype's first image must be a `data:image/svg+xml;base64,` URI
///   (`Could not extract SVG from VMC`), its hash must match (not checked by
///   Mail::BIMI), and the SVG (gunzipped) must pass `BIMISVGValidator`.
public struct BIMIVMCChecker {
    public static let bimiKeyUsage = "1.3.6.1.5.5.7.3.31"
    public static let markTypeOID = "1.3.6.1.4.1.53087.1.13"
    /// The most certificates read from one document.
    public static let maximumCertificates = 10

    public var roots: BIMIVMCTrustStore
    public var checksAltName = true
    /// nil: any mark type (and none) is accepted.
    public var allowedMarkTypes: Set<String>?
    public var maximumSVGBytes = BIMIFetchLimits.defaultMaximumSVGBytes
    /// Off with `no_validate_svg`.
    public var validatesSVG = true

    public init(roots: BIMIVMCTrustStore) {
        self.roots = roots
    }

    public func check(pem: [UInt8], domain: String, selector: String) -> BIMIEvidence {
        var evidence = BIMIEvidence()
        func add(_ reason: BIMIReason, _ detail: String) { evidence.problems.append(.init(reason, detail)) }

        let blocks = Self.certificateBlocks(pem)
        guard !blocks.isEmpty else {
            add(.vmcParseError, "no certificate")
            return evidence
        }
        var certificates: [OpaquePointer] = []
        defer { for certificate in certificates { X509_free(certificate) } }
        for block in blocks.prefix(Self.maximumCertificates) {
            guard let certificate = Self.parse(block) else {
                add(.vmcParseError, "a certificate does not parse")
                return evidence
            }
            certificates.append(certificate)
        }
        let candidates = certificates.filter {
            Self.extendedKeyUsage($0) == [Self.bimiKeyUsage] && Self.extensionValue($0, BIMILogotype.extensionOID) != nil
        }
        guard let vmc = candidates.first else {
            add(.vmcValidationError, "No valid VMC found in chain")
            return evidence
        }
        if candidates.count > 1 { add(.vmcValidationError, "Multiple VMCs found in chain") }
        if let failure = verify(vmc, intermediates: certificates.filter { $0 != vmc }) {
            add(.vmcParseError, "Could not verify VMC: \(failure)")
        }
        if X509_cmp_current_time(X509_get0_notAfter(vmc)) < 0 { add(.vmcValidationError, "Expired") }
        if checksAltName {
            let wanted = [domain.lowercased(), "\(selector)._bimi.\(domain)".lowercased()]
            if !Self.dnsAltNames(vmc).contains(where: { wanted.contains($0.lowercased()) }) {
                add(.vmcValidationError, "Invalid alt name")
            }
        }
        if let allowedMarkTypes, let markType = Self.subjectEntry(vmc, Self.markTypeOID), !allowedMarkTypes.contains(markType) {
            add(.vmcValidationError, "Invalid mark type \(markType.prefix(64))")
        }
        guard let value = Self.extensionValue(vmc, BIMILogotype.extensionOID), let logotype = BIMILogotype(extensionValue: value),
              let data = logotype.imageData else {
            add(.vmcParseError, "Could not extract SVG from VMC")
            return evidence
        }
        let hash: CryptoHash? = switch logotype.hashAlgorithm {
        case "2.16.840.1.101.3.4.2.1": .sha256
        case "1.3.14.3.2.26": .sha1
        default: nil
        }
        if let hash {
            if CryptoDigest.digest(hash, data) != logotype.hash { add(.vmcValidationError, "Logotype hash does not match") }
        } else {
            add(.vmcValidationError, "Logotype hash algorithm \(logotype.hashAlgorithm.prefix(64)) not supported")
        }
        switch BIMISVGValidator.indicator(data, maximumBytes: maximumSVGBytes, validates: validatesSVG) {
        case .success(let svg):
            evidence.indicator = svg
        case .failure(let problem):
            add(problem.reason, "embedded SVG: \(problem.detail)")
        }
        return evidence
    }

    /// Mail::BIMI's `_build_cert_list`: lines without CR, empty ones
    /// dropped, a certificate ending at each `-----END CERTIFICATE-----`.
    static func certificateBlocks(_ pem: [UInt8]) -> [[UInt8]] {
        var blocks: [[UInt8]] = []
        var current: [UInt8] = []
        for line in pem.split(separator: 10) {
            let text = line.filter { $0 != 13 }
            guard !text.isEmpty else { continue }
            current += text + [10]
            let string = String(decoding: text, as: UTF8.self)
            if string.hasPrefix("-"), string.hasSuffix("-"), string.trimmingCharacters(in: "-") == "END CERTIFICATE" {
                blocks.append(current)
                current = []
            }
        }
        if !current.isEmpty { blocks.append(current) }
        return blocks
    }

    static func parse(_ block: [UInt8]) -> OpaquePointer? {
        block.withUnsafeBytes { raw -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            let certificate = PEM_read_bio_X509(bio, nil, nil, nil)
            if certificate == nil { ERR_clear_error() }
            return certificate
        }
    }

    /// nil when `certificate` chains to the roots, else OpenSSL's reason.
    func verify(_ certificate: OpaquePointer, intermediates: [OpaquePointer]) -> String? {
        guard let context = X509_STORE_CTX_new(), let untrusted = OPENSSL_sk_new_null() else { return "out of memory" }
        defer {
            X509_STORE_CTX_free(context)
            OPENSSL_sk_free(untrusted)
        }
        for intermediate in intermediates { OPENSSL_sk_push(untrusted, UnsafeRawPointer(intermediate)) }
        guard X509_STORE_CTX_init(context, roots.store, certificate, untrusted) == 1 else {
            ERR_clear_error()
            return "X509_STORE_CTX_init failed"
        }
        let verified = X509_verify_cert(context)
        ERR_clear_error()
        guard verified == 1 else {
            return String(cString: X509_verify_cert_error_string(Int(X509_STORE_CTX_get_error(context))))
        }
        return nil
    }

    /// The DER value of the extension `oid`, nil when absent.
    static func extensionValue(_ certificate: OpaquePointer, _ oid: String) -> [UInt8]? {
        let count = X509_get_ext_count(certificate)
        for index in 0..<count {
            guard let ext = X509_get_ext(certificate, index), objectText(X509_EXTENSION_get_object(ext)) == oid,
                  let data = X509_EXTENSION_get_data(ext) else { continue }
            return bytes(of: data)
        }
        return nil
    }

    /// The extended key usages, dotted.
    static func extendedKeyUsage(_ certificate: OpaquePointer) -> [String] {
        guard let value = extensionValue(certificate, "2.5.29.37"), let sequence = BIMIDER.single(value[...]),
              sequence.tag == 0x30, let children = sequence.children else { return [] }
        return children.compactMap(\.objectIdentifier)
    }

    /// The dNSName entries of the subjectAltName.
    static func dnsAltNames(_ certificate: OpaquePointer) -> [String] {
        guard let value = extensionValue(certificate, "2.5.29.17"), let sequence = BIMIDER.single(value[...]),
              sequence.tag == 0x30, let children = sequence.children else { return [] }
        return children.filter { $0.tag == 0x82 }.map { String(decoding: $0.content, as: UTF8.self) }
    }

    /// The first subject entry of type `oid`, as text.
    static func subjectEntry(_ certificate: OpaquePointer, _ oid: String) -> String? {
        guard let name = X509_get_subject_name(certificate) else { return nil }
        for index in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, index), objectText(X509_NAME_ENTRY_get_object(entry)) == oid,
                  let data = X509_NAME_ENTRY_get_data(entry) else { continue }
            return String(decoding: bytes(of: data), as: UTF8.self)
        }
        return nil
    }

    static func objectText(_ object: OpaquePointer?) -> String? {
        guard let object else { return nil }
        var buffer = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        guard length > 0, Int(length) < buffer.count else { return nil }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func bytes(of string: UnsafePointer<ASN1_STRING>) -> [UInt8] {
        let length = Int(ASN1_STRING_length(string))
        guard length > 0, let start = ASN1_STRING_get0_data(string) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: length))
    }
}

private extension String {
    func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}
