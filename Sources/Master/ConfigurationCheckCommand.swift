#if canImport(Glibc)
import Glibc
#endif
import MasterSupport
import SystemIO

/// `-c check` (issue 14 item 5): everything a start checks before it
/// serves, then exit 0 or 1, for an operator before a reload and for a
/// service manager's pre-start step. The files are read and checked
/// (file:line:column on a bad key), the handlers built in a child as a
/// worker builds them (keys loaded, lists read), `chroot` and the report
/// settings checked, and each inet listener bound and closed again. A port
/// already in use is not a failure (the running milter holds it; a reload
/// keeps its listeners); a unix socket's directory must exist. Nothing is
/// started, no pidfile or directory is touched.
enum ConfigurationCheckCommand {
    static func run(_ options: CommandLineOptions) -> Int32 {
        guard let configuration = MasterMain.loadConfiguration(options) else { return 1 }
        var notes: [String] = []
        for listener in configuration.listeners {
            switch listener.connection {
            case .unix(let path):
                let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
                var info = stat()
                guard stat(directory.isEmpty ? "/" : directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                    MasterMain.printError("authentication_milter: configuration refused: \(listener.name): \(path): the directory \(directory) does not exist")
                    return 1
                }
            case .inet, .inet6:
                do {
                    let socket = try ListenerSocket.bind(name: listener.name, connection: listener.connection, umask: nil, backlog: 1,
                                                         safePath: SafePath(trustedUID: geteuid()))
                    close(socket.fd)
                } catch where error.code == .addressInUse {
                    notes.append("\(listener.name) \(listener.connection.description) is in use (by the running milter?); not checked")
                } catch {
                    MasterMain.printError("authentication_milter: configuration refused: \(error)")
                    return 1
                }
            }
        }
        for note in notes { MasterMain.printError("note: \(note)") }
        let handlers = configuration.enabledHandlers.map(\.name).joined(separator: ", ")
        print("authentication_milter: configuration OK (\(options.prefix)/authentication_milter.json; handlers: \(handlers.isEmpty ? "none" : handlers))")
        return 0
    }
}
