import Config
import DMARCReports
import Foundation
import IPC
import JSON
import MailAuth
import Testing

/// The real `authmilter-spool` binary, jailed, fed the way the master and
/// the workers feed it: its configuration first, then worker channels
/// carrying report rows. What it stores is read back from the real SQLite
/// file it writes.
@Suite(.serialized) struct SpoolProcessTests {
    final class Spool {
        let pid: pid_t
        let master: IPCChannel
        let logPath: String

        init(directory: String, reportStore: String) throws {
            let binary = try DNSHelperTestSupport.binary("authmilter-spool")
            var fds: [Int32] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
                throw DNSHelperTestSupport.Failure(description: "socketpair failed")
            }
            logPath = directory + "/spool-\(UInt32.random(in: 0 ... .max)).log"
            pid = try DNSHelperTestSupport.spawn(binary, ["--spool-dir", directory],
                                                 fds: [fds[1]], stderrPath: logPath)
            close(fds[1])
            master = IPCChannel(fd: fds[0], receiving: HelperToMaster.self)
            try sendConfiguration(directory: directory, reportStore: reportStore, kind: .configuration)
        }

        /// The configuration frame, as the master sends it at start and
        /// after a reload.
        func sendConfiguration(directory: String, reportStore: String, kind: MasterToHelper = .reloadedConfiguration) throws {
            let configuration = try Configuration(fromJSON: .object(JSONObject([
                ("connection", .string("inet:12345@localhost")),
                ("spool_dir", .string(directory)), ("lib_dir", .string(directory)), ("cache_dir", .string(directory)),
                ("check_for_dequeue", .integer(1)),
                ("handlers", .object(JSONObject([("DMARC", .object(JSONObject([("report_store", .string(reportStore))])))]))),
            ])))
            master.send(kind, payload: configuration.serialized())
        }

        /// A worker's channel to this spool.
        func workerChannel() throws -> Int32 {
            let (worker, spoolEnd) = try keptWorkerChannel()
            close(spoolEnd)
            return worker
        }

