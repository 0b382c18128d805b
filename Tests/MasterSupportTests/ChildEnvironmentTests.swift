import MasterSupport
import Testing

/// What a child process starts with (issue 12: the malloc cache setting).
@Suite struct ChildEnvironmentTests {
    @Test func aChildGetsTheMallocCacheSettingAndOnlyTheNamedVariables() {
        let master = ["PATH": "/usr/bin", "LANG": "C.UTF-8", "HOME": "/root", "LD_PRELOAD": "/tmp/evil.so"]
        let environment = ChildEnvironment.make { master[$0] }
        #expect(environment == ["SWIFT_BACKTRACE=enable=no", "PATH=/usr/bin", "LANG=C.UTF-8",
                                "GLIBC_TUNABLES=glibc.malloc.tcache_count=64"])
    }

    @Test func anOperatorsOwnTunablesReplaceOurs() {
        let master = ["GLIBC_TUNABLES": "glibc.malloc.arena_max=1"]
        let environment = ChildEnvironment.make { master[$0] }
        #expect(environment == ["SWIFT_BACKTRACE=enable=no", "GLIBC_TUNABLES=glibc.malloc.arena_max=1"])
    }
}
