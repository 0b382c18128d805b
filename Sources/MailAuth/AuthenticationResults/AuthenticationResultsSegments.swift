/// Splits an `Authentication-Results` value (or any RFC 8601-style
/// `;`-separated list) into its parts: comments removed (nesting and
/// escapes honoured), quoted strings kept whole, so a `;` inside either
/// does not split. Used to read headers others wrote (SPF upgrade scan,
/// trusted ARC results).
public enum AuthResultsSegments {
    public static func split(_ value: String) -> [String] {
        var segments: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
                if depth == 0 { current.append(character) }
                continue
            }
            if character == "\\" && (quoted || depth > 0) {
                escaped = true
                if depth == 0 { current.append(character) }
                continue
            }
            if quoted {
                current.append(character)
                if character == "\"" { quoted = false }
                continue
            }
            if depth > 0 {
                if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
                if depth == 0 { current.append(" ") }
                continue
            }
            switch character {
            case "(": depth = 1
            case "\"": quoted = true; current.append(character)
            case ";": segments.append(current); current = ""
            default: current.append(character)
            }
        }
        segments.append(current)
        return segments
    }
}
