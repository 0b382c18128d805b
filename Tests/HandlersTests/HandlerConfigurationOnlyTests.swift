import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Every installed handler, built from its defaults, is the same after
/// messages as before: what it learns of a message lives in the session
/// (`HandlerState`), never in the handler, so nothing can be left for the
/// next message. A handler that stored per-message findings in a property
/// would fail here.
@Suite struct HandlerConfigurationOnlyTests {
    /// Stored properties that change on purpose across messages: the SPF
    /// record caches (shared by the worker's messages by design) and ARC's
    /// `lastSealError` (a diagnostic of the last message, never read).
    static let allowedToChange: Set<String> = ["recordCache", "lastSealError"]

    /// A text of a value's stored properties, deep, skipping the allowed
    /// ones; each object once.
    static func snapshot(_ value: Any, label: String = "", depth: Int = 0, seen: inout Set<ObjectIdentifier>) -> String {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .class {
            let object = value as AnyObject
            guard seen.insert(ObjectIdentifier(object)).inserted else { return "\(label)=<seen>" }
        }
        guard depth < 8, !mirror.children.isEmpty else { return "\(label)=\(String(describing: value))" }
        var parts: [String] = []
        var current: Mirror? = mirror
        while let level = current {
            for child in level.children where !allowedToChange.contains(child.label ?? "") {
                parts.append(snapshot(child.value, label: child.label ?? "_", depth: depth + 1, seen: &seen))
            }
            current = level.superclassMirror
        }
        return "\(label){\(parts.joined(separator: ","))}"
    }

    static func snapshot(_ handler: any Handler) -> String {
        var seen: Set<ObjectIdentifier> = []
        return snapshot(handler, seen: &seen)
    }

    @Test func handlersAreUnchangedByMessages() throws {
        var configuration = HandlerRegistryTests.configuration([])
        for type in HandlerRegistry.installed {
            configuration.handlers.append(HandlerConfiguration(name: type.name, enabled: true,
                                                               config: try JSONParser.parse(type.defaultConfigJSON)))
        }
        let handlers = try HandlerRegistry.build(configuration)
        let before = handlers.map(Self.snapshot)
        let harness = Harness(handlers: handlers, settings: Harness.oneLine)
        harness.openConnection()
        let headers: [(String, String)] = [
            ("Authentication-Results", "mx.example.net; spf=pass"),
            ("ARC-Seal", "i=1; a=rsa-sha256; cv=none; d=example.com; s=arc; b=AAAA"),
            ("DKIM-Signature", "v=1; a=rsa-sha256; d=example.com; s=test; h=from; bh=AAAA; b=AAAA"),
            ("From", "Sender <sender@example.org>"),
            ("List-Id", "<list.example.org>"),
            ("Subject", "Hello"),
        ]
        harness.sendMessage(ending: .abort, headers: headers)
        harness.sendMessage(headers: headers)
        harness.authenticateNextMessage()
        harness.sendMessage(headers: headers)
        let after = handlers.map(Self.snapshot)
        for (index, handler) in handlers.enumerated() {
            #expect(before[index] == after[index], "\(type(of: handler).name) changed")
        }
    }
}
