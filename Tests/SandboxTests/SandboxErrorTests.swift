import Sandbox
import Testing

/// The Sandbox module's one error: each failure carries the code a caller
/// matches and the reason the log prints.
@Suite struct SandboxErrorTests {
    @Test func anUnknownUserIsRefusedByCode() {
        let error = #expect(throws: SandboxError.self) {
            _ = try Sandbox.resolve(user: "no-such-user-authmilter", group: nil)
        }
        #expect(error?.code == .unknownUser)
        #expect(error?.reason == "unknown user 'no-such-user-authmilter'")
    }

    @Test func anUnknownGroupIsRefusedByCode() {
        let error = #expect(throws: SandboxError.self) {
            _ = try Sandbox.resolve(user: "root", group: "no-such-group-authmilter")
        }
        #expect(error?.code == .unknownGroup)
    }

    @Test func aFailedStepKeepsItsErrno() {
        let error = SandboxError.failed(step: "chroot(/nowhere)", errno: 2)
        #expect(error.code == .stepFailed && error.errno == 2)
        #expect(error.description == "chroot(/nowhere) failed: No such file or directory (errno 2)" || error.description.hasPrefix("chroot(/nowhere) failed: "))
    }
}
