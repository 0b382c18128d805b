import JSON
import MailAuth

/// The one text form of a `DMARCReportRow`: what a worker sends the spool,
/// what the spool's journal holds and what the report store keeps in
/// `row_json`. Compact JSON, one object, keys as in RFC 7489 appendix C
/// where the report has a name for them.
extension DMARCReportRow {
    public struct DecodingError: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public var jsonValue: JSONValue {
        var policyObject = JSONObject()
        policyObject["adkim"] = .string(policy.adkim.rawValue)
        policyObject["aspf"] = .string(policy.aspf.rawValue)
        policyObject["p"] = .string(policy.p)
        if let sp = policy.sp { policyObject["sp"] = .string(sp) }
        if let np = policy.np { policyObject["np"] = .string(np) }
        if let pct = policy.pct { policyObject["pct"] = .integer(pct) }
        policyObject["fo"] = .string(policy.fo)
        policyObject["rua"] = .string(policy.rua)
        if let testing = policy.testing { policyObject["testing"] = .string(testing ? "y" : "n") }
        if let method = policy.discoveryMethod { policyObject["discovery_method"] = .string(method) }

        var object = JSONObject()
        object["id"] = .string(id)
        object["arrival"] = .number(JSONNumber(literal: String(arrival)) ?? JSONNumber(0))
        object["policy_domain"] = .string(policyDomain)
        object["policy_published"] = .object(policyObject)
        object["source_ip"] = .string(sourceIP)
        object["header_from"] = .string(headerFrom)
        object["envelope_from"] = .string(envelopeFrom)
        if let envelopeTo { object["envelope_to"] = .string(envelopeTo) }
        object["disposition"] = .string(disposition.rawValue)
        object["dkim"] = .string(dkimAligned ? "pass" : "fail")
        object["spf"] = .string(spfAligned ? "pass" : "fail")
        object["reasons"] = .array(reasons.map { reason in
            var o = JSONObject()
            o["type"] = .string(reason.type.rawValue)
            if let comment = reason.comment { o["comment"] = .string(comment) }
            return .object(o)
        })
        object["auth_dkim"] = .array(dkimResults.map { result in
            var o = JSONObject()
            o["domain"] = .string(result.domain)
            o["selector"] = .string(result.selector)
            o["result"] = .string(result.result)
            if let human = result.humanResult { o["human_result"] = .string(human) }
            return .object(o)
        })
        object["auth_spf"] = .array(spfResults.map { result in
            var o = JSONObject()
            o["domain"] = .string(result.domain)
            o["scope"] = .string(result.scope.rawValue)
            o["result"] = .string(result.result)
            return .object(o)
        })
        return .object(object)
    }

    public var jsonText: String { JSONSerializer.string(jsonValue) }

    public init(jsonText: String) throws(DecodingError) {
        let value: JSONValue
        do { value = try JSONParser.parse(jsonText) } catch { throw DecodingError(description: "not JSON: \(error)") }
        try self.init(jsonValue: value)
    }

