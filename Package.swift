// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "authmilter-swift",
    products: [
        .executable(name: "authentication_milter", targets: ["Master"]),
        .executable(name: "authmilter-worker", targets: ["Worker"]),
        .executable(name: "authmilter-dns", targets: ["DNSHelper"]),
        .executable(name: "authmilter-spool", targets: ["Spool"]),
        .executable(name: "authmilter-scan", targets: ["Scanner"]),
        .executable(name: "authmilter-bimi-fetch", targets: ["BIMIFetcher"]),
        .executable(name: "authmilter-bench", targets: ["MilterLoad"]),
        // Perl's tool: one message through the running milter, printed back.
        .executable(name: "authentication_milter_client", targets: ["MilterClientTool"]),
        // Perl's tool for the per-message log: ARex lines back into headers.
        .executable(name: "authentication_milter_log", targets: ["MessageLogTool"]),
        .executable(name: "spf-bench", targets: ["SPFBench"]),
        .executable(name: "dkim-bench", targets: ["DKIMBench"]),
        .executable(name: "arc-bench", targets: ["ARCBench"]),
        .executable(name: "report-bench", targets: ["ReportBench"]),
        .executable(name: "dmarc-bench", targets: ["DMARCBench"]),
        // DMARC aggregate reports, named like Mail::DMARC's tools.
        .executable(name: "dmarc_send_reports", targets: ["DMARCSendReports"]),
        .executable(name: "dmarc_view_reports", targets: ["DMARCViewReports"]),
        // Blocker rule files, as Perl's tool of the same name edits them.
        .executable(name: "authentication_milter_blocker", targets: ["BlockerTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Tests only: reads the third-party conformance suites (YAML) as given.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C system libraries: one module map each, static inline wrappers for
        // what Swift cannot import (macros, variadic functions).
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto"),
        .systemLibrary(name: "CLDNS", path: "Sources/CLDNS"),
        .systemLibrary(name: "CSeccomp", path: "Sources/CSeccomp", pkgConfig: "libseccomp"),
        .systemLibrary(name: "CCap", path: "Sources/CCap", pkgConfig: "libcap"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3"),
        .systemLibrary(name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
        // libssl: only the BIMI fetch helper speaks TLS.
        .systemLibrary(name: "CTLS", path: "Sources/CTLS", pkgConfig: "libssl"),
        // Small C target: fd passing (CMSG), setresuid, accept4, signalfd.
        .target(name: "CShim", path: "Sources/CShim"),

        // The one length-prefixed frame decoder (4-byte length, kind byte,
        // payload) under the milter decoders and the IPC inboxes.
        .target(name: "Framing", path: "Sources/Framing"),
        .target(name: "Milter", dependencies: ["Framing"], path: "Sources/Milter"),
        // SMTP mode's protocol pieces (commands, replies, DATA decoding and
        // dot-stuffing, the header section and its edits, the server's
        // state machine): pure value types, no I/O.
        .target(name: "SMTP", path: "Sources/SMTP"),
        .target(name: "MailAuth", dependencies: ["COpenSSL", "CZlib"], path: "Sources/MailAuth"),
        // The MTA side of the milter protocol (Postfix's conversation, a
        // blocking client): authmilter-bench and the process tests.
        .target(name: "MilterClient", dependencies: ["Milter"], path: "Sources/MilterClient"),
        .executableTarget(name: "MilterClientTool", dependencies: ["Config", "DMARCReports", "Handlers", "MailAuth", "Milter", "MilterClient", "SystemIO"],
                          path: "Sources/MilterClientTool"),
        // The plumbing every process shares, one concern per target so each
        // process links only what it uses (docs/architecture.md):
        // the one system-call wrapper and its error; the JSON reader and
        // writer; the configuration model and loader; the children's log;
        // the IPC frames, typed messages and clients; the seccomp jail.
        .target(name: "SystemIO", dependencies: ["CShim"], path: "Sources/SystemIO"),
        .target(name: "JSON", path: "Sources/JSON"),
        .target(name: "ProcessLog", dependencies: ["MailAuth", "SystemIO"], path: "Sources/ProcessLog"),
        .target(name: "Config", dependencies: ["JSON", "MailAuth", "SystemIO"], path: "Sources/Config"),
        .target(name: "IPC", dependencies: ["CShim", "Framing", "JSON", "MailAuth", "ProcessLog", "SystemIO"], path: "Sources/IPC"),
        .target(name: "Sandbox", dependencies: ["CCap", "CSeccomp", "CShim", "SystemIO"], path: "Sources/Sandbox"),
        // ldns packets to MailAuth's DNS types (DNS helper, report commands).
        .target(name: "LDNSRecords", dependencies: ["MailAuth", "CLDNS"], path: "Sources/LDNSRecords"),
        // DMARC aggregate reports: the store (SQLite, PostgreSQL), the spool's
        // journal, the RFC 7489 report and its sending.
        .target(
            name: "DMARCReports",
            dependencies: ["MailAuth", "Config", "IPC", "JSON", "SMTP", "SystemIO", "LDNSRecords", "CSQLite", "CPostgres", "CZlib", "CLDNS"],
            path: "Sources/DMARCReports"),
        // Blocker rule files: the strict TOML subset they use, the rules,
        // their wire form master -> worker, the matching. Pure.
        .target(name: "BlockerRules", path: "Sources/BlockerRules"),
        // The metrics endpoint as pure values: the families, a worker's
        // tally and its counter-delta message, the master's registry and
        // text format, the HTTP request parser, the pages.
        .target(name: "Metrics", dependencies: ["JSON"], path: "Sources/Metrics"),
        // The per-message log as pure values: the ARex line (extended_log)
        // and its reading back, the legacy line, the arex tool's options.
        .target(name: "MessageLog", dependencies: ["MailAuth", "JSON"], path: "Sources/MessageLog"),
        .executableTarget(name: "MessageLogTool", dependencies: ["MessageLog", "SystemIO"], path: "Sources/MessageLogTool"),
        .target(name: "Handlers", dependencies: ["MessageLog", "MailAuth", "Milter", "Config", "IPC", "JSON", "ProcessLog", "SystemIO", "CShim", "BlockerRules", "Metrics"], path: "Sources/Handlers"),

        // The master's own logic that is not process plumbing (pool policy,
        // wait queue, pidfile), kept apart so no jailed process
        // links it; a library so its tests can reach it.
        .target(name: "MasterSupport", dependencies: ["CShim", "MailAuth", "ProcessLog", "SystemIO", "BlockerRules", .product(name: "Logging", package: "swift-log")], path: "Sources/MasterSupport"),
        .executableTarget(name: "Master", dependencies: ["Config", "IPC", "JSON", "ProcessLog", "Sandbox", "SystemIO", "MasterSupport", "Handlers", "DMARCReports", "Milter", "CShim", "CCap", "BlockerRules", "Metrics", .product(name: "Logging", package: "swift-log")], path: "Sources/Master"),
        .executableTarget(name: "Worker", dependencies: ["Config", "IPC", "ProcessLog", "Sandbox", "SystemIO", "Milter", "Handlers", "MailAuth", "CShim", "COpenSSL", "CLDNS", "BlockerRules", "Metrics", "SMTP"], path: "Sources/Worker"),
        .executableTarget(name: "DNSHelper", dependencies: ["IPC", "ProcessLog", "Sandbox", "SystemIO", "MailAuth", "LDNSRecords", "CShim", "CLDNS"], path: "Sources/DNSHelper"),
        // The error mail (errors_to) as pure values: the message, the rate
        // limit, the process table's rows. The spool sends it.
        .target(name: "ErrorMail", dependencies: ["IPC", "MailAuth"], path: "Sources/ErrorMail"),
        .executableTarget(name: "Spool", dependencies: ["ErrorMail", "Config", "IPC", "ProcessLog", "Sandbox", "SystemIO", "DMARCReports", "MailAuth", "CShim", "Handlers"], path: "Sources/Spool"),
        // The one process that talks to spamd (SpamAssassin handler).
        .executableTarget(name: "Scanner", dependencies: ["IPC", "ProcessLog", "Sandbox", "SystemIO", "MailAuth", "CShim"], path: "Sources/Scanner"),
        // The one process that fetches over HTTPS (BIMI indicators and VMCs).
        .executableTarget(name: "BIMIFetcher", dependencies: ["IPC", "ProcessLog", "Sandbox", "SystemIO", "MailAuth", "CShim", "COpenSSL", "CTLS"],
                          path: "Sources/BIMIFetcher"),
        .executableTarget(name: "DMARCSendReports", dependencies: ["DMARCReports", "MailAuth"], path: "Sources/DMARCSendReports"),
        .executableTarget(name: "DMARCViewReports", dependencies: ["DMARCReports", "MailAuth"], path: "Sources/DMARCViewReports"),
        .executableTarget(name: "BlockerTool", dependencies: ["BlockerRules", "SystemIO"], path: "Sources/BlockerTool"),
        // The pure pieces of authmilter-bench (the mix file, zone lines,
        // /proc/<pid>/stat, CPU by role, the result tables), a library so
        // BenchSupportTests reach them.
        .target(name: "BenchSupport", dependencies: ["MailAuth", "Milter", "MilterClient"], path: "Benchmarks/BenchSupport"),
        .executableTarget(name: "MilterLoad", dependencies: ["BenchSupport", "MailAuth", "IPC", "MasterSupport", "Milter", "MilterClient", "SMTP"],
                          path: "Benchmarks/MilterLoad"),
        .executableTarget(name: "SPFBench", dependencies: ["MailAuth"], path: "Benchmarks/SPFBench"),
        .executableTarget(name: "DKIMBench", dependencies: ["MailAuth"], path: "Benchmarks/DKIMBench"),
        .executableTarget(name: "ARCBench", dependencies: ["MailAuth"], path: "Benchmarks/ARCBench"),
        .executableTarget(name: "DMARCBench", dependencies: ["Config", "Handlers", "JSON", "MailAuth"], path: "Benchmarks/DMARCBench"),
        .executableTarget(name: "ReportBench", dependencies: ["DMARCReports", "IPC", "MailAuth"], path: "Benchmarks/ReportBench"),

        // Test-only helpers shared by the test targets: the third-party
        // conformance data (read from ../shared, skipped where absent).
        .target(name: "TestSupport", dependencies: ["MailAuth"], path: "Tests/TestSupport"),
        .testTarget(name: "FramingTests", dependencies: ["Framing"], path: "Tests/FramingTests"),
        .testTarget(name: "MilterTests", dependencies: ["Milter"], path: "Tests/MilterTests"),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP"], path: "Tests/SMTPTests"),
        .testTarget(name: "MilterClientTests", dependencies: ["Milter", "MilterClient"], path: "Tests/MilterClientTests"),
        .testTarget(name: "BenchSupportTests", dependencies: ["BenchSupport", "Milter", "MilterClient"], path: "Tests/BenchSupportTests"),
        .testTarget(name: "MailAuthTests", dependencies: ["MailAuth", "TestSupport", .product(name: "Yams", package: "Yams")], path: "Tests/MailAuthTests"),
        .testTarget(name: "MasterSupportTests", dependencies: ["MasterSupport", "BlockerRules", "SystemIO"], path: "Tests/MasterSupportTests"),
        .testTarget(name: "BlockerRulesTests", dependencies: ["BlockerRules"], path: "Tests/BlockerRulesTests"),
        .testTarget(name: "SystemIOTests", dependencies: ["SystemIO", "IPC"], path: "Tests/SystemIOTests"),
        .testTarget(name: "MessageLogTests", dependencies: ["MessageLog", "MailAuth", "JSON"], path: "Tests/MessageLogTests"),
        .testTarget(name: "ErrorMailTests", dependencies: ["ErrorMail", "IPC"], path: "Tests/ErrorMailTests"),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "JSON"], path: "Tests/MetricsTests"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], path: "Tests/JSONTests"),
        .testTarget(name: "ProcessLogTests", dependencies: ["ProcessLog"], path: "Tests/ProcessLogTests"),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "IPC", "JSON", "MasterSupport", "SystemIO", "MailAuth", "TestSupport"], path: "Tests/ConfigTests"),
        .testTarget(name: "IPCTests", dependencies: ["IPC", "JSON", "MailAuth", "TestSupport", "CShim"], path: "Tests/IPCTests"),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"], path: "Tests/SandboxTests"),
        .testTarget(name: "HandlersTests", dependencies: ["Handlers", "MessageLog", "Config", "IPC", "JSON", "MailAuth", "Milter", "TestSupport", "BlockerRules", "Metrics"], path: "Tests/HandlersTests"),
        .testTarget(name: "DMARCReportsTests", dependencies: ["DMARCReports", "Config", "JSON", "MailAuth", "TestSupport"], path: "Tests/DMARCReportsTests"),
        .testTarget(name: "ProcessTests", dependencies: ["Config", "IPC", "JSON", "MasterSupport", "Milter", "MilterClient", "CShim", "MailAuth", "DMARCReports", "TestSupport"], path: "Tests/ProcessTests"),
    ],
    swiftLanguageModes: [.v6]
)
