#if canImport(Glibc)
import Glibc
#endif
import BlockerRules
import SystemIO

// authentication_milter_blocker: add, delete and list the rules of a
// Blocker file, as Perl's tool of the same name does, with its options and
// messages. A file is read and written without following a link (SafePath:
// nothing on the way that someone else could have placed) and replaced
// atomically (a new file renamed over the old one), so the milter's master,
// which re-reads the file when it changes, sees the old rules or the new
// ones, never half a file.

let usage = """
    Usage:
      authentication_milter_blocker add --file FILE --id ID --callback CALLBACK --value REGEX --with "5xx 5.x.x text" --percent N [--until DATE]
      authentication_milter_blocker delete --file FILE --id ID
      authentication_milter_blocker list --file FILE [--file FILE ...]

    CALLBACK is one of connect, helo, envfrom, envrcpt, header; DATE is Unix seconds
    or YYYY-MM-DD[ HH:MM[:SS]] (UTC).
    """

/// Whole text to a descriptor (the C `stdout` is a global Swift 6 refuses).
func emit(_ text: String, to fd: Int32) {
    _ = try? SystemCall.writeAll(fd: fd, bytes: Array(text.utf8))
}

func say(_ text: String) { emit(text + "\n", to: 1) }

func usageError(_ message: String) -> Never {
    emit("Error: \(message)\n\n\(usage)\n", to: 2)
    exit(2)
}

let safePath = SafePath(trustedUID: geteuid())

func exists(_ path: String) -> Bool {
    var info = stat()
    return fstatat(AT_FDCWD, path, &info, AT_SYMLINK_NOFOLLOW) == 0
}

/// The parsed file, or Perl's "Error parsing file" and exit 1.
func load(_ path: String) -> TOMLDocument {
    do {
        return try TOMLParser.parse(try safePath.readFile(path, maximumSize: 1 << 20))
    } catch let error as BlockerRulesError {
        say("Error parsing file")
        say("\(error)")
        exit(1)
    } catch {
        say("Error reading file")
        say("\(error)")
        exit(1)
    }
}

func save(_ document: TOMLDocument, to path: String) {
    var info = stat()
    let mode = fstatat(AT_FDCWD, path, &info, AT_SYMLINK_NOFOLLOW) == 0 ? mode_t(info.st_mode & 0o777) : 0o644
    do {
        try safePath.writeFile(path, contents: Array(TOMLWriter.render(document).utf8), mode: mode)
    } catch {
        say("Error saving file")
        say("\(error)")
        exit(1)
    }
}

let command: BlockerToolCommand
do {
    command = try BlockerToolCommand.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    usageError(error.message)
}

let files = command.options["file"] ?? []
guard !files.isEmpty, files.allSatisfy({ !$0.isEmpty }) else { usageError("Must supply a filename") }
for file in files where !exists(file) { usageError("Supplied filename does not exist") }

switch command.name {
case .add:
    let rule: BlockerRule
    do {
        rule = try BlockerRuleEdit.rule(from: command, now: Int64(time(nil)))
    } catch {
        usageError(error.message)
    }
    let file = files[0]
    do {
        save(try BlockerRuleEdit.adding(rule, to: load(file)), to: file)
    } catch {
        say(error.message)
        exit(1)
    }
    say("Block added and file saved")
case .delete:
    guard let id = command.value("id"), !id.isEmpty else { usageError("Must supply an id") }
    let file = files[0]
    do {
        save(try BlockerRuleEdit.deleting(id: id, from: load(file)), to: file)
    } catch {
        say(error.message)
        exit(1)
    }
    say("Block deleted and file saved")
case .list:
    for file in files {
        say("In file \(file)")
        say("")
        let document = load(file)
        emit(BlockerRuleTable.render(document), to: 1)
        say("")
    }
}
