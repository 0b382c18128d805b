/// A DKIM-Signature field read as a tag list, before any judgement: what
/// a result reports about a signature (`d=`, `i=`, `s=`, the start of `b=`)
/// is taken from here even when the signature is unusable, as Mail::DKIM
/// does.
struct DKIMSignatureHeader: Sendable {
    let field: MessageHeaderField
    let parsed: Result<DKIMTagList, DKIMTagList.ParseError>

    /// `h=` as lowercased names, whitespace around colons removed, empty
    /// names dropped (they match no field either way). Worked out once:
    /// the verifier asks for it several times per signature.
    let signedHeaderNames: [[UInt8]]

    init(field: MessageHeaderField) {
        self.field = field
        let parsed = DKIMTagList.parse(field.value)
        self.parsed = parsed
        if case .success(let tags) = parsed, let value = tags["h"]?.value {
            signedHeaderNames = value.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).compactMap { part in
                let name = MessageHeaderField.lowercased(DKIMTagList.removingWhitespace(Array(part)))
                return name.isEmpty ? nil : name
            }
        } else {
            signedHeaderNames = []
        }
    }

    var tags: DKIMTagList? {
        if case .success(let list) = parsed { return list }
        return nil
    }

    /// `d=` lowercased (Mail::DKIM's `domain`), nil if absent.
    var domain: String? {
        tags?.text("d").map { String(decoding: MessageHeaderField.lowercased(Array($0.utf8)), as: UTF8.self) }
    }

    var selector: String? { tags?.text("s") }

    /// `a=` lowercased.
    var algorithmText: String? { tags?.text("a")?.lowercased() }

    /// `i=` decoded, or `@` + `d=` when absent (RFC 6376 section 3.5 and
    /// Mail::DKIM's `identity`).
    var identity: String? {
        guard let tags else { return nil }
        if let value = tags["i"]?.value {
            return String(decoding: DKIMQuotedPrintable.decode(value), as: UTF8.self)
        }
        return "@" + (domain ?? "")
    }

    /// `b=` without folding whitespace, as text.
    var signatureText: String {
        guard let value = tags?["b"]?.value else { return "" }
        return String(decoding: DKIMTagList.removingWhitespace(value), as: UTF8.self)
    }

    /// The first 8 characters of `b=`: RFC 6008's `header.b`, which the
    /// Perl milter reports for every signature.
    var headerB: String {
        String(signatureText.prefix(8))
    }

    /// The field with the `b=` value (and the whitespace around it)
    /// removed: what the signature's own hash covers (RFC 6376 section
    /// 3.7). Nil if there is no `b=` tag.
    var fieldWithoutSignature: MessageHeaderField? {
        guard let range = tags?["b"]?.rawValueRange else { return nil }
        var value = field.value
        value.removeSubrange(range)
        return MessageHeaderField(name: field.name, value: value)
    }
}
