/// The DMARC handler's keys for aggregate reports (not in the Perl
/// program, which read them from mail-dmarc.ini): the handler accepts them,
/// the spool and the report commands read them (DMARCReportSettings).
public enum DMARCReportConfigKeys {
    public static let all: Set<String> = [
        "report_store", "report_store_user", "report_store_pass", "report_org_name", "report_org_email",
        "report_org_domain", "report_extra_contact_info", "report_smarthost", "report_format",
    ]
}