    public init(jsonValue value: JSONValue) throws(DecodingError) {
        // No NUL in any text: PostgreSQL cannot store it, and no domain,
        // address or result word has one.
        func string(_ object: JSONValue, _ key: String) throws(DecodingError) -> String {
            guard let text = object[key]?.stringValue else { throw DecodingError(description: "\(key): expected a string") }
            guard !text.utf8.contains(0) else { throw DecodingError(description: "\(key): contains a NUL character") }
            return text
        }
        func optionalString(_ object: JSONValue, _ key: String) throws(DecodingError) -> String? {
            guard let item = object[key], !item.isNull else { return nil }
            guard let text = item.stringValue else { throw DecodingError(description: "\(key): expected a string") }
            guard !text.utf8.contains(0) else { throw DecodingError(description: "\(key): contains a NUL character") }
            return text
        }
        func array(_ key: String) throws(DecodingError) -> [JSONValue] {
            guard let items = value[key]?.arrayValue else { throw DecodingError(description: "\(key): expected an array") }
            return items
        }
        guard value.objectValue != nil else { throw DecodingError(description: "expected an object") }
        guard let policyValue = value["policy_published"], policyValue.objectValue != nil else {
            throw DecodingError(description: "policy_published: expected an object")
        }
        guard let adkim = DMARCAlignmentMode(rawValue: try string(policyValue, "adkim")),
              let aspf = DMARCAlignmentMode(rawValue: try string(policyValue, "aspf")) else {
            throw DecodingError(description: "policy_published: adkim and aspf must be r or s")
        }
        var pct: Int?
        if let number = policyValue["pct"], !number.isNull {
            guard let parsed = number.numberValue?.integerValue, (0...100).contains(parsed) else {
                throw DecodingError(description: "policy_published.pct: expected 0 to 100")
            }
            pct = parsed
        }
        // `testing` and `discovery_method` came with RFC 9990; rows written
        // before (journals, stores) have neither and stay readable.
        var testing: Bool?
        switch try optionalString(policyValue, "testing") {
        case nil: testing = nil
        case "y": testing = true
        case "n": testing = false
        default: throw DecodingError(description: "policy_published.testing: expected y or n")
        }
        let discoveryMethod = try optionalString(policyValue, "discovery_method")
        guard discoveryMethod == nil || discoveryMethod == "psl" || discoveryMethod == "treewalk" else {
            throw DecodingError(description: "policy_published.discovery_method: expected psl or treewalk")
        }
        let policy = DMARCReportPolicy(adkim: adkim, aspf: aspf, p: try string(policyValue, "p"),
                                       sp: try optionalString(policyValue, "sp"), np: try optionalString(policyValue, "np"),
                                       pct: pct, fo: try optionalString(policyValue, "fo") ?? "0",
                                       rua: try string(policyValue, "rua"), testing: testing,
                                       discoveryMethod: discoveryMethod)
        guard let arrivalNumber = value["arrival"]?.numberValue, let arrival = Int64(arrivalNumber.literal) else {
            throw DecodingError(description: "arrival: expected whole seconds")
        }
        guard let disposition = DMARCPolicyAction(tagValue: try string(value, "disposition")) else {
            throw DecodingError(description: "disposition: expected none, quarantine or reject")
        }
        func passFail(_ key: String) throws(DecodingError) -> Bool {
            switch try string(value, key) {
            case "pass": return true
            case "fail": return false
            default: throw DecodingError(description: "\(key): expected pass or fail")
            }
        }
        var reasons: [DMARCPolicyOverrideReason] = []
        for item in try array("reasons") {
            guard let kind = DMARCPolicyOverrideReason.Kind(rawValue: try string(item, "type")) else {
                throw DecodingError(description: "reasons: unknown type")
            }
            reasons.append(DMARCPolicyOverrideReason(type: kind, comment: try optionalString(item, "comment")))
        }
        var dkimResults: [DMARCDKIMInput] = []
        for item in try array("auth_dkim") {
            dkimResults.append(DMARCDKIMInput(domain: try string(item, "domain"), selector: try string(item, "selector"),
                                              result: try string(item, "result"),
                                              humanResult: try optionalString(item, "human_result")))
        }
        var spfResults: [DMARCSPFInput] = []
        for item in try array("auth_spf") {
            guard let scope = DMARCSPFScope(rawValue: try string(item, "scope")) else {
                throw DecodingError(description: "auth_spf.scope: expected mfrom or helo")
            }
            spfResults.append(DMARCSPFInput(domain: try string(item, "domain"), scope: scope, result: try string(item, "result")))
        }
        self.init(id: try string(value, "id"), arrival: arrival, policyDomain: try string(value, "policy_domain"),
                  policy: policy, sourceIP: try string(value, "source_ip"), headerFrom: try string(value, "header_from"),
                  envelopeFrom: try string(value, "envelope_from"), envelopeTo: try optionalString(value, "envelope_to"),
                  disposition: disposition, dkimAligned: try passFail("dkim"), spfAligned: try passFail("spf"),
                  reasons: reasons, dkimResults: dkimResults, spfResults: spfResults)
        guard id.count == 32, id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw DecodingError(description: "id: expected 32 lowercase hex digits")
        }
    }
}
