extension MailSession {
    /// A macro's value when the Perl handlers would act on it: they test
    /// `if ($value)`, so an absent macro, an empty one and the string "0"
    /// all mean "not set" (an MTA sends `{auth_authen}` empty on an
    /// unauthenticated session).
    func perlTrueMacro(_ name: String) -> String? {
        guard let value = macro(name), Self.isPerlTrue(value) else { return nil }
        return value
    }

    /// Perl's truth of a defined string.
    static func isPerlTrue(_ value: String) -> Bool { !value.isEmpty && value != "0" }

    /// Perl's `get_my_hostname`: the MTA's `j` macro, else `{rcpt_host}`,
    /// else the system host name. Sanitize names this host in the
    /// `X-Received-...` notes and strips its first label to find the
    /// domain whose results it removes.
    var myHostname: String {
        perlTrueMacro("j") ?? perlTrueMacro("rcpt_host") ?? systemHostname
    }

    /// Perl's `get_my_authserv_id`: the configured `authserv_id`, else
    /// `myHostname`; the authserv-id of the header this milter writes.
    var myAuthservID: String {
        if let configured = authservIDSetting, Self.isPerlTrue(configured) { return configured }
        return myHostname
    }
}
