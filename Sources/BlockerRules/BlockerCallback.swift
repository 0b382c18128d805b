/// The milter stages a Blocker rule can name (`callback = "..."`), and
/// what the rule's `value` regex is matched against at each:
///
/// - `connect`: the client's address (after `ip_map`), IPv6 written out in
///   full as Perl's `Net::IP->ip` does (`2001:0db8:0000:...`);
/// - `helo`: the HELO/EHLO name (after `helo_map`);
/// - `envfrom`, `envrcpt`: the MAIL FROM / RCPT TO argument as the MTA
///   sends it, angle brackets included;
/// - `header`: each header field as `Name: value`.
public enum BlockerCallback: String, CaseIterable, Sendable {
    case connect, helo, envfrom, envrcpt, header
}
