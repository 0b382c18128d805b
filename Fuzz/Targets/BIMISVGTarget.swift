@testable import MailAuth

/// A BIMI indicator as the worker checks it (`BIMISVGValidator` over
/// `SVGXMLReader`): any bytes give a verdict, never a trap; a valid one
/// is within the size limit and folds into a BIMI-Indicator whose lines
/// are at most 70 characters.
enum BIMISVGTarget {
    static let target = FuzzTarget(name: "bimi-svg", run: run)

    static func run(_ input: [UInt8]) {
        guard input.count <= 1 << 16 else { return }
        let problem = BIMISVGValidator.problem(input)
        if problem == nil {
            fuzzCheck(input.count <= BIMIFetchLimits.defaultMaximumSVGBytes, "a valid SVG over the size limit")
            let header = BIMIIndicatorHeader.value(input)
            fuzzCheck(header.split(separator: "\n").allSatisfy { $0.count <= 74 }, "an indicator line longer than 70")
        }
        _ = BIMISVGValidator.indicator(input)
    }
}
