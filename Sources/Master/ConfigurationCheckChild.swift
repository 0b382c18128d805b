#if canImport(Glibc)
import Glibc
#endif
import Config
import IPC
import JSON
import MailAuth
import SystemIO

/// Builds the handlers of a configuration in a child, not in the root
/// master (as OpenSMTPD keeps its parent to parsing and forwarding): the
/// master parses and checks names and paths; `authmilter-worker
/// --check-configuration` loads keys, test-signs and reads lists, exactly
/// as a worker does before its jail, and answers with one verdict. A child
/// that crashes, hangs past `timeoutSeconds` or answers nonsense refuses
/// the configuration; the master's memory never holds a private key.
enum ConfigurationCheckChild {
    static func run(_ configuration: Configuration, binaryDirectory: String, timeoutSeconds: Double = 60) throws(MasterError) {
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(path: binaryDirectory + "/authmilter-worker", arguments: [ConfigurationCheckToMaster.commandLineFlag])
        } catch {
            throw MasterError.refused("cannot start the configuration check: \(error)")
        }
        let channel = IPCChannel(fd: process.channel, receiving: ConfigurationCheckToMaster.self)
        defer {
            // The child has answered or is killed: reap it, and keep what it
            // logged (its stderr is a pipe) for the refusal.
            kill(process.pid, SIGKILL)
            var status: Int32 = 0
            _ = try? SystemCall.retryingOnInterrupt("waitpid") { waitpid(process.pid, &status, 0) }
            close(process.logPipe)
        }
        let sent = channel.send(MasterToWorker.configuration, payload: configuration.serialized(), timeoutSeconds: timeoutSeconds)
        let answer = sent ? channel.receive(ConfigurationCheckToMaster.self, timeoutMilliseconds: Int32(timeoutSeconds * 1000)) : nil
        guard let answer, let verdict = ConfigurationCheckVerdict(encoded: answer.payload) else {
            let log = ConfigurationCheckChild.drain(process.logPipe)
            throw MasterError.refused("the configuration check gave no verdict within \(Int(timeoutSeconds)) s"
                + (log.isEmpty ? "" : ": " + log))
        }
        if case .refused(let text, let keyPath, let message) = verdict {
            if let keyPath, let message, let located = locate(keyPath: keyPath, message: message, in: configuration) {
                throw MasterError.refused(located.description)
            }
            throw MasterError.refused(text)
        }
    }

    /// The child's error about `handlers.<Name>...` anchored in the file
    /// and position the master loaded that handler's block from.
    static func locate(keyPath: String, message: String, in configuration: Configuration) -> ConfigurationError? {
        for entry in configuration.enabledHandlers {
            let prefix = entry.node.path.description
            guard keyPath.hasPrefix(prefix) else { continue }
            let rest = keyPath.dropFirst(prefix.count)
            guard rest.isEmpty || rest.hasPrefix(".") || rest.hasPrefix("["),
                  let relative = JSONPath(parsing: String(rest)) else { continue }
            let position = entry.node.origin.sourceMap?.position(of: entry.node.sourcePath.appending(relative)) ?? entry.node.position
            return ConfigurationError(.handlerRefused, file: entry.node.origin.file, position: position, keyPath: keyPath,
                                      message: message)
        }
        return nil
    }

    /// What the child wrote to its stderr so far (at most 4 KiB), without
    /// blocking, control characters escaped.
    static func drain(_ fd: Int32) -> String {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 4096, let n = try? SystemCall.readSome(fd: fd, into: &chunk), n > 0 {
            bytes += chunk[0..<n]
        }
        while let last = bytes.last, last == 0x0a || last == 0x0d || last == 0x20 { bytes.removeLast() }
        return ControlCharacters.escaped(String(decoding: bytes, as: UTF8.self))
    }
}
