/// Who sends an aggregate report: the Mail Receiver's organization
/// (RFC 7489 appendix C `report_metadata`). One value per installation,
/// taken from configuration.
public struct DMARCReporter: Sendable, Hashable {
    /// `org_name`: the organization's name, shown by report viewers.
    public var orgName: String
    /// `email`: the report sender address; also the message's `From`.
    public var email: String
    /// Our receiving domain: the `receiver` of the report's filename and
    /// the `Submitter:` of its Subject (RFC 7489 section 7.2.1.1).
    public var domain: String
    /// `extra_contact_info`: more contact details (a URL, a phone number);
    /// left out of the report when nil or empty.
    public var extraContactInfo: String?

    public init(orgName: String, email: String, domain: String, extraContactInfo: String? = nil) {
        self.orgName = orgName
        self.email = email
        self.domain = domain
        self.extraContactInfo = extraContactInfo
    }
}