        /// A worker's channel as the master makes it (SOCK_SEQPACKET), with
        /// the master's copy of the spool's end, for the next spool.
        func keptWorkerChannel() throws -> (worker: Int32, spoolEnd: Int32) {
            var fds: [Int32] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
                throw DNSHelperTestSupport.Failure(description: "socketpair failed")
            }
            give(fds[1])
            return (fds[0], fds[1])
        }

        /// Hands this spool a channel, as the master does with every kept
        /// end when it starts a new spool.
        func give(_ spoolEnd: Int32) {
            master.send(MasterToHelper.newChannel, descriptor: spoolEnd)
        }

        var log: String { DNSHelperTestSupport.read(logPath) }

        func kill9() {
            kill(pid, SIGKILL)
            _ = DNSHelperTestSupport.wait(pid, seconds: 5)
            close(master.fd)
        }

        func stop() -> Int32? {
            close(master.fd)
            return DNSHelperTestSupport.wait(pid, seconds: 5)
        }
    }

    /// A worker's end of its spool channel: it only sends (the spool's
    /// acknowledgements are left unread), frames of any kind byte.
    struct WorkerEnd {
        let fd: Int32

        func send(_ kind: WorkerToSpool, payload: [UInt8]) {
            sendFrame(IPCFrame(kind, payload: payload))
        }

        func sendFrame(_ frame: IPCFrame) {
            let bytes = frame.encoded()
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    static func workerEnd(_ spool: Spool) throws -> WorkerEnd {
        WorkerEnd(fd: try spool.workerChannel())
    }

    static func row(_ n: Int) -> DMARCReportRow {
        DMARCReportRow(id: String(repeating: "a", count: 28) + String(format: "%04x", n), arrival: 1_764_000_000 + Int64(n),
                       policyDomain: "example.com",
                       policy: DMARCReportPolicy(p: "reject", rua: "mailto:dmarc@example.com"),
                       sourceIP: "192.0.2.\(n)", headerFrom: "example.com", envelopeFrom: "example.com", envelopeTo: "e2e.test",
                       disposition: .quarantine, dkimAligned: false, spfAligned: false,
                       spfResults: [DMARCSPFInput(domain: "example.com", result: "fail")])
    }

    /// Rows for the flow tests: n up to 65535, distinct ids and addresses.
    static func flowRow(_ n: Int) -> DMARCReportRow {
        var row = Self.row(n)
        row.sourceIP = "198.51.\(n / 250).\(n % 250)"
        return row
    }

    static func storedIDs(_ path: String) -> [String] {
        guard FileManager.default.fileExists(atPath: path),
              let store = try? DMARCReportStore(connection: SQLiteConnection(path: path)),
              let pending = try? store.pendingRows(before: Int64.max) else { return [] }
        return pending.rows.map(\.id)
    }

    @Test func rowsFromWorkersLandInTheSQLiteStoreWhileJailed() throws {
        let dir = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = dir + "/reports.sqlite"
        let spool = try Spool(directory: dir, reportStore: "sqlite:" + database)
        let first = try Self.workerEnd(spool)
        let second = try Self.workerEnd(spool)
        let third = try Self.workerEnd(spool)
        #expect(DNSHelperTestSupport.eventually(5) { DNSHelperTestSupport.status(of: spool.pid)["Seccomp"] == "2" })
        for n in 1...3 { first.send(WorkerToSpool.reportRow, payload: Array(Self.row(n).jsonText.utf8)) }
        // A hostile worker: garbage, a NUL in a field (rows dropped, the
        // channel stays), then an unknown kind: the channel is dropped, so
        // the row after it never counts.
        second.send(WorkerToSpool.reportRow, payload: Array("{not json".utf8))
        second.send(WorkerToSpool.reportRow,
                    payload: Array(Self.row(9).jsonText.replacingOccurrences(of: "\"header_from\":\"example.com\"",
                                                                             with: "\"header_from\":\"a\\u0000b\"").utf8))
        second.send(WorkerToSpool.reportRow, payload: Array(Self.row(4).jsonText.utf8))
        usleep(200_000)
        second.sendFrame(IPCFrame(kind: 99, payload: [1, 2, 3]))
        second.send(WorkerToSpool.reportRow, payload: Array(Self.row(6).jsonText.utf8))
        // Another announces a frame beyond the row limit: its channel is
        // cut before anything is buffered, so its next row never counts.
        third.sendFrame(IPCFrame(WorkerToSpool.reportRow, payload: [UInt8](repeating: 0x20, count: WorkerToSpool.maximumRowBytes + 1)))
        third.send(WorkerToSpool.reportRow, payload: Array(Self.row(5).jsonText.utf8))
        let expected = (1...4).map { Self.row($0).id }
        #expect(DNSHelperTestSupport.eventually(10) { Self.storedIDs(database).sorted() == expected.sorted() }, "\(spool.log)")
        #expect(spool.log.contains("malformed report row dropped"))
        #expect(spool.log.contains("contains a NUL character"))
        #expect(DNSHelperTestSupport.eventually(5) { spool.log.contains("worker channel dropped: unknown message kind 99") }, "\(spool.log)")
        // The third channel is read whenever the spool gets to it: wait.
        #expect(DNSHelperTestSupport.eventually(5) {
            spool.log.contains("worker channel dropped: report row message announcing \(WorkerToSpool.maximumRowBytes + 1) bytes (limit \(WorkerToSpool.maximumRowBytes))")
        }, "\(spool.log)")
        usleep(300_000)
        #expect(!Self.storedIDs(database).contains(Self.row(5).id))
        #expect(!Self.storedIDs(database).contains(Self.row(6).id))
        #expect(!spool.log.contains("seccomp"))
        close(third.fd)
        // The journal is emptied once the store holds the rows.
        #expect(DNSHelperTestSupport.eventually(5) { ((try? FileManager.default.attributesOfItem(atPath: dir + "/" + ReportJournal.fileName)[.size]) as? Int) == 0 })
        close(first.fd)
        close(second.fd)
        let status = spool.stop()
        #expect(status.map { $0 & 0x7f } == 0, "the spool exits cleanly when the master goes: \(spool.log)")
    }

    /// The store is unreachable (its directory does not exist yet), rows
    /// arrive, the spool is killed with SIGKILL: nothing is lost, the next
    /// spool stores them from the journal once the store can be opened.
    @Test func rowsSurviveASpoolKilledWhileTheStoreIsDown() throws {
        let dir = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let storeDir = dir + "/not-yet"
        let database = storeDir + "/reports.sqlite"
        let spool = try Spool(directory: dir, reportStore: "sqlite:" + database)
        let worker = try Self.workerEnd(spool)
        for n in 1...5 { worker.send(.reportRow, payload: Array(Self.row(n).jsonText.utf8)) }
        let journalPath = dir + "/" + ReportJournal.fileName
        #expect(DNSHelperTestSupport.eventually(10) {
            DNSHelperTestSupport.read(journalPath).split(separator: "\n").count == 5
        }, "\(spool.log)")
        #expect(spool.log.contains("rows are kept in"))
        #expect(kill(spool.pid, 0) == 0 && DNSHelperTestSupport.status(of: spool.pid)["State"]?.hasPrefix("Z") == false,
                "the spool outlives a store it cannot open: \(spool.log)")
        spool.kill9()
        close(worker.fd)

        try FileManager.default.createDirectory(atPath: storeDir, withIntermediateDirectories: true)
        let restarted = try Spool(directory: dir, reportStore: "sqlite:" + database)
        let expected = (1...5).map { Self.row($0).id }
        #expect(DNSHelperTestSupport.eventually(10) { Self.storedIDs(database) == expected }, "\(restarted.log)")
        #expect(restarted.log.contains("5 report rows in"))
        #expect(DNSHelperTestSupport.eventually(5) { DNSHelperTestSupport.read(journalPath).isEmpty })
        _ = restarted.stop()
    }

    /// The store comes back while the spool runs (jailed): the waiting rows
    /// are stored on the next retry, by the same process.
    @Test func rowsWaitForAStoreThatComesBackLater() throws {
        let dir = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let storeDir = dir + "/later"
        let database = storeDir + "/reports.sqlite"
        let spool = try Spool(directory: dir, reportStore: "sqlite:" + database)
        let worker = try Self.workerEnd(spool)
        for n in 1...3 { worker.send(.reportRow, payload: Array(Self.row(n).jsonText.utf8)) }
        let journalPath = dir + "/" + ReportJournal.fileName
        #expect(DNSHelperTestSupport.eventually(10) { DNSHelperTestSupport.read(journalPath).split(separator: "\n").count == 3 })
        try FileManager.default.createDirectory(atPath: storeDir, withIntermediateDirectories: true)
        let expected = (1...3).map { Self.row($0).id }
        #expect(DNSHelperTestSupport.eventually(10) { Self.storedIDs(database) == expected }, "\(spool.log)")
        #expect(spool.log.contains("DMARC report store is back") || spool.log.contains("DMARC report store SQLite"))
        #expect(DNSHelperTestSupport.status(of: spool.pid)["Seccomp"] == "2")
        close(worker.fd)
        #expect(spool.stop().map { $0 & 0x7f } == 0, "\(spool.log)")
    }

    /// A reload that names another SQLite file moves later rows there; one
    /// that asks for PostgreSQL is refused in place (the jailed spool has
    /// no socket calls) and says a restart is needed.
    @Test func aReloadSwitchesTheStoreInPlace() throws {
        let dir = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = dir + "/first.sqlite"
        let second = dir + "/second.sqlite"
        let spool = try Spool(directory: dir, reportStore: "sqlite:" + first)
        let worker = try Self.workerEnd(spool)
        worker.send(WorkerToSpool.reportRow, payload: Array(Self.row(1).jsonText.utf8))
        #expect(DNSHelperTestSupport.eventually(10) { Self.storedIDs(first) == [Self.row(1).id] }, "\(spool.log)")
        try spool.sendConfiguration(directory: dir, reportStore: "sqlite:" + second)
        #expect(DNSHelperTestSupport.eventually(5) { spool.log.contains("report_store changed") }, "\(spool.log)")
        worker.send(WorkerToSpool.reportRow, payload: Array(Self.row(2).jsonText.utf8))
        #expect(DNSHelperTestSupport.eventually(10) { Self.storedIDs(second) == [Self.row(2).id] }, "\(spool.log)")
        #expect(Self.storedIDs(first) == [Self.row(1).id])
        try spool.sendConfiguration(directory: dir, reportStore: "postgresql://nobody@127.0.0.1:1/none")
        #expect(DNSHelperTestSupport.eventually(5) { spool.log.contains("takes effect after a restart") }, "\(spool.log)")
        worker.send(WorkerToSpool.reportRow, payload: Array(Self.row(3).jsonText.utf8))
        #expect(DNSHelperTestSupport.eventually(10) { Self.storedIDs(second).sorted() == [Self.row(2).id, Self.row(3).id].sorted() },
                "\(spool.log)")
        close(worker.fd)
        #expect(spool.stop().map { $0 & 0x7f } == 0, "the spool is still alive and jailed: \(spool.log)")
    }

    /// The master goes away (stop, restart) while rows are still in a
    /// worker's channel: the spool reads them before it exits.
    @Test func rowsInFlightAreStoredWhenTheMasterGoes() throws {
        let dir = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = dir + "/reports.sqlite"
        let spool = try Spool(directory: dir, reportStore: "sqlite:" + database)
        let worker = try Self.workerEnd(spool)
        #expect(DNSHelperTestSupport.eventually(5) { DNSHelperTestSupport.status(of: spool.pid)["Seccomp"] == "2" })
        for n in 1...20 { worker.send(.reportRow, payload: Array(Self.row(n).jsonText.utf8)) }
        close(worker.fd)
        let status = spool.stop()
        #expect(status.map { $0 & 0x7f } == 0, "\(spool.log)")
        #expect(Self.storedIDs(database).count == 20, "\(spool.log)")
    }

    /// A row the store refuses for what it holds (here a trigger refuses
    /// one policy domain) must not hold the others back: it is set aside
    /// in dmarc_reports.rejected and the journal empties.
    @Test func aRowTheStoreRefusesIsSetAsideNotRetriedForever() throws {
        let dir = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = dir + "/reports.sqlite"
        let prepared = try DMARCReportStore(connection: SQLiteConnection(path: database))
        try prepared.connection.execute("""
            CREATE TRIGGER refuse_poison BEFORE INSERT ON dmarc_report_row
            WHEN NEW.source_ip = '192.0.2.2' BEGIN SELECT RAISE(ABORT, 'poison row'); END
            """, [])
        let spool = try Spool(directory: dir, reportStore: "sqlite:" + database)
        let worker = try Self.workerEnd(spool)
        #expect(DNSHelperTestSupport.eventually(5) { DNSHelperTestSupport.status(of: spool.pid)["Seccomp"] == "2" })
        var frames: [UInt8] = []
        for n in 1...3 { frames += IPCFrame(WorkerToSpool.reportRow, payload: Array(Self.row(n).jsonText.utf8)).encoded() }
        #expect(write(worker.fd, frames, frames.count) == frames.count)
        #expect(DNSHelperTestSupport.eventually(10) { Self.storedIDs(database).sorted() == [Self.row(1).id, Self.row(3).id] },
                "\(spool.log)")
        #expect(DNSHelperTestSupport.eventually(5) { spool.log.contains("refused by the store and set aside") }, "\(spool.log)")
        #expect(DNSHelperTestSupport.read(dir + "/" + ReportJournal.rejectedFileName).contains(Self.row(2).id))
        #expect(DNSHelperTestSupport.eventually(5) { DNSHelperTestSupport.read(dir + "/" + ReportJournal.fileName).isEmpty })
        close(worker.fd)
        _ = spool.stop()
    }

    /// kill -9 of the spool, twice, while rows flow from three workers (the
    /// real SpoolClient). The test plays the master: it keeps the spool's
    /// end of every channel and hands them all to each new spool. Every
    /// row is stored exactly once: rows the dead spool had read but not
    /// written down are sent again by their worker (not acknowledged), rows
    /// it had not read are still in the channel, and the store keeps one
    /// copy of a row that arrives twice.
    @Test func noRowIsLostWhenTheSpoolIsKilledWhileRowsFlow() throws {
        let dir = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = dir + "/reports.sqlite"
        var spool = try Spool(directory: dir, reportStore: "sqlite:" + database)
        var spoolEnds: [Int32] = []
        var workers: [SpoolClient] = []
        for _ in 0..<3 {
            let (worker, spoolEnd) = try spool.keptWorkerChannel()
            spoolEnds.append(spoolEnd)
            workers.append(SpoolClient(fd: worker))
        }
        #expect(DNSHelperTestSupport.eventually(5) { DNSHelperTestSupport.status(of: spool.pid)["Seccomp"] == "2" })
        let total = 400
        var logs = ""
        for n in 1...total {
            workers[n % workers.count].submit(Self.flowRow(n))
            // About 500 rows a second: each spool is killed in the middle
            // of reading, journaling and acknowledging.
            usleep(2000)
            // The spool dies in the middle of the flow, then again.
            if n == 150 || n == 300 {
                spool.kill9()
                logs += spool.log
                spool = try Spool(directory: dir, reportStore: "sqlite:" + database)
                for end in spoolEnds { spool.give(end) }
            }
        }
        for worker in workers { worker.drain(timeoutMilliseconds: 10_000) }
        #expect(workers.allSatisfy { !$0.hasPending && $0.droppedRows == 0 }, "\(spool.log)")
        let expected = Set((1...total).map { Self.flowRow($0).id })
        #expect(DNSHelperTestSupport.eventually(10) { Set(Self.storedIDs(database)) == expected }, "\(logs)\(spool.log)")
        let stored = Self.storedIDs(database)
        #expect(stored.count == total)
        let sent = workers.reduce(0) { $0 + $1.sentFrames }
        let resent = workers.reduce(0) { $0 + $1.resentRows }
        print("spool killed twice: \(total) rows submitted, \(sent) row frames sent (\(resent) of them sent again to a new spool), \(stored.count) stored, \(Set(stored).count) distinct ids")
        for worker in workers { close(worker.fd) }
        for end in spoolEnds { close(end) }
        #expect(spool.stop().map { $0 & 0x7f } == 0, "\(spool.log)")
    }
}
