import IPC
import Testing

/// The IPC module's one error: each refusal names its code, and the
/// channel-level ones keep the words the logs have always had.
@Suite struct IPCErrorTests {
    @Test func channelRefusalsNameTheirCode() {
        #expect(IPCError.emptyFrame.code == .emptyFrame)
        #expect(IPCError.unknownKind(9).code == .unknownKind)
        #expect(IPCError.unknownKind(9).reason == "unknown message kind 9")
        #expect(IPCError.tooLarge(kind: "scan", payload: 10, limit: 5).description == "scan message announcing 10 bytes (limit 5)")
        #expect(IPCError.unexpectedDescriptor(kind: nil).reason == "a descriptor on a channel that carries none")
        #expect(IPCError.missingDescriptor(kind: "connection").code == .missingDescriptor)
        #expect(IPCError.notWholeFrames(bytes: 3).code == .notWholeFrames)
    }

    @Test func aMissingOptionValueIsAUsageError() {
        var line = HelperCommandLine(["--runas"])
        let error = #expect(throws: IPCError.self) {
            while try line.nextOption() != nil {}
        }
        #expect(error?.code == .usage)
    }

    @Test func anUnresolvableScannerHostSaysSo() {
        guard case .failure(let error) = SpamdAddress.resolve(host: "no-such-host.invalid", port: 783) else {
            Issue.record("no-such-host.invalid resolved")
            return
        }
        #expect(error.code == .unresolvable)
        #expect(error.reason.hasPrefix("cannot resolve no-such-host.invalid: "))
    }
}
