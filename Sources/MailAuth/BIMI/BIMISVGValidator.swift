/// SVG Tiny Portable/Secure checks of a BIMI indicator (Mail::BIMI's
/// `Indicator::_build_is_valid`, which validates against its `SVG_1.2_PS`
/// RelaxNG schema), done here as explicit rules on the streamed document:
///
/// - larger than `svg_max_size` (32768 bytes): `SVG_SIZE`;
/// - not well-formed XML (`SVGXMLReader`): `SVG_INVALID_XML`;
/// - else `SVG_VALIDATION_ERROR` when: the root is not `svg` in the SVG
///   namespace; it lacks `baseProfile="tiny-ps"` or `version="1.2"`; it
///   has `x` or `y`; it has no `title` child; an element is not one of SVG
///   Tiny 1.2's static elements (no `script`, animation, `image`,
///   `foreignObject`, `a`, ...) outside `metadata`; an attribute is an
///   event handler (`on...`); an `href` points outside the document; a DTD.
public enum BIMISVGValidator {
    public static let svgNamespace = "http://www.w3.org/2000/svg"
    public static let xlinkNamespace = "http://www.w3.org/1999/xlink"

    /// The elements of SVG Tiny 1.2 that Tiny PS keeps (static graphics and text).
    static let allowedElements: Set<String> = [
        "svg", "g", "defs", "desc", "title", "metadata", "path", "rect", "circle", "ellipse", "line", "polyline",
        "polygon", "solidColor", "linearGradient", "radialGradient", "stop", "text", "tspan", "textArea", "tbreak", "use",
    ]

    /// An indicator as fetched or embedded, as Mail::BIMI's `Indicator`
    /// takes it: gunzipped when it starts with gzip's magic
    /// (`SVG_UNZIP_ERROR` when that fails), then `problem` unless
    /// `validates` is off (`no_validate_svg`: only the size is checked).
    public static func indicator(_ data: [UInt8], maximumBytes: Int = BIMIFetchLimits.defaultMaximumSVGBytes,
                                 validates: Bool = true) -> Result<[UInt8], BIMIEvidence.Problem> {
        var svg = data
        if data.starts(with: [0x1F, 0x8B]) {
            // One byte over the limit is enough to know it is too large.
            guard let unzipped = try? Gzip.decompress(data, limit: maximumBytes + 1) else {
                return .failure(.init(.svgUnzipError, "gunzip failed or the SVG is larger than \(maximumBytes) bytes"))
            }
            svg = unzipped
        }
        if !validates {
            return svg.count > maximumBytes ? .failure(.init(.svgSize, "\(svg.count) bytes")) : .success(svg)
        }
        if let problem = problem(svg, maximumBytes: maximumBytes) { return .failure(.init(problem.reason, problem.detail)) }
        return .success(svg)
    }

    /// nil when the SVG is a valid indicator, else the reason and a detail for the log.
    public static func problem(_ svg: [UInt8], maximumBytes: Int = BIMIFetchLimits.defaultMaximumSVGBytes)
        -> (reason: BIMIReason, detail: String)? {
        guard svg.count <= maximumBytes else { return (.svgSize, "\(svg.count) bytes") }
        var rule: String?
        var hasTitle = false
        var metadataDepth: Int?
        do {
            try SVGXMLReader.read(svg, start: { element throws(SVGXMLReader.Failure) in
                guard rule == nil else { return }
                if let depth = metadataDepth, element.depth > depth { return }
                rule = check(element)
                if element.depth == 1 && element.namespace == svgNamespace && element.name == "title" { hasTitle = true }
                if element.namespace == svgNamespace && element.name == "metadata" { metadataDepth = element.depth }
            }, end: { element in
                if metadataDepth == element.depth && element.name == "metadata" { metadataDepth = nil }
            })
        } catch {
            switch error {
            case .notWellFormed(let detail): return (.svgInvalidXML, detail)
            case .refused(let detail): return (.svgValidationError, detail)
            }
        }
        if let rule { return (.svgValidationError, rule) }
        guard hasTitle else { return (.svgValidationError, "no title element") }
        return nil
    }

    private static func check(_ element: SVGXMLReader.Element) -> String? {
        guard element.namespace == svgNamespace else { return "element \(element.name.prefix(40)) outside the SVG namespace" }
        guard allowedElements.contains(element.name) else { return "element \(element.name.prefix(40)) not allowed" }
        if element.depth == 0 {
            guard element.name == "svg" else { return "the root is not svg" }
            let plain = Dictionary(element.attributes.filter { $0.namespace == "" }.map { ($0.name, $0.value) }) { a, _ in a }
            guard plain["baseProfile"] == "tiny-ps" else { return "baseProfile is not tiny-ps" }
            guard plain["version"] == "1.2" else { return "version is not 1.2" }
            guard plain["x"] == nil, plain["y"] == nil else { return "x or y on the root" }
        } else if element.name == "svg" {
            return "a nested svg element"
        }
        for attribute in element.attributes {
            if attribute.namespace == "" && attribute.name.lowercased().hasPrefix("on") {
                return "event attribute \(attribute.name.prefix(40))"
            }
            if attribute.name == "href" && (attribute.namespace == xlinkNamespace || attribute.namespace == "")
                && !attribute.value.hasPrefix("#") {
                return "external reference"
            }
            if attribute.namespace == "" && attribute.name == "externalResourcesRequired" && attribute.value != "false" {
                return "external resources required"
            }
        }
        return nil
    }
}
