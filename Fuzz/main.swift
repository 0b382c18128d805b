// One libFuzzer entry point for every target: the target is named by the
// environment variable AUTHMILTER_FUZZ_TARGET (read once, at start).
// `AUTHMILTER_FUZZ_TARGET=list` prints the target names and exits.
#if canImport(Glibc)
import Glibc
#endif

/// A fuzz target: a name and the code run on one input. It must return
/// normally on every input; a trap or a failed invariant is a finding.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void
}

enum FuzzRegistry {
    static let all: [FuzzTarget] = [
        MilterCommandsTarget.target,
        MilterResponsesTarget.target,
        HeaderFieldsTarget.target,
        AddressesTarget.target,
        DKIMTagListTarget.target,
        DKIMKeyRecordTarget.target,
        SPFRecordTarget.target,
        SPFMacroTarget.target,
        DMARCRecordTarget.target,
        AuthResultsTarget.target,
        ARCTarget.target,
        DNSAnswerTarget.target,
        IPCFrameTarget.target,
        ConfigJSONTarget.target,
        SpamdReplyTarget.target,
        RspamdReplyTarget.target,
        ClamdReplyTarget.target,
        BlockerTOMLTarget.target,
        SMTPDataTarget.target,
        SMTPSessionTarget.target,
        BIMISVGTarget.target,
        BIMIHTTPResponseTarget.target,
    ]

    /// The selected target, looked up once.
    static let selected: FuzzTarget? = {
        guard let raw = getenv("AUTHMILTER_FUZZ_TARGET") else { return nil }
        let name = String(cString: raw)
        return all.first { $0.name == name }
    }()
}

/// Fails the run with a message: the invariant of a target does not hold.
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String,
               file: StaticString = #fileID, line: UInt = #line) {
    if !condition {
        printError("fuzz invariant failed: \(message())")
        fatalError("invariant", file: file, line: line)
    }
}

/// A line on standard error (the C `stderr` is a global Swift 6 refuses).
func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>,
                           _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    let requested = getenv("AUTHMILTER_FUZZ_TARGET").map { String(cString: $0) }
    if requested == "list" {
        for target in FuzzRegistry.all { print(target.name) }
        exit(0)
    }
    if FuzzRegistry.selected == nil {
        let names = FuzzRegistry.all.map(\.name).joined(separator: " ")
        printError("set AUTHMILTER_FUZZ_TARGET to one of: \(names)")
        exit(2)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    FuzzRegistry.selected?.run(input)
    return 0
}
