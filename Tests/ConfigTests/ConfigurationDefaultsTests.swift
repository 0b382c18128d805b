import Testing

@testable import Config
@testable import JSON

/// A configuration with only `connection` gets the Perl milter's run-time
/// defaults for everything else.
@Suite struct ConfigurationDefaultsTests {
    @Test func everyDefault() throws {
        let (c, warnings) = try loadGlobal("")
        #expect(warnings.isEmpty)
        #expect(c.connection == .inet(port: 12345, host: "localhost"))
        #expect(!c.debug && !c.dryrun && !c.logtoerr)
        #expect(c.errorLog == nil && c.extendedLog == nil && c.legacyLog == nil)
        #expect(c.errorsTo == nil && c.errorsFrom == nil && c.errorsHeaders.isEmpty && c.logDispatchouli == nil)
        #expect(c.umask == nil && c.connections.isEmpty)
        #expect(c.runas == nil && c.rungroup == nil && c.chroot == nil)
        #expect(c.listenBacklog == 20)
        #expect(c.minChildren == 20)
        #expect(c.maxChildren == 100)
        #expect(c.minSpareChildren == 10)
        #expect(c.maxSpareChildren == 20)
        #expect(c.maxRequestsPerChild == 200)
        #expect(c.connectionQueueSize == 100 && c.connectionQueueTimeout == 1)
        #expect(c.metricConnection == nil && c.metricUmask == nil && c.metricTempfile == nil)
        #expect(c.metricTimeout == 5)
        #expect(!c.metricBasicHTTP && c.metricPort == nil && c.metricHost == nil && c.legacyMetricConnection == nil)
        #expect(c.cacheDir == nil && c.spoolDir == nil && c.libDir == nil && c.lockFile == nil)
        #expect(c.serverProtocol == .milter)
        #expect(!c.milterQuarantine && !c.patchNetServer)
        #expect(c.smtp == SMTPConfiguration())
        #expect(c.smtp.defaults.serverName == "server.example.com")
        #expect(c.smtp.defaults.timeoutIn == 60 && c.smtp.defaults.timeoutOut == 60)
        #expect(c.smtp.defaults.queueType == .after && c.smtp.defaults.chunkLimit == 1_048_576)
        #expect(c.smtp.defaults.sockType == nil && c.smtp.defaults.pipelineLimit == nil && c.smtp.defaults.tempDir == nil)
        #expect(c.connectTimeout == nil && c.commandTimeout == nil && c.contentTimeout == nil)
        #expect(c.dequeueTimeout == nil && c.addheaderTimeout == nil)
        #expect(c.checkForDequeue == 60)
        #expect(c.dnsResolvers.isEmpty && c.dnsTimeout == 8 && c.dnsRetry == 2 && c.dnsServfailTimeout == 1_000_000)
        #expect(c.authservID == nil && !c.hideNone)
        #expect(c.headerIndentStyle == .entry && c.headerIndentBy == 4 && c.headerFoldAt == nil)
        #expect(!c.tempfailOnError && !c.tempfailOnErrorAuthenticated && !c.tempfailOnErrorLocal && !c.tempfailOnErrorTrusted)
        #expect(c.ipMap.isEmpty && c.externalCallbackProcessor == nil && c.handlers.isEmpty)
        #expect(c == Configuration(connection: .inet(port: 12345, host: "localhost")))
        #expect(c.listeners == [ListenerConfiguration(name: "default", connection: c.connection)])
    }

    @Test func zeroMeansTheDefaultWherePerlUsesOr() throws {
        let (c, _) = try loadGlobal("""
            "listen_backlog": 0, "min_children": 0, "max_children": "0", "min_spare_children": 0,
            "max_spare_children": 0, "max_requests_per_child": 0, "dns_timeout": 0, "dns_retry": 0,
            "metric_timeout": 0, "protocol": "", "connect_timeout": 0, "authserv_id": "", "error_log": ""
            """)
        #expect(c == Configuration(connection: .inet(port: 12345, host: "localhost")))
    }

    @Test func defaultConfigLoadsWithoutWarnings() throws {
        let document = Configuration.defaultConfigJSON(handlers: [("ReturnOK", [:]), ("AddID", [:])])
        #expect(document.objectValue?.keys == (Configuration.defaultGlobalJSON.objectValue!.keys + ["handlers"]))
        #expect(document["handlers"]?.objectValue?.keys == ["AddID", "ReturnOK"])
        let keys = Configuration.defaultGlobalJSON.objectValue!.keys
        #expect(keys == keys.sorted())
        #expect(keys.allSatisfy { Configuration.knownKeys.contains($0) })
        let fixture = try ConfigFixture(main: JSONSerializer.string(document, style: .pretty(indent: 4)))
        let (c, warnings) = try fixture.load()
        #expect(warnings.isEmpty)
        #expect(c.tempfailOnError && c.maxChildren == 200 && c.dnsTimeout == 10 && c.connectTimeout == 30)
        #expect(c.umask == 0 && c.runas == "nobody" && c.authservID == nil)
        #expect(c.enabledHandlers.map(\.name) == ["AddID", "ReturnOK"])
    }

    @Test func fallbackDirectoriesFollowPerl() {
        #expect(Configuration.safeIdent("authentication_milter") == "authentication_milter")
        #expect(Configuration.safeIdent("Mx-1.example") == "_x_1_example")
        #expect(Configuration.fallbackDirectory(.spool, ident: "authentication_milter", effectiveUID: 0, systemDirectoryUsable: true)
            == "/var/spool/authentication_milter/authentication_milter")
        #expect(Configuration.fallbackDirectory(.cache, ident: "am", effectiveUID: 0, systemDirectoryUsable: false)
            == "/tmp/authentication_milter_cache_0_am")
        #expect(Configuration.fallbackDirectory(.lib, ident: "am", effectiveUID: 1000, systemDirectoryUsable: true)
            == "/tmp/authentication_milter_lib_1000_am")
    }
}
