@testable import MailAuth
import Testing

/// `h=` selection (RFC 6376 5.4.2): each listed name takes the lowest
/// instance not yet taken, a name with none left is over-signed. The
/// one-lookup-per-name selection (issue 12) must pick what the rule picks,
/// which the reference below does the plain way.
@Suite struct DKIMHeaderSelectionTests {
    static func reference(_ fields: [MessageHeaderField], _ names: [[UInt8]]) -> ([MessageHeaderField], [[UInt8]]) {
        var used = Set<Int>()
        var selected: [MessageHeaderField] = []
        var overSigned: [[UInt8]] = []
        for name in names {
            let lower = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
            if let index = fields.indices.reversed().first(where: { !used.contains($0) && fields[$0].lowercasedName == lower }) {
                used.insert(index)
                selected.append(fields[index])
            } else if !overSigned.contains(name) {
                overSigned.append(name)
            }
        }
        return (selected, overSigned)
    }

    @Test func bottomUpAndOverSigned() {
        let fields = [MessageHeaderField(name: "Received", value: "1"), MessageHeaderField(name: "From", value: "a"),
                      MessageHeaderField(name: "received", value: "2"), MessageHeaderField(name: "Subject", value: "s")]
        let selection = DKIMHeaderSelection(fields)
        let (selected, overSigned) = selection.select(["received", "received", "received", "from", "to"].map { Array($0.utf8) })
        #expect(selected.map { String(decoding: $0.value, as: UTF8.self) } == ["2", "1", "a"])
        #expect(overSigned == [Array("received".utf8), Array("to".utf8)])
        #expect(selection.count(of: Array("received".utf8)) == 2 && selection.count(of: Array("cc".utf8)) == 0)
    }

    @Test func randomListsPickWhatTheRulePicks() {
        let names = ["from", "to", "subject", "date", "received", "dkim-signature"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let fields = (0..<Int.random(in: 0...12, using: &generator)).map { index in
                MessageHeaderField(name: names.randomElement(using: &generator)!, value: "\(index)")
            }
            let listed = (0..<Int.random(in: 0...12, using: &generator)).map { _ in Array(names.randomElement(using: &generator)!.utf8) }
            let (selected, overSigned) = DKIMHeaderSelection(fields).select(listed)
            let (wanted, wantedOver) = Self.reference(fields, listed)
            #expect(selected == wanted)
            #expect(overSigned == wantedOver)
        }
    }
}
