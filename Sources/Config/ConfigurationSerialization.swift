/// The effective configuration as JSON (Perl key names, every value the
/// daemon will use), and back. The master sends this to each child over its
/// socketpair so children never read files; it is also what a "show me the
/// configuration in use" feature prints.
import JSON

extension Configuration {
    /// Label used in errors about a serialized configuration.
    static let serializedOrigin = "<configuration from master>"

    public func jsonValue() -> JSONValue {
        var o = JSONObject()
        o["debug"] = .bool(debug)
        o["dryrun"] = .bool(dryrun)
        o["logtoerr"] = .bool(logtoerr)
        if let errorLog { o["error_log"] = .string(errorLog) }
        if let extendedLog { o["extended_log"] = .bool(extendedLog) }
        if let legacyLog { o["legacy_log"] = .bool(legacyLog) }
        if let errorsTo { o["errors_to"] = .string(errorsTo) }
        if let errorsFrom { o["errors_from"] = .string(errorsFrom) }
        o["errors_smtp"] = .string(errorsSMTP)
        o["errors_interval"] = .integer(errorsInterval)
        if !errorsHeaders.isEmpty {
            o["errors_headers"] = .object(JSONObject(errorsHeaders.map { ($0.name, .string($0.value)) }))
        }
        if let logDispatchouli { o["log_dispatchouli"] = .object(logDispatchouli) }

        o["connection"] = .string(connection.description)
        if let umask { o["umask"] = .string(ConfigUmask.format(umask)) }
        if let socketGroup { o["socket_group"] = .string(socketGroup) }
        if !connections.isEmpty {
            var listeners = JSONObject()
            for listener in connections {
                var entry = JSONObject()
                entry["connection"] = .string(listener.connection.description)
                if let umask = listener.umask { entry["umask"] = .string(ConfigUmask.format(umask)) }
                if let group = listener.socketGroup { entry["socket_group"] = .string(group) }
                listeners[listener.name] = .object(entry)
            }
            o["connections"] = .object(listeners)
        }
        if let runas { o["runas"] = .string(runas) }
        if let rungroup { o["rungroup"] = .string(rungroup) }
        if let chroot { o["chroot"] = .string(chroot) }
        o["listen_backlog"] = .integer(listenBacklog)
        o["min_children"] = .integer(minChildren)
        o["max_children"] = .integer(maxChildren)
        o["min_spare_children"] = .integer(minSpareChildren)
        o["max_spare_children"] = .integer(maxSpareChildren)
        o["max_requests_per_child"] = .integer(maxRequestsPerChild)
        o["connection_queue_size"] = .integer(connectionQueueSize)
        o["connection_queue_timeout"] = .double(connectionQueueTimeout)

        if let metricConnection { o["metric_connection"] = .string(metricConnection.description) }
        if let metricUmask { o["metric_umask"] = .string(ConfigUmask.format(metricUmask)) }
        o["metric_timeout"] = .double(metricTimeout)
        if let metricTempfile { o["metric_tempfile"] = .string(metricTempfile) }
        o["metric_basic_http"] = .bool(metricBasicHTTP)
        if let metricPort { o["metric_port"] = .integer(metricPort) }
        if let metricHost { o["metric_host"] = .string(metricHost) }

        if let cacheDir { o["cache_dir"] = .string(cacheDir) }
        if let spoolDir { o["spool_dir"] = .string(spoolDir) }
        if let libDir { o["lib_dir"] = .string(libDir) }
        if let lockFile { o["lock_file"] = .string(lockFile) }

        o["protocol"] = .string(serverProtocol.rawValue)
        o["milter_quarantine"] = .bool(milterQuarantine)
        o["patch_net_server"] = .bool(patchNetServer)
        o["smtp"] = smtp.jsonValue()

        if let connectTimeout { o["connect_timeout"] = .double(connectTimeout) }
        if let commandTimeout { o["command_timeout"] = .double(commandTimeout) }
        if let contentTimeout { o["content_timeout"] = .double(contentTimeout) }
        if let dequeueTimeout { o["dequeue_timeout"] = .double(dequeueTimeout) }
        if let addheaderTimeout { o["addheader_timeout"] = .double(addheaderTimeout) }
        o["check_for_dequeue"] = .integer(checkForDequeue)
        o["max_dequeue"] = .integer(maxDequeue)

        if !dnsResolvers.isEmpty { o["dns_resolvers"] = .array(dnsResolvers.map { .string($0) }) }
        o["dns_timeout"] = .double(dnsTimeout)
        o["dns_retry"] = .integer(dnsRetry)
        o["dns_servfail_timeout"] = .integer(dnsServfailTimeout)
        o["cache_dns_timeouts"] = .bool(cacheDNSTimeouts)

        if let authservID { o["authserv_id"] = .string(authservID) }
        o["hide_none"] = .bool(hideNone)
        o["header_indent_style"] = .string(headerIndentStyle.rawValue)
        o["header_indent_by"] = .integer(headerIndentBy)
        if let headerFoldAt { o["header_fold_at"] = .integer(headerFoldAt) }

        o["tempfail_on_error"] = .bool(tempfailOnError)
        o["tempfail_on_error_authenticated"] = .bool(tempfailOnErrorAuthenticated)
        o["tempfail_on_error_local"] = .bool(tempfailOnErrorLocal)
        o["tempfail_on_error_trusted"] = .bool(tempfailOnErrorTrusted)

        if !ipMap.isEmpty { o["ip_map"] = .object(JSONObject(ipMap.map { ($0.key, $0.jsonValue()) })) }
        if let externalCallbackProcessor { o["external_callback_processor"] = .string(externalCallbackProcessor) }

        o["handlers"] = .object(JSONObject(handlers.map { ($0.configurationKey, $0.config) }))
        return .object(o)
    }

    /// Compact JSON of `jsonValue()`, for the socketpair to a child.
    public func serialized() -> [UInt8] {
        JSONSerializer.serialize(jsonValue())
    }

    /// Reads what `serialized()` wrote. Strict JSON: this text is ours, so
    /// anything unusual in it is a fault, not an operator's style.
    public init(fromSerialized bytes: [UInt8]) throws(ConfigurationError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, options: .strict)
        } catch {
            throw ConfigurationError(.syntax, file: Configuration.serializedOrigin, message: error.description)
        }
        try self.init(fromJSON: value)
    }

    /// Builds a configuration from an already parsed configuration object
    /// with no `authentication_milter.d` merging; warnings are dropped.
    public init(fromJSON value: JSONValue) throws(ConfigurationError) {
        let root = ConfigNode(value: value, origin: ConfigOrigin(file: Configuration.serializedOrigin))
        var warnings: [String] = []
        let entries = try root.object("handlers")?.members ?? []
        let handlers = try ConfigurationLoader.resolveHandlers(entries, warnings: &warnings)
        try self.init(decoding: root, handlers: handlers, warnings: &warnings)
    }
}
