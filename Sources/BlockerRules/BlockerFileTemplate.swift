/// What the milter writes into a rule file named in `blocker_configs`
/// that does not exist yet, as Perl's handler does: no rules, only
/// comments that explain the format (in our words).
public enum BlockerFileTemplate {
    public static let text = """

        # Blocker rules for authentication_milter
        #
        # One [table] per rule; its name is the rule's id (unique, used in the log).
        #   callback  the stage: connect, helo, envfrom, envrcpt or header
        #   value     a regex matched anywhere in that stage's text
        #             (the client IP, the HELO name, the MAIL FROM or RCPT TO
        #             argument, or "Name: value" of each header)
        #   with      the SMTP reply: "5xx 5.x.x text" rejects, "4xx 4.x.x text" defers
        #   percent   the share of matching mail the rule acts on (0 to 100)
        #   until     optional: a Unix time after which the rule is ignored
        #
        # Example:
        #
        # [example-flood]
        # callback = "connect"
        # value = "^192\\\\.0\\\\.2\\\\.1$"
        # with = "451 4.7.28 flood policy violation"
        # percent = 100
        # until = 1573514783

        """
}
