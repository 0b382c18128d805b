extension MessageHeaderField {
    /// Rebuilds a field from what the milter protocol delivers.
    ///
    /// Assumptions, the same the Perl milter makes (its DKIM handler builds
    /// `"$name: $value"` and turns every `\r?\n` into CRLF):
    /// - the MTA sends the name without the colon and the value with the
    ///   single space after the colon removed (Postfix and Sendmail do, as
    ///   long as `SMFIP_HDR_LEADSPC` is not negotiated, and we never
    ///   negotiate it), so one space is put back;
    /// - folded values arrive with `\n` (or `\r\n`) line ends; both become
    ///   CRLF, as on the wire. A lone CR is left alone.
    ///
    /// A field written `Name:value` (no space) or with a tab after the
    /// colon therefore comes back as `Name: value`, and a simple-canonical
    /// DKIM signature over it will not verify; the Perl milter has the same
    /// limit, and relaxed canonicalization (almost every signer's choice)
    /// is unaffected.
    public static func milter(name: [UInt8], value: [UInt8]) -> MessageHeaderField {
        MessageHeaderField(name: name, value: [0x20] + MessageHeaderField.crlfLineEnds(value))
    }

    public static func milter(name: String, value: String) -> MessageHeaderField {
        milter(name: Array(name.utf8), value: Array(value.utf8))
    }

    /// `bytes` with every LF that is not already preceded by CR turned into
    /// CRLF (the Perl milter's `s/\015?\012/\015\012/g`).
    public static func crlfLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x0A) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        for byte in bytes {
            if byte == 0x0A && out.last != 0x0D {
                out.append(0x0D)
            }
            out.append(byte)
        }
        return out
    }
}
