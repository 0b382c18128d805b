/// Writes a `TOMLDocument` back as text `TOMLParser` reads to the same
/// document: tables in their order, keys in their order, strings as basic
/// strings with every control character escaped. What the
/// `authentication_milter_blocker` tool saves.
public enum TOMLWriter {
    public static func render(_ document: TOMLDocument) -> String {
        var out = ""
        for entry in document.topLevel.entries {
            out += "\(key(entry.key)) = \(value(entry.value))\n"
        }
        for table in document.tables {
            if !out.isEmpty { out += "\n" }
            out += "[\(key(table.name))]\n"
            for entry in table.entries {
                out += "\(key(entry.key)) = \(value(entry.value))\n"
            }
        }
        return out
    }

    static func key(_ name: String) -> String {
        if !name.isEmpty && name.unicodeScalars.allSatisfy(TOMLParser.Cursor.isBareKeyCharacter) { return name }
        return quoted(name)
    }

    static func value(_ value: TOMLValue) -> String {
        switch value {
        case .string(let text): return quoted(text)
        case .integer(let number): return String(number)
        case .float(let number):
            let text = String(number)
            // Swift writes 1e+20 and 5.0 alike; TOML needs digits on both
            // sides of a point and takes "1e+20" as is.
            return text.contains(".") || text.contains("e") ? text : text + ".0"
        case .boolean(let flag): return flag ? "true" : "false"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u" + TOMLParser.Cursor.hex(scalar)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
