/// The role of a process, from its `comm` (`/proc/<pid>/comm`, the
/// executable's name cut to 15 bytes, or what it set with PR_SET_NAME):
/// our master renames itself `authmilter-main`; the children keep their
/// executables' names (`authmilter-worker` shows as `authmilter-work`,
/// `authmilter-spool` as `authmilter-spoo`). The load client itself
/// (`authmilter-bench`) is `client`, measured beside the total: on a
/// machine it shares with the milter it bounds the messages per second.
/// Any other program (opendkim, opendmarc) is its own role.
public enum ProcessRole {
    public static let names: [(comm: String, role: String)] = [
        ("authmilter-main", "master"),
        ("authmilter-work", "worker"),
        ("authmilter-dns", "dns"),
        ("authmilter-spoo", "spool"),
        ("authmilter-benc", "client"),
    ]

    public static func name(forComm comm: String) -> String {
        names.first { $0.comm == comm }?.role ?? comm
    }

    /// The order roles are printed in: ours first as above, then the others
    /// by name.
    public static func sorted(_ roles: some Sequence<String>) -> [String] {
        let known = names.map(\.role)
        return roles.sorted { a, b in
            let (ia, ib) = (known.firstIndex(of: a) ?? known.count, known.firstIndex(of: b) ?? known.count)
            return ia != ib ? ia < ib : a < b
        }
    }
}
