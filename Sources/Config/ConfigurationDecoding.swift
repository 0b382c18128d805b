import JSON
import MailAuth

/// Reading the global keys of a configuration object into `Configuration`,
/// checking types, ranges and relations between keys.
extension Configuration {
    /// Every global key the Perl milter reads (including a few newer or
    /// undocumented ones), so anything else can be warned about.
    public static let knownKeys: Set<String> = [
        "debug", "dryrun", "logtoerr", "error_log", "extended_log", "legacy_log", "errors_to", "errors_from",
        "errors_headers", "log_dispatchouli", "connection", "umask", "socket_group", "connections", "runas", "rungroup", "chroot",
        "listen_backlog", "min_children", "max_children", "min_spare_children", "max_spare_children",
        "max_requests_per_child", "connection_queue_size", "connection_queue_timeout", "metric_connection", "metric_umask", "metric_timeout", "metric_tempfile",
        "metric_basic_http", "metric_port", "metric_host", "cache_dir", "spool_dir", "lib_dir", "lock_file",
        "protocol", "milter_quarantine", "patch_net_server", "smtp", "connect_timeout", "command_timeout",
        "content_timeout", "dequeue_timeout", "addheader_timeout", "check_for_dequeue", "dns_resolvers",
        "dns_timeout", "dns_retry", "dns_servfail_timeout", "authserv_id", "hide_none", "header_indent_style",
        "header_fold_at", "header_indent_by", "tempfail_on_error", "tempfail_on_error_authenticated",
        "tempfail_on_error_local", "tempfail_on_error_trusted", "ip_map", "external_callback_processor",
        "handlers", "cache_dns_timeouts", "max_dequeue", "errors_smtp", "errors_interval",
    ]

    static func connectionSpec(_ node: ConfigNode) throws(ConfigurationError) -> ConnectionSpec {
        let text = try node.stringValue()
        do {
            return try ConnectionSpec(parsing: text)
        } catch {
            throw node.error(error.code, error.message)
        }
    }

    /// Decodes the global keys of `root` (the handlers are resolved by the
    /// loader and passed in).
    init(decoding root: ConfigNode, handlers: [HandlerConfiguration], warnings: inout [String]) throws(ConfigurationError) {
        _ = try root.requireObject()
        warnings += root.unknownKeyWarnings(known: Configuration.knownKeys)

        guard let connectionNode = root.child("connection"), !connectionNode.isNull,
            !(connectionNode.value.stringValue?.isEmpty ?? false)
        else {
            throw ConfigurationError(.invalidValue, file: root.origin.file, keyPath: "connection",
                                     message: "missing: the socket to listen on, e.g. \"inet:12345@localhost\" or \"unix:/run/authentication_milter.sock\"")
        }
        self.init(connection: try Configuration.connectionSpec(connectionNode))
        self.handlers = handlers

        try decodeLogging(root)
        try decodeProcesses(root, warnings: &warnings)
        try decodeMetrics(root, warnings: &warnings)
        try decodeProtocol(root, warnings: &warnings)
        try decodeTimeoutsAndDNS(root)
        try decodeHeaderAndPolicy(root)
        if let ipMapNode = try root.object("ip_map") {
            ipMap = try IPMapEntry.decodeAll(ipMapNode, warnings: &warnings)
        }
        if let processor = try root.nonEmptyString("external_callback_processor") {
            externalCallbackProcessor = processor
            warnings.append(root.child("external_callback_processor")!.warning(
                "external callback processors are Perl modules and are not supported; \(JSONSerializer.quoted(processor)) is ignored"))
        }
    }

    private mutating func decodeLogging(_ root: ConfigNode) throws(ConfigurationError) {
        debug = try root.bool("debug") ?? false
        dryrun = try root.bool("dryrun") ?? false
        logtoerr = try root.bool("logtoerr") ?? false
        errorLog = try root.nonEmptyString("error_log")
        extendedLog = try root.bool("extended_log")
        legacyLog = try root.bool("legacy_log")
        errorsTo = try root.nonEmptyString("errors_to")
        errorsFrom = try root.nonEmptyString("errors_from")
        errorsSMTP = try root.nonEmptyString("errors_smtp") ?? errorsSMTP
        errorsInterval = try root.integer("errors_interval", in: 0...86400) ?? errorsInterval
        if let headers = try root.object("errors_headers") {
            for (name, node) in headers.members where !node.isNull {
                errorsHeaders.append(ErrorEmailHeader(name: name, value: try node.stringValue()))
            }
        }
        if let dispatchouli = try root.object("log_dispatchouli") {
            logDispatchouli = dispatchouli.value.objectValue
        }
    }

