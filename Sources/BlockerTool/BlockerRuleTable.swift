#if canImport(Glibc)
import Glibc
#endif
import BlockerRules

/// `list`'s table, laid out as Perl's Text::Table prints it: a title row,
/// a rule of dashes as wide as the table, one row per rule in id order;
/// columns left-aligned and separated by one space.
enum BlockerRuleTable {
    static let titles = ["Id", "Callback", "Value", "With", "Percent", "Until"]

    static func render(_ document: TOMLDocument, ctime: (Int64) -> String = BlockerRuleTable.ctime) -> String {
        var rows: [[String]] = []
        let tables = document.tables.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for table in tables {
            let until = table["until"]?.perlNumber ?? 0
            rows.append([
                table.name,
                table["callback"]?.perlString ?? "",
                table["value"]?.perlString ?? "",
                table["with"]?.perlString ?? "",
                table["percent"]?.perlString ?? "",
                until != 0 ? ctime(Int64(until)) : "-",
            ].map(oneLine))
        }
        var widths = titles.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: " ") + "\n"
        }
        let width = widths.reduce(0, +) + widths.count - 1
        return line(titles) + String(repeating: "-", count: width) + "\n" + rows.map(line).joined()
    }

    /// A cell on one line: control characters shown as `?`.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? "?" : scalar)
        }
        return out
    }

    /// Date::Format's `%C` (ctime): `Thu Nov 12 23:26:23 2019`, local time.
    static func ctime(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return String(seconds) }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a %b %e %H:%M:%S %Y", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
