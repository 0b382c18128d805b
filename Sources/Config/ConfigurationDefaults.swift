/// The example configuration printed by `-h default_config`.
import JSON

extension Configuration {
    /// The global part of the Perl milter's `default_config`
    /// (Mail::Milter::Authentication::Config), keys in byte order as Perl's
    /// canonical JSON writes them. It is an example for operators, not the
    /// run-time defaults: e.g. it turns `tempfail_on_error` on and sets
    /// timeouts that are off when the keys are absent.
    public static let defaultGlobalJSON: JSONValue = [
        "addheader_timeout": 30,
        "authserv_id": "",
        "cache_dir": "/var/cache/authentication_milter",
        "check_for_dequeue": 60,
        "command_timeout": 30,
        "connect_timeout": 30,
        "connection": "inet:12345@localhost",
        "content_timeout": 300,
        "debug": 0,
        "dequeue_timeout": 300,
        "dns_retry": 2,
        "dns_timeout": 10,
        "dryrun": 0,
        "error_log": "/var/log/authentication_milter.err",
        "extended_log": 1,
        "ip_map": [:],
        "legacy_log": 0,
        "lib_dir": "/var/lib/authentication_milter",
        "listen_backlog": 20,
        "logtoerr": 0,
        "max_children": 200,
        "max_requests_per_child": 200,
        "max_spare_children": 20,
        "milter_quarantine": "0",
        "min_children": 20,
        "min_spare_children": 10,
        "protocol": "milter",
        "runas": "nobody",
        "rungroup": "nogroup",
        // Used with "protocol": "smtp" (Perl's default_config has no such
        // block; its manual documents it): where to relay and how patient
        // to be. max_message_size is ours.
        "smtp": [
            "server_name": "server.example.com",
            "sock_type": "inet",
            "sock_host": "127.0.0.1",
            "sock_port": 10026,
            "timeout_in": 60,
            "timeout_out": 60,
            "pipeline_limit": 50,
            "queue_type": "after",
            "temp_dir": "/tmp",
            "chunk_limit": 1048576,
            "max_message_size": 67108864,
        ],
        "spool_dir": "/var/spool/authentication_milter",
        "tempfail_on_error": "1",
        "tempfail_on_error_authenticated": "0",
        "tempfail_on_error_local": "0",
        "tempfail_on_error_trusted": "0",
        "umask": "0000",
    ]

    /// The whole `-h default_config` document: the global part plus
    /// `handlers`, one entry per installed handler with its own defaults.
    public static func defaultConfigJSON(handlers: [(name: String, config: JSONValue)]) -> JSONValue {
        var object = defaultGlobalJSON.objectValue ?? JSONObject()
        var handlerObject = JSONObject()
        for handler in handlers { handlerObject[handler.name] = handler.config }
        object["handlers"] = .object(handlerObject.sortedByKey())
        return .object(object)
    }
}
