
/// The aggregate report settings, read from the DMARC handler's block by
/// the spool (where to store rows) and by `dmarc_send_reports` /
/// `dmarc_view_reports` (where to read them, who we are, how to send):
///
/// - `report_store`, `report_store_user`, `report_store_pass`: see
///   `DMARCReportStoreLocation`;
/// - `report_org_name`, `report_org_email`, `report_org_domain`,
///   `report_extra_contact_info`: the `report_metadata` of our reports and
///   their sender; the domain defaults to `authserv_id` (or the host
///   name), the name to the domain, the address to
///   `noreply-dmarc@<domain>`;
/// - `report_smarthost`: `host` or `host:port` to hand every report to;
///   unset, reports go straight to each destination's MX on port 25.
/// - `report_format`: `rfc9990` (default, RFC 9990 XML) or `rfc7489`;
/// - `no_report` (Perl's key): no rows are stored at all.
import Config
import JSON

public struct DMARCReportSettings: Sendable, Equatable {
    /// False when the DMARC handler is off or says `no_report`.
    public var enabled: Bool
    public var store: DMARCReportStoreLocation
    public var orgName: String
    public var orgEmail: String
    public var orgDomain: String
    public var extraContactInfo: String?
    public var smarthost: String?
    /// `report_format`: `rfc9990` (default) or `rfc7489`.
    public var reportFormat: AggregateReportFormat

    /// `local@domain` in printable ASCII without the characters that would
    /// make it a display form or a list.
    static func isBareAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && !"<>()[],;:\\\"".unicodeScalars.contains($0) }
    }

    /// From a loaded configuration whose directories are resolved.
    public init(configuration: Configuration, hostname: String) throws(ConfigurationError) {
        let handler = configuration.handlers.first { $0.name == "DMARC" }
        let node = handler?.node ?? ConfigNode(value: .object(JSONObject()), origin: ConfigOrigin(file: "<no DMARC handler>"))
        let noReport = try node.bool("no_report") ?? false
        enabled = (handler?.enabled ?? false) && !noReport
        let dsn = try node.string("report_store")
        let user = try node.string("report_store_user")
        let password = try node.string("report_store_pass")
        do {
            store = try DMARCReportStoreLocation(dsn: dsn, user: user, password: password,
                                                 libDir: configuration.libDir ?? "/var/lib/authentication_milter")
        } catch {
            throw (node.child("report_store") ?? node).error(error.description)
        }
        let domain = try node.nonEmptyString("report_org_domain") ?? configuration.authservID ?? hostname
        orgDomain = domain
        orgName = try node.nonEmptyString("report_org_name") ?? domain
        orgEmail = try node.nonEmptyString("report_org_email") ?? "noreply-dmarc@\(domain)"
        // A bare address: it is the SMTP sender and the From of reports.
        // (Checked only when reports are on: the defaults come from
        // authserv_id, which other deployments may write freely.)
        if enabled {
            guard Self.isBareAddress(orgEmail) else {
                throw (node.child("report_org_email") ?? node).error("expected a bare address like dmarc@example.com, got \"\(orgEmail)\"")
            }
            guard domain.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
                throw (node.child("report_org_domain") ?? node).error("expected a domain name, got \"\(domain)\"")
            }
        }
        extraContactInfo = try node.nonEmptyString("report_extra_contact_info")
        smarthost = try node.nonEmptyString("report_smarthost")
        let formatText = try node.nonEmptyString("report_format") ?? AggregateReportFormat.rfc9990.rawValue
        guard let format = AggregateReportFormat(configValue: formatText) else {
            throw (node.child("report_format") ?? node).error("expected \"rfc9990\" or \"rfc7489\", got \"\(formatText)\"")
        }
        reportFormat = format
    }
}