    private mutating func decodeProcesses(_ root: ConfigNode, warnings: inout [String]) throws(ConfigurationError) {
        if let umaskNode = root.child("umask") { umask = try ConfigUmask.parse(umaskNode) }
        socketGroup = try root.nonEmptyString("socket_group")
        if socketGroup != nil, case .unix = connection {} else if socketGroup != nil {
            warnings.append(warning(root, "socket_group", "applies to a unix connection only; ignored"))
        }
        if let connectionsNode = try root.object("connections") {
            var seen: [ConnectionSpec: String] = [connection: "connection"]
            for (name, node) in connectionsNode.members {
                if name == "default" {
                    // The Perl milter stores `connection` under this name,
                    // replacing whatever was there.
                    warnings.append(node.warning("replaced by the main \"connection\", as in the Perl milter; use another name"))
                    continue
                }
                let listener = try ListenerConfiguration.decode(name: name, node: node, warnings: &warnings)
                if let other = seen[listener.connection] {
                    throw node.child("connection")!.error("\(listener.connection) is already used by \(other)")
                }
                seen[listener.connection] = "connections.\(name)"
                connections.append(listener)
            }
        }
        runas = try root.nonEmptyString("runas")
        rungroup = try root.nonEmptyString("rungroup")
        if (runas == nil) != (rungroup == nil) {
            let key = runas != nil ? "runas" : "rungroup"
            warnings.append(root.child(key)!.warning(
                runas != nil
                    ? "runas without rungroup: the children run as \(runas!) with that account's primary group (the Perl milter drops no privileges with only one of the two)"
                    : "rungroup without runas: ignored; the children run as the default account (the Perl milter drops no privileges with only one of the two)"))
        }
        chroot = try root.nonEmptyString("chroot")

        // `$config->{x} || default` in Perl: 0 also means the default.
        func count(_ key: String, _ fallback: Int) throws(ConfigurationError) -> Int {
            let value = try root.integer(key, in: 0...1_000_000) ?? 0
            return value == 0 ? fallback : value
        }
        listenBacklog = try count("listen_backlog", 20)
        minChildren = try count("min_children", 20)
        maxChildren = try count("max_children", 100)
        minSpareChildren = try count("min_spare_children", 10)
        maxSpareChildren = try count("max_spare_children", 20)
        maxRequestsPerChild = try count("max_requests_per_child", 200)
        // Our keys, so 0 means 0 here (no waiting), not the default. The
        // timeout stays under Postfix's milter_command_timeout (30 s), or
        // the MTA would give up before the master answers.
        connectionQueueSize = try root.integer("connection_queue_size", in: 0...10_000) ?? 100
        connectionQueueTimeout = try root.number("connection_queue_timeout", in: 0...25) ?? 1
        if minChildren > maxChildren {
            throw relationError(root, ["min_children", "max_children"], "min_children (\(minChildren)) is greater than max_children (\(maxChildren))")
        }
        if minSpareChildren > maxSpareChildren {
            throw relationError(root, ["min_spare_children", "max_spare_children"],
                                "min_spare_children (\(minSpareChildren)) is greater than max_spare_children (\(maxSpareChildren))")
        }
        if minSpareChildren > maxChildren {
            warnings.append(warning(root, "min_spare_children",
                                    "min_spare_children (\(minSpareChildren)) is greater than max_children (\(maxChildren)); the pool can never keep that many spare"))
        }

        cacheDir = try root.nonEmptyString("cache_dir")
        spoolDir = try root.nonEmptyString("spool_dir")
        libDir = try root.nonEmptyString("lib_dir")
        lockFile = try root.nonEmptyString("lock_file")
    }

    private mutating func decodeMetrics(_ root: ConfigNode, warnings: inout [String]) throws(ConfigurationError) {
        if let node = root.child("metric_connection"), !node.isNull {
            metricConnection = try Configuration.connectionSpec(node)
            if let clash = listeners.first(where: { $0.connection == metricConnection }) {
                throw node.error("\(metricConnection!) is also a mail socket (\(clash.name))")
            }
        }
        if let node = root.child("metric_umask") { metricUmask = try ConfigUmask.parse(node) }
        if let timeout = try root.number("metric_timeout", in: 0...3600), timeout > 0 { metricTimeout = timeout }
        metricTempfile = try root.nonEmptyString("metric_tempfile")
        metricBasicHTTP = try root.bool("metric_basic_http") ?? false
        metricPort = try root.integer("metric_port", in: 1...65535)
        metricHost = try root.nonEmptyString("metric_host")
        if metricPort != nil || metricHost != nil {
            let key = metricPort != nil ? "metric_port" : "metric_host"
            if metricConnection != nil {
                warnings.append(warning(root, key, "ignored because metric_connection is set"))
            } else if metricPort != nil {
                warnings.append(warning(root, key, "metric_port and metric_host are deprecated; use metric_connection"))
            }
        }
    }

