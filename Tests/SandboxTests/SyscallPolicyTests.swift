import Foundation
import Sandbox
import Testing

/// Each role's sandbox policy is one value: every system call in it exists
/// on this architecture, every rule is accepted by libseccomp, and
/// docs/sandbox.md shows exactly that value.
@Suite struct SyscallPolicyTests {
    @Test(arguments: SandboxRole.allCases)
    func everyRuleOfTheRoleBuilds(_ role: SandboxRole) throws {
        let policy = SyscallPolicy.forRole(role)
        for name in policy.names {
            #expect(SeccompFilter.number(of: name) != nil, "\(role.rawValue): \(name) is unknown here")
        }
        // Builds the whole filter (every rule added and checked), not loaded.
        _ = try SeccompFilter(policy: policy)
        #expect(Set(policy.names).count == policy.names.count, "\(role.rawValue): a name is listed twice")
        #expect(policy.rules.allSatisfy { !$0.reason.isEmpty })
    }

    @Test func aMisspeltNameStopsTheBuildWithItsName() {
        var policy = SyscallPolicy.forRole(.worker)
        policy.rules.append(SyscallRule("readd", because: "typo"))
        let error = #expect(throws: SandboxError.self) { _ = try SeccompFilter(policy: policy) }
        #expect(error?.code == .unknownSyscall)
        #expect(error?.reason == "seccomp: no system call 'readd' on this architecture")
    }

    @Test func workersNeverGetFilesSocketsOrProcesses() {
        let names = Set(SyscallPolicy.forRole(.worker).names)
        for forbidden in ["open", "openat", "socket", "connect", "bind", "clone", "clone3", "fork", "vfork", "execve",
                          "execveat", "ptrace", "setuid", "setrlimit", "prctl", "mkdir", "unlink", "kill"] {
            #expect(!names.contains(forbidden), "worker may \(forbidden)")
        }
        let limits = SyscallPolicy.forRole(.worker).limits
        #expect(limits.contains { $0.kind == .processes && $0.value == 0 })
        #expect(limits.contains { $0.kind == .fileSize && $0.value == 0 })
    }

    @Test func restartSyscallIsInEveryRole() {
        for role in SandboxRole.allCases {
            #expect(SyscallPolicy.forRole(role).names.contains("restart_syscall"), "\(role.rawValue)")
        }
    }

    @Test func memoryIsNeverMadeExecutable() {
        for role in SandboxRole.allCases {
            for name in ["mmap", "mprotect"] {
                let rule = SyscallPolicy.forRole(role).rules.first { $0.name == name }
                #expect(rule?.arguments == .noneOfBits(index: 2, mask: UInt64(PROT_EXEC), meaning: "no PROT_EXEC"))
            }
        }
    }

    @Test func syscallNumbersAreNamedInTheLog() {
        let mkdir = SeccompFilter.number(of: "mkdir")
        #expect(mkdir != nil)
        #expect(SeccompViolationReport.named("error seccomp: forbidden system call \(mkdir ?? -1)")
                == "error seccomp: forbidden system call \(mkdir ?? -1) (mkdir)")
        #expect(SeccompViolationReport.named("something else") == "something else")
    }

    /// docs/sandbox.md holds each role's table exactly as the code renders
    /// it: a syscall cannot be added without its line there.
    @Test(arguments: SandboxRole.allCases)
    func theDocumentationShowsThePolicy(_ role: SandboxRole) throws {
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        let doc = try String(contentsOf: root.appendingPathComponent("docs/sandbox.md"), encoding: .utf8)
        let section = "<!-- policy: \(role.rawValue) -->\n" + SyscallPolicy.forRole(role).markdown + "\n<!-- end policy -->"
        #expect(doc.contains(section), "docs/sandbox.md must contain, for \(role.rawValue):\n\(section)")
    }
}

extension SyscallPolicyTests {
    /// A table cell cannot hold a bare "|" (it would split the row).
    @Test func theTablesAreWellFormed() {
        for role in SandboxRole.allCases {
            for line in SyscallPolicy.forRole(role).markdown.split(separator: "\n") where !line.isEmpty {
                #expect(line.filter { $0 == "|" }.count == 4, "\(role.rawValue): \(line)")
            }
        }
    }
}
