import Foundation
import MailAuth
import TestSupport
import Testing

/// Mail::SPF (Debian `libmail-spf-perl`, the library the Perl milter runs)
/// and our evaluator on the same records and the same DNS data (a
/// Net::DNS::Resolver::Programmable zone there, an in-memory zone here):
/// the result code, Mail::SPF's result text and its local explanation (the
/// `Received-SPF` comment) must be the same words. Skipped, with a note,
/// when the Perl modules are not installed (scripts/install-deps.sh
/// installs them).
@Suite struct SPFInteropTests {
    /// The zone both sides see besides the record under test at spf.test.
    static let zone: [(name: String, type: String, data: String)] = [
        ("inc.spf.test", "TXT", "v=spf1 ip4:192.0.2.2 -all"),
        ("soft.spf.test", "TXT", "v=spf1 ~all"),
        ("a.spf.test", "A", "192.0.2.3"),
        ("mx.spf.test", "A", "192.0.2.4"),
        ("spf.test", "MX", "mx.spf.test"),
        ("loop.spf.test", "TXT", "v=spf1 include:loop.spf.test -all"),
        ("two.spf.test", "TXT", "v=spf1 -all"),
        ("two.spf.test", "TXT", "v=spf1 +all"),
    ]

    /// Records at spf.test, evaluated for user@spf.test from 192.0.2.1
    /// (HELO mx.spf.test): syntax errors (each Mail::SPF exception text),
    /// matches of each mechanism, include/redirect outcomes.
    static let records: [String] = [
        "v=spf1 ip4:192.0.2.0/33 -all",
        "v=spf1 ip6:2001:db8::/129 -all",
        "v=spf1 ip4:192.0.2.1/24/64 -all",
        "v=spf1 ip4:300.1.1.1 -all",
        "v=spf1 ip4 -all",
        "v=spf1 ip6:zz -all",
        "v=spf1 foo -all",
        "v=spf1 foo:bar -all",
        "v=spf1 a:%{z}.x -all",
        "v=spf1 a:%{ -all",
        "v=spf1 mx:%{ -all",
        "v=spf1 a:x.%{d2r -all",
        "v=spf1 include -all",
        "v=spf1 include: -all",
        "v=spf1 redirect=a redirect=b",
        "v=spf1 redirect=inc.spf.test redirect=soft.spf.test",
        "v=spf1 exp=x.spf.test exp=y.spf.test -all",
        "v=spf1 exp= -all",
        "v=spf1 a/33 -all",
        "v=spf1 a//129 -all",
        "v=spf1 all -all extra",
        "v=spf1 -all",
        "v=spf1 ~all",
        "v=spf1 ?all",
        "v=spf1 +all",
        "v=spf1 ip4:192.0.2.1 -all",
        "v=spf1 ip4:192.0.2.0/24 -all",
        "v=spf1 a:a.spf.test -all",
        "v=spf1 mx -all",
        "v=spf1 include:inc.spf.test -all",
        "v=spf1 include:soft.spf.test -all",
        "v=spf1 include:missing.spf.test -all",
        "v=spf1 include:loop.spf.test -all",
        "v=spf1 include:two.spf.test -all",
        "v=spf1 redirect=inc.spf.test",
        "v=spf1 redirect=missing.spf.test",
        "v=spf1 exists:%{i}.spf.test -all",
        "v=spf1 ptr -all",
        "v=spf1 -ip4:192.0.2.1 +all",
        "v=spf1 mx:spf.test/24 -all",
    ]

    static let perl = """
        use strict; use warnings;
        use Mail::SPF; use Net::DNS::Resolver::Programmable; use Net::DNS::RR;
        binmode STDOUT, ':raw';
        my %zone;
        open my $z, '<', 'zone.txt' or die;
        while (my $l = <$z>) { chomp $l; my ($n, $t, $d) = split /\\t/, $l, 3;
          $d = qq{"$d"} if $t eq 'TXT'; $d = "10 $d." if $t eq 'MX';
          push @{$zone{$n}}, Net::DNS::RR->new("$n. 300 IN $t $d"); }
        open my $r, '<', 'records.txt' or die;
        while (my $record = <$r>) {
          chomp $record;
          my %records = %zone;
          $records{'spf.test'} = [ @{$zone{'spf.test'} || []}, Net::DNS::RR->new(qq{spf.test. 300 IN TXT "$record"}) ];
          my $resolver = Net::DNS::Resolver::Programmable->new(records => \\%records);
          my $server = Mail::SPF::Server->new(dns_resolver => $resolver);
          my $request = Mail::SPF::Request->new(scope => 'mfrom', identity => 'user@spf.test',
                                                ip_address => '192.0.2.1', helo_identity => 'mx.spf.test');
          my $result = $server->process($request);
          print join("\\t", $result->code, $result->text, $result->local_explanation), "\\n";
        }
        """

    static let hasMailSPF = ExternalCommand.perlHas(["Mail::SPF", "Net::DNS::Resolver::Programmable"])

    /// Mail::SPF's (code, text, local explanation) for each record.
    static func mailSPF() throws -> [[String]] {
        let run = try ExternalCommand.run(["perl", "spf.pl"], files: [
            "zone.txt": Array(zone.map { "\($0.name)\t\($0.type)\t\($0.data)\n" }.joined().utf8),
            "records.txt": Array(records.map { $0 + "\n" }.joined().utf8),
            "spf.pl": Array(perl.utf8),
        ], separateErrors: true)
        return run.output.split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    static func ours(_ record: String) -> [String] {
        var resolver = InMemoryDNSResolver()
        for entry in zone {
            switch entry.type {
            case "TXT": resolver.add(entry.name, .txt(entry.data))
            case "A": resolver.add(entry.name, .a(entry.data))
            case "MX": resolver.add(entry.name, .mx(preference: 10, exchange: entry.data))
            default: break
            }
        }
        resolver.add("spf.test", .txt(record))
        let result = SPFEvaluator(resolver: resolver, options: SPFOptions())
            .evaluate(.mailFrom("user@spf.test", ip: IPAddress("192.0.2.1")!, helo: "mx.spf.test"))
        return [result.code.rawValue, result.text, result.localExplanation]
    }

    @Test func theSameCodeTextAndExplanationAsMailSPF() throws {
        guard Self.hasMailSPF else {
            try Test.cancel("Mail::SPF or Net::DNS::Resolver::Programmable is not installed (Debian libmail-spf-perl, libnet-dns-resolver-programmable-perl)")
        }
        let theirs = try Self.mailSPF()
        try #require(theirs.count == Self.records.count, "Mail::SPF answered \(theirs.count) of \(Self.records.count) records")
        for (record, expected) in zip(Self.records, theirs) {
            #expect(Self.ours(record) == expected, "record: \(record)")
        }
    }
}
