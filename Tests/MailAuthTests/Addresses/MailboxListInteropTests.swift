import Foundation
import MailAuth
import TestSupport
import Testing

/// Email::Address::XS (Debian `libemail-address-xs-perl`, the parser the
/// newest Perl milter uses for From) and `MailboxListParser` on the same
/// hostile header values (every form Perl's handlers meet): both must agree on whether the field is valid
/// and, when it is, on every mailbox's address and domain. Skipped, with a
/// note, when the Perl module is not installed (scripts/install-deps.sh
/// installs it).
@Suite struct MailboxListInteropTests {
    static let fields: [String] = [
        "user@example.com",
        "<user@example.com>",
        "User Name <user@example.com>",
        "\"User Name\" <user@example.com>",
        "\"a <x@junk.com>\"@victim.example",
        "\"a <x@junk.com>\" <y@victim.example>",
        "a@b@example.net",
        "foo",
        "",
        "   ",
        "Undisclosed recipients:;",
        "g: a@x.example, b@y.example;",
        "g: a@x.example, b@y.example",
        "a@x.example, b@y.example",
        "a@x.example,, b@y.example",
        "a@x.example,",
        ",a@x.example",
        "(comment) user@example.com",
        "user@example.com (comment)",
        "user(comment)@example.com",
        "user@(comment)example.com",
        "(nested (comment) @ junk.com) user@example.com",
        "(unclosed user@example.com",
        "=?UTF-8?B?w6k=?= <user@example.com>",
        "=?UTF-8?Q?a_b?= <user@example.com>",
        "Name <user@example.com> junk",
        "Name <user@example.com",
        "Name user@example.com>",
        "<a@x.example> <b@y.example>",
        "Evil <a@x.example>@y.example",
        "\"quoted\"@example.com",
        "\"a b\"@example.com",
        "\"a\\\"b\"@example.com",
        "first.last@example.com",
        "first..last@example.com",
        ".first@example.com",
        "first.@example.com",
        "first . last @ example . com",
        "\"first\".last@example.com",
        "user@[192.0.2.1]",
        "user@[IPv6:2001:db8::1]",
        "user@example..com",
        "user@.example.com",
        "user@example.com.",
        "user@-example.com",
        "user@exa_mple.com",
        "<@route.example:user@example.com>",
        "<@a.example,@b.example:user@example.com>",
        "usér@bücher.example",
        "Jörg <joerg@example.com>",
        "user@",
        "@example.com",
        "<>",
        "user@example.com;",
        "user@example.com\\",
        "\"unterminated@example.com",
        "user@exa mple.com",
        "Mr. Smith <smith@example.com>",
        "a@x.example, g: ;, b@y.example",
        "g: (comment) ;",
        "user@example.com (a) (b)",
        ": a@x.example;",
        "g: a@x.example",
        "g: a@x.example; b@y.example",
        "a@x.example, g: b@y.example",
        "a@x.example (unclosed",
        "<a@x.example",
        "a@x.example b@y.example",
    ]

    static let perl = """
        use strict; use warnings;
        use Email::Address::XS qw(parse_email_groups);
        binmode STDIN, ':raw'; binmode STDOUT, ':raw';
        while (my $line = <STDIN>) {
          chomp $line;
          my @groups = parse_email_groups($line);
          my @out; my $valid = 1;
          while (@groups) {
            my ($group, $list) = splice(@groups, 0, 2);
            for my $address (@$list) {
              if (!$address->is_valid) { $valid = 0; next; }
              push @out, $address->address . ' ' . lc($address->host);
            }
          }
          print $valid ? join(',', @out) : 'INVALID', "\\n";
        }
        """

    static let hasEmailAddressXS = ExternalCommand.perlHas(["Email::Address::XS"])

    static func theirs() throws -> [String] {
        let run = try ExternalCommand.run(["perl", "-e", perl], input: Data(fields.map { $0 + "\n" }.joined().utf8),
                                          separateErrors: true)
        return run.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static func ours(_ field: String) -> String {
        switch MailboxListParser.parse(field) {
        case .failure: return "INVALID"
        case .success(let list): return list.mailboxes.map { $0.addrSpec + " " + $0.domain.lowercased() }.joined(separator: ",")
        }
    }

    /// Where we differ on purpose (docs/addresses.md): the field, then
    /// what we give and what Email::Address::XS gives.
    static let deliberate: [String: (ours: String, theirs: String)] = [
        // RFC 5322 obs-local-part keeps the dot; XS drops it.
        "\"first\".last@example.com": ("first.last@example.com example.com", "firstlast@example.com example.com"),
        // An unclosed comment: a syntax error here, an empty list there
        // (both dmarc=permerror).
        "(unclosed user@example.com": ("INVALID", ""),
        // The address after a group without a comma: read here, dropped there.
        "g: a@x.example; b@y.example": ("a@x.example x.example,b@y.example y.example", "a@x.example x.example"),
    ]

    @Test func theSameVerdictAndAddressesAsEmailAddressXS() throws {
        guard Self.hasEmailAddressXS else {
            try Test.cancel("Email::Address::XS is not installed (Debian libemail-address-xs-perl)")
        }
        let theirs = try Self.theirs()
        try #require(theirs.count == Self.fields.count, "Email::Address::XS answered \(theirs.count) of \(Self.fields.count)")
        for (field, expected) in zip(Self.fields, theirs) {
            if let known = Self.deliberate[field] {
                // Still checked: should Email::Address::XS change, we hear of it.
                #expect(expected == known.theirs, "field: \(field)")
                #expect(Self.ours(field) == known.ours, "field: \(field)")
            } else {
                #expect(Self.ours(field) == expected, "field: \(field)")
            }
        }
    }
}
