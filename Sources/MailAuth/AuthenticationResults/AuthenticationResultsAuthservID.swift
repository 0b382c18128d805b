extension AuthenticationResultsHeader {
    /// The authserv-id authentication_milter uses (`get_my_authserv_id`):
    /// the configured `authserv_id`, else the MTA's `j` macro, else its
    /// `{rcpt_host}` macro, else the system host name. Each candidate is
    /// skipped when Perl finds it false, which includes the string `"0"`.
    public static func authservID(configured: String?, macroJ: String?,
                                  macroRcptHost: String?, hostname: String) -> String {
        for candidate in [configured, macroJ, macroRcptHost] {
            if let candidate, AuthResultsText.isPerlTrue(candidate) { return candidate }
        }
        return hostname
    }
}
