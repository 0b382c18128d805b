#if canImport(Glibc)
import Glibc
#endif
import Config
import Handlers
import JSON

/// `-h`, `-h installed`, `-h default_config`, `-h <Module>`.
enum HelpOutput {
    static func out(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    }

    static func show(topic: String) -> Int32 {
        switch topic {
        case "":
            out(usage)
            return 0
        case "installed":
            out("Authentication Milter\n\n" + (["Installed handlers:"] + HandlerRegistry.installedNames).joined(separator: "\n    ") + "\n\n")
            return 0
        case "default_config":
            out(JSONSerializer.string(defaultConfiguration(), style: .perlPretty, sortKeys: true) + "\n")
            return 0
        default:
            let name = topic.filter { $0.isLetter || $0.isNumber }
            guard let handler = HandlerRegistry.find(name) else {
                MasterMain.printError("Could not find help for \(name)")
                return 2
            }
            out("NAME\n\n  Authentication-Milter - \(handler.helpText)\n\nDEFAULT CONFIGURATION\n\n  \(handler.defaultConfigJSON)\n")
            return 0
        }
    }

    /// The global defaults plus every installed handler's defaults.
    static func defaultConfiguration() -> JSONValue {
        Configuration.defaultConfigJSON(handlers: HandlerRegistry.installed.map { handler in
            (name: handler.name, config: (try? JSONParser.parse(handler.defaultConfigJSON)) ?? .object(JSONObject()))
        })
    }

    static let usage = """
        USAGE
          authentication_milter [-c|--control <command>] [-d|--daemon] [--pidfile <file>] [-h|--help] [--prefix <dir>] [-i|--ident <ident>]

        OPTIONS
          -c|--control <command>
            Control a running daemon process or start a new one.
              start|restart  Start a new daemon process, or restart an existing process.
              stop           Stop an already running daemon process.
              status         Show the status of a running daemon process.
              check          Check the configuration as a start would, then exit
                             0 (OK) or 1 (the reason is printed).
            Control implies --daemon, and takes account of --pidfile. If no valid
            data is found in the pidfile then control will search the process list
            for a master process. Use --ident to tell instances apart.

          -h|--help                  Show this help.
          -h|--help default_config   Output an example default configuration, including
                                     config for all installed handler modules.
          -h|--help installed        Show a list of installed handler modules.
          -h|--help <ModuleName>     Show help for a particular handler module.

          -d|--daemon                Detach from shell and run as a daemon.
          --pidfile <file>           Write the process PID to the given file.
                                     Defaults to /run/authentication_milter.pid
                                     (/run/authentication_milter_<ident>.pid with --ident).
          --prefix <dir>             Read configuration from dir rather than /etc/
          -i|--ident <ident>         A string identifier for use in process management
                                     and logging, for running several instances.

        CONFIGURATION
          The milter reads <prefix>/authentication_milter.json and
          <prefix>/authentication_milter.d/<Module>.json; see README.md.

        """
}
