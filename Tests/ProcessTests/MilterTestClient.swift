#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter

/// A blocking milter client for the process tests: speaks to the daemon
/// like an MTA does, one command at a time.
final class MilterTestClient {
    let fd: Int32
    var decoder = MilterResponseDecoder()

    init?(port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { close(fd); return nil }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func sendRaw(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    func send(_ command: MilterCommand) { sendRaw(command.encoded()) }

    /// Reads replies until a final one (not a header change); nil when the
    /// daemon closed the connection or went silent.
    func replies() -> [MilterResponse]? {
        var collected: [MilterResponse] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            while let response = try? decoder.next() {
                collected.append(response)
                switch response {
                case .addHeader, .insertHeader, .changeHeader, .quarantine, .progress: continue
                default: return collected
                }
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            decoder.append(buffer[0..<n])
        }
    }

    /// Ends the conversation as a vanished MTA would (the socket stays
    /// open until the client goes, so reads see the end).
    func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// True when the daemon closed the connection (read returns 0/error).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    /// The MTA's first packet, as Postfix sends it.
    func sendOptionNegotiation() {
        send(.optionNegotiation(version: 6, actions: .all, steps: MilterProtocolSteps(rawValue: 0x1fffff)))
    }

    /// Option negotiation answered: a worker holds this connection.
    func negotiate() -> Bool {
        sendOptionNegotiation()
        return replies() != nil
    }

    /// A whole message; returns the replies to end-of-message.
    func deliver(hostname: String = "client.example.org", address: String = "192.0.2.1", from: String = "<sender@example.com>",
                 headers: [(String, String)] = [("From", "sender@example.com"), ("Subject", "test")]) -> [MilterResponse]? {
        guard negotiate() else { return nil }
        return deliverAfterNegotiation(hostname: hostname, address: address, from: from, headers: headers)
    }

    /// The rest of a message once negotiation is answered.
    func deliverAfterNegotiation(hostname: String = "client.example.org", address: String = "192.0.2.1", from: String = "<sender@example.com>",
                                 headers: [(String, String)] = [("From", "sender@example.com"), ("Subject", "test")]) -> [MilterResponse]? {
        send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "mx.test.example")]))
        send(.connect(hostname: hostname, family: .inet, port: 25, address: address))
        guard replies() != nil else { return nil }
        send(.helo("client.example.org")); guard replies() != nil else { return nil }
        send(.mailFrom([from])); guard replies() != nil else { return nil }
        send(.rcptTo(["<rcpt@test.example>"])); guard replies() != nil else { return nil }
        send(.data); guard replies() != nil else { return nil }
        for (name, value) in headers {
            send(.header(name: name, value: value)); guard replies() != nil else { return nil }
        }
        send(.endOfHeaders); guard replies() != nil else { return nil }
        send(.body(Array("hello\r\n".utf8))); guard replies() != nil else { return nil }
        send(.endOfMessage([]))
        return replies()
    }
}
