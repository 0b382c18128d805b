import DMARCReports
import Testing

/// Expects `body` to throw the module's error with `code`.
func expectReportError(_ code: ReportError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a \(code.rawValue) error, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ReportError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a ReportError, got \(error)", sourceLocation: sourceLocation)
    }
}
