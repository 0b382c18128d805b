/// The image a VMC carries in its logotype extension (RFC 3709,
/// `1.3.6.1.5.5.7.1.12`), as Mail::BIMI reads it: `subjectLogo`, `direct`,
/// the first image's details: media type, first hash (algorithm and value)
/// and first URI. BIMI puts the SVG itself in the URI
/// (`data:image/svg+xml;base64,...`, usually gzipped).
public struct BIMILogotype: Sendable, Equatable {
    public static let extensionOID = "1.3.6.1.5.5.7.1.12"

    public var mediaType: String
    public var hashAlgorithm: String
    public var hash: [UInt8]
    public var uri: String

    /// From the extension's value (the DER of `LogotypeExtn`).
    public init?(extensionValue: [UInt8]) {
        // LogotypeExtn ::= SEQUENCE { communityLogos [0], issuerLogo [1], subjectLogo [2] EXPLICIT LogotypeInfo, ... }
        guard let outer = BIMIDER.single(extensionValue[...]), outer.tag == 0x30,
              let subject = outer.children?.first(where: { $0.tag == 0xA2 }),
              // LogotypeInfo ::= CHOICE { direct [0] IMPLICIT LogotypeData, ... }
              let direct = BIMIDER.single(subject.content), direct.tag == 0xA0,
              // LogotypeData ::= SEQUENCE { image SEQUENCE OF LogotypeImage OPTIONAL, ... }
              let images = direct.children?.first(where: { $0.tag == 0x30 }),
              let image = images.children?.first, image.tag == 0x30,
              // LogotypeImage ::= SEQUENCE { imageDetails LogotypeDetails, imageInfo OPTIONAL }
              let details = image.children?.first, details.tag == 0x30,
              // LogotypeDetails ::= SEQUENCE { mediaType IA5String, logotypeHash SEQUENCE OF HashAlgAndValue,
              //                                logotypeURI SEQUENCE OF IA5String }
              let parts = details.children, parts.count == 3, parts[0].tag == 0x16, parts[1].tag == 0x30, parts[2].tag == 0x30,
              let firstHash = parts[1].children?.first, firstHash.tag == 0x30,
              let hashParts = firstHash.children, hashParts.count == 2, hashParts[0].tag == 0x30, hashParts[1].tag == 0x04,
              let algorithm = hashParts[0].children?.first?.objectIdentifier,
              let firstURI = parts[2].children?.first, firstURI.tag == 0x16
        else { return nil }
        mediaType = String(decoding: parts[0].content, as: UTF8.self)
        hashAlgorithm = algorithm
        hash = Array(hashParts[1].content)
        uri = String(decoding: firstURI.content, as: UTF8.self)
    }

    static let dataPrefix = "data:image/svg+xml;base64,"

    /// The image bytes of a `data:image/svg+xml;base64,` URI, nil for any
    /// other URI (Mail::BIMI: `Could not extract SVG from VMC`).
    public var imageData: [UInt8]? {
        guard uri.hasPrefix(Self.dataPrefix) else { return nil }
        return CryptoBase64.decode(uri.utf8.dropFirst(Self.dataPrefix.utf8.count))
    }
}
