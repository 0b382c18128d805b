#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import CTLS
import IPC
import MailAuth
import SystemIO

/// One HTTPS GET in progress, driven by the poll loop without ever
/// blocking: connect (SOCK_NONBLOCK) to each address in turn until one
/// takes, the TLS handshake (the server's certificate checked for the
/// URL's host), the request, the answer read into `BIMIHTTPResponse`
/// (bounded by the request's body limit). The outcome is the body of a
/// `200`; a redirect is refused (the helper has no resolver to follow it
/// with, and Mail::BIMI's limit of 3 buys nothing a record cannot say
/// directly), any other status is a failure.
final class FetchExchange {
    enum Phase { case connecting, handshaking, sending, receiving }

    let url: BIMIHTTPSURL
    let deadline: Double
    private let tls: TLSClientContext
    private var addresses: [SpamdAddress]
    private var current: SpamdAddress?
    private(set) var fd: Int32 = -1
    private var ssl: OpaquePointer?
    private var phase = Phase.connecting
    private(set) var pollEvents = Int16(POLLOUT)
    private let request: [UInt8]
    private var sent = 0
    private var response: BIMIHTTPResponse
    private var buffer = [UInt8](repeating: 0, count: 16384)
    private var lastFailure = "no address"

    init(url: BIMIHTTPSURL, addresses: [IPAddress], maximumBytes: Int, deadline: Double, tls: TLSClientContext) {
        self.url = url
        self.deadline = deadline
        self.tls = tls
        self.addresses = addresses.map { .inet($0.bytes, port: url.port) }
        response = BIMIHTTPResponse(maximumBodyBytes: maximumBytes)
        request = Array(("GET \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: authmilter-swift BIMI\r\n"
            + "Accept: */*\r\nConnection: close\r\n\r\n").utf8)
    }

    deinit { closeConnection() }

    /// Connects to the next address; the failure when none is left.
    func start() -> BIMIFetchOutcome? {
        closeConnection()
        while !addresses.isEmpty {
            let address = addresses.removeFirst()
            current = address
            guard case .inet(let bytes, _) = address else { continue }
            let fd = socket(bytes.count == 4 ? AF_INET : AF_INET6,
                            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return .failed("socket: \(SystemIOError.text(for: errno))") }
            let connected = address.withSockaddr { connect(fd, $0, $1) }
            if connected != 0 && errno != EINPROGRESS {
                lastFailure = "connect to \(address): \(SystemIOError.text(for: errno))"
                close(fd)
                continue
            }
            self.fd = fd
            phase = .connecting
            pollEvents = Int16(POLLOUT)
            if connected == 0 { return beginTLS() }
            return nil
        }
        return .failed(lastFailure)
    }

    /// Goes on after poll reported `revents`; the outcome once it is over.
    func handle(revents: Int16) -> BIMIFetchOutcome? {
        if phase == .connecting {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else {
                lastFailure = "connect to \(current.map { "\($0)" } ?? "?"): \(SystemIOError.text(for: error == 0 ? errno : error))"
                return start()
            }
            if revents & Int16(POLLOUT) == 0 { return nil }
            return beginTLS()
        }
        return drive()
    }

    func timedOut() -> BIMIFetchOutcome { .failed("no answer from \(url.host) in time") }

    private func beginTLS() -> BIMIFetchOutcome? {
        guard let ssl = tls.connection(fd: fd, host: url.host, isAddress: url.address != nil) else {
            return .failed("TLS setup failed for \(url.host)")
        }
        self.ssl = ssl
        phase = .handshaking
        return drive()
    }

    /// Runs the TLS steps until one would block or the answer is in.
    private func drive() -> BIMIFetchOutcome? {
        guard let ssl else { return .failed("no TLS connection") }
        while true {
            switch phase {
            case .connecting:
                return nil
            case .handshaking:
                let result = SSL_do_handshake(ssl)
                if result == 1 {
                    phase = .sending
                    continue
                }
                if let failure = wait(ssl, result) {
                    let verify = SSL_get_verify_result(ssl)
                    let detail = verify == X509_V_OK ? failure : String(cString: X509_verify_cert_error_string(verify))
                    return .failed("TLS with \(url.host): \(detail)")
                }
                return nil
            case .sending:
                let result = request[sent...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
                if result > 0 {
                    sent += Int(result)
                    if sent == request.count { phase = .receiving }
                    continue
                }
                if let failure = wait(ssl, result) { return .failed("sending to \(url.host): \(failure)") }
                return nil
            case .receiving:
                let result = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
                if result > 0 {
                    response.append(buffer[0..<Int(result)])
                } else if SSL_get_error(ssl, result) == SSL_ERROR_ZERO_RETURN {
                    response.finish()
                } else if let failure = wait(ssl, result) {
                    return .failed("reading from \(url.host): \(failure)")
                } else {
                    return nil
                }
                switch response.state {
                case .incomplete:
                    continue
                case .failed(let why):
                    return .failed("answer from \(url.host): \(why)")
                case .complete(let status, let body):
                    closeConnection()
                    if status == 200 { return .fetched(body) }
                    if (300...399).contains(status) { return .failed("redirect refused (status \(status))") }
                    return .failed("status \(status)")
                }
            }
        }
    }

    /// nil when the call only has to wait (the events are set), else why it failed.
    private func wait(_ ssl: OpaquePointer, _ result: Int32) -> String? {
        let error = SSL_get_error(ssl, result)
        switch error {
        case SSL_ERROR_WANT_READ:
            pollEvents = Int16(POLLIN)
            return nil
        case SSL_ERROR_WANT_WRITE:
            pollEvents = Int16(POLLOUT)
            return nil
        default:
            var text = [CChar](repeating: 0, count: 256)
            let code = ERR_get_error()
            ERR_error_string_n(code, &text, text.count)
            ERR_clear_error()
            return code == 0 ? "TLS error \(error)" : String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    private func closeConnection() {
        if let ssl { SSL_free(ssl) }
        ssl = nil
        if fd >= 0 { close(fd) }
        fd = -1
    }
}
