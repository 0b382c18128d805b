/// Splits the argument of MAIL FROM: or RCPT TO: into the path and its
/// ESMTP parameters: `<path>` up to its closing bracket (a quoted local
/// part may hold spaces and brackets), then the parameters separated by
/// spaces. A path without brackets ends at the first space.
public enum SMTPPath {
    public static func split(_ argument: String) -> (path: String, parameters: [String]) {
        let text = argument.drop(while: { $0 == " " })
        guard text.first == "<" else {
            let parts = text.split(separator: " ").map(String.init)
            return (parts.first ?? "", Array(parts.dropFirst()))
        }
        var inQuotes = false
        var escaped = false
        var end: String.Index?
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let c = text[index]
            if escaped {
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                inQuotes.toggle()
            } else if c == ">" && !inQuotes {
                end = index
                break
            }
            index = text.index(after: index)
        }
        guard let end else { return (String(text), []) }
        let path = String(text[...end])
        let rest = text[text.index(after: end)...].split(separator: " ").map(String.init)
        return (path, rest)
    }
}