    private mutating func decodeProtocol(_ root: ConfigNode, warnings: inout [String]) throws(ConfigurationError) {
        if let node = root.child("protocol"), !node.isNull {
            let text = try node.stringValue()
            // `|| 'milter'`: an empty value is the default.
            if !text.isEmpty {
                guard let value = ServerProtocol(rawValue: text) else {
                    throw node.error("unknown protocol \(JSONSerializer.quoted(text)), expected \"milter\" or \"smtp\"")
                }
                serverProtocol = value
            }
        }
        milterQuarantine = try root.bool("milter_quarantine") ?? false
        patchNetServer = try root.bool("patch_net_server") ?? false
        if let smtpNode = try root.object("smtp") {
            smtp = try SMTPConfiguration.decode(smtpNode, warnings: &warnings)
            for key in smtp.perSocket.keys.sorted() where !listeners.contains(where: { $0.connection.smtpOverrideKey == key }) {
                warnings.append(warning(root, "smtp", "the block for \(key) matches no listening socket"))
            }
        }
        if serverProtocol == .smtp && smtp.defaults.sockType == nil && smtp.perSocket.isEmpty {
            warnings.append(ConfigurationError.format(file: root.origin.file, position: root.child("smtp")?.position ?? root.child("protocol")?.position,
                                                      keyPath: "smtp.sock_type",
                                                      message: "protocol is \"smtp\" but no upstream is configured; every message will be refused"))
        }
        if serverProtocol == .smtp {
            let enabled = Set(enabledHandlers.map(\.name))
            if enabled.contains("Auth") {
                warnings.append(warning(root, "protocol", "the Auth handler works with the milter protocol only (it reads the MTA's {auth_authen} macro); in SMTP mode no client is seen as authenticated"))
            }
            if enabled.contains("TLS") {
                warnings.append(warning(root, "protocol", "in SMTP mode the TLS handler reads the TLS facts from the first Received header: the MTA in front must write them (Postfix: smtpd_tls_received_header = yes)"))
            }
        }
    }

    private mutating func decodeTimeoutsAndDNS(_ root: ConfigNode) throws(ConfigurationError) {
        // `if ( $config->{x_timeout} )`: absent or 0 means no timeout.
        func timeout(_ key: String) throws(ConfigurationError) -> Double? {
            guard let seconds = try root.number(key, in: 0...86400), seconds > 0 else { return nil }
            return seconds
        }
        connectTimeout = try timeout("connect_timeout")
        commandTimeout = try timeout("command_timeout")
        contentTimeout = try timeout("content_timeout")
        dequeueTimeout = try timeout("dequeue_timeout")
        addheaderTimeout = try timeout("addheader_timeout")
        checkForDequeue = try root.integer("check_for_dequeue", in: 0...86400 * 7) ?? 60
        maxDequeue = try root.integer("max_dequeue", in: 0...10_000) ?? 5

        if let resolversNode = root.child("dns_resolvers"), !resolversNode.isNull {
            let resolvers = try resolversNode.stringArrayValue()
            // Checked here with the DNS helper's own parser: a resolver it
            // would refuse must stop start-up (or a reload) with its
            // position, not leave a helper exiting and restarting for ever
            // while mail is accepted with DNS failing.
            for (i, resolver) in resolvers.enumerated() {
                if resolver.isEmpty { throw resolversNode.elements[i].error("empty resolver address") }
                guard DNSServerAddress(resolver) != nil else {
                    throw resolversNode.elements[i].error(
                        "'\(resolver)' is not an IP address (forms: 192.0.2.1, 192.0.2.1:5353, 2001:db8::1, [2001:db8::1]:5353)")
                }
            }
            dnsResolvers = resolvers
        }
        if let seconds = try root.number("dns_timeout", in: 0...3600), seconds > 0 { dnsTimeout = seconds }
        if let retry = try root.integer("dns_retry", in: 0...100), retry > 0 { dnsRetry = retry }
        dnsServfailTimeout = try root.integer("dns_servfail_timeout", in: 0...Int(Int32.max)) ?? 1_000_000
        cacheDNSTimeouts = try root.bool("cache_dns_timeouts") ?? true
    }

    private mutating func decodeHeaderAndPolicy(_ root: ConfigNode) throws(ConfigurationError) {
        authservID = try root.nonEmptyString("authserv_id")
        hideNone = try root.bool("hide_none") ?? false
        if let node = root.child("header_indent_style"), !node.isNull {
            let text = try node.stringValue()
            guard let style = HeaderIndentStyle(rawValue: text) else {
                throw node.error("expected one of \"none\", \"entry\", \"subentry\" or \"full\", got \(node.value.typeDescription)")
            }
            headerIndentStyle = style
        }
        headerIndentBy = try root.integer("header_indent_by", in: 0...64) ?? 4
        headerFoldAt = try root.integer("header_fold_at", in: 0...998)
        tempfailOnError = try root.bool("tempfail_on_error") ?? false
        tempfailOnErrorAuthenticated = try root.bool("tempfail_on_error_authenticated") ?? false
        tempfailOnErrorLocal = try root.bool("tempfail_on_error_local") ?? false
        tempfailOnErrorTrusted = try root.bool("tempfail_on_error_trusted") ?? false
    }

    /// Names the first of `keys` the file actually sets (the other may be
    /// a default), so the position points at something the operator wrote.
    private func relationError(_ root: ConfigNode, _ keys: [String], _ message: String) -> ConfigurationError {
        let key = keys.first { root.child($0) != nil } ?? keys[0]
        return ConfigurationError(.invalidValue, file: root.origin.file, position: root.child(key)?.position, keyPath: key,
                                  message: message)
    }

    private func warning(_ root: ConfigNode, _ key: String, _ message: String) -> String {
        ConfigurationError.format(file: root.origin.file, position: root.child(key)?.position, keyPath: key, message: message)
    }
}
