import Foundation
import MailAuth
import TestSupport
import Testing

/// Cross-checks against independent implementations, when installed:
/// dkimpy (Debian `python3-dkim`) signs what we verify and verifies what we
/// sign; Mail::DKIM (Debian `libmail-dkim-perl`, the library the Perl milter
/// runs) must give the same `result_detail` as ours for the same message
/// and DNS. Each is skipped, with a note, when its package is missing.
/// Neither needs the network: both get their keys from a function the
/// test hands them.
@Suite(.requiresConformanceData(.dkim)) struct DKIMInteropTests {
    // MARK: Running the other implementations

    static func run(_ arguments: [String], files: [String: [UInt8]]) throws -> ExternalCommand.Run {
        try ExternalCommand.run(arguments, files: files)
    }

    /// Debian's interpreter: a python3 earlier in PATH (pyenv, a venv) does
    /// not see the Debian package.
    static let python: String = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    static let hasDkimpy: Bool = (try? run([python, "-c", "import dkim"], files: [:]).status) == 0
    static let hasMailDKIM: Bool = (try? run(["perl", "-MMail::DKIM::Verifier", "-MNet::DNS", "-e", "1"], files: [:]).status) == 0

    /// dkimpy verifies every signature of `message.eml` with the key
    /// records in `zone.txt` (name TAB record per line) and prints one
    /// True/False per signature.
    static let dkimpyVerify = """
        import dkim, sys
        zone = dict(line.rstrip("\\n").split("\\t", 1) for line in open("zone.txt"))
        msg = open("message.eml", "rb").read()
        d = dkim.DKIM(msg, minkey=1024)
        count = sum(1 for (k, v) in d.headers if k.lower() == b"dkim-signature")
        for i in range(count):
            print(d.verify(idx=i, dnsfunc=lambda name, timeout=5: zone.get(name.decode().rstrip("."), "").encode()))
        """

    /// dkimpy signs `message.eml` with `key` and prints the signature field.
    static let dkimpySign = """
        import dkim, sys
        selector, domain, header, body, algorithm = sys.argv[1:6]
        msg = open("message.eml", "rb").read()
        key = open("key", "rb").read()
        sig = dkim.sign(msg, selector.encode(), domain.encode(), key, canonicalize=(header.encode(), body.encode()),
                        signature_algorithm=algorithm.encode(), include_headers=[b"from", b"to", b"subject"])
        sys.stdout.buffer.write(sig)
        """

    /// Mail::DKIM, as the Perl milter runs it (`Strict => 1`), with its DNS
    /// replaced by `zone.txt` (name TAB record, or TIMEOUT / SERVFAIL /
    /// NXDOMAIN); prints one result_detail per signature.
    static let mailDKIMVerify = """
        use strict; use warnings;
        use Mail::DKIM::Verifier; use Mail::DKIM::DNS; use Net::DNS;
        my %zone;
        open my $z, '<', 'zone.txt' or die; while (<$z>) { chomp; my ($n, $v) = split /\\t/, $_, 2; $zone{lc $n} = $v; }
        no warnings 'redefine';
        *Mail::DKIM::DNS::query = sub {
            my ($domain, $type) = @_;
            my $v = $zone{lc $domain};
            if (!defined $v || $v eq 'NXDOMAIN') { $@ = 'NXDOMAIN'; return; }
            die "DNS error: query timed out\\n" if $v eq 'TIMEOUT';
            die "DNS error: SERVFAIL\\n" if $v eq 'SERVFAIL';
            my @strings = ($v =~ /(.{1,255})/gs);
            return (Net::DNS::RR->new(name => $domain, type => 'TXT', txtdata => [@strings]));
        };
        my $dkim = Mail::DKIM::Verifier->new(Strict => 1);
        open my $m, '<', 'message.eml' or die; binmode $m;
        while (<$m>) { chomp; s/\\015$//; $dkim->PRINT("$_\\015\\012"); }
        $dkim->CLOSE;
        print $_->result_detail, "\\n" for $dkim->signatures;
        """

    static func zoneFile(_ records: [String: String]) -> [UInt8] {
        Array(records.map { "\($0.key)\t\($0.value)\n" }.joined().utf8)
    }

    static let message = Array("From: Joe <joe@example.com>\nTo: Suzie <suzie@example.net>\nSubject: dinner\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n\nHi.\n\n  How  are you?  \n\n\n".utf8)

    static func keys() throws -> [(DKIMSigningKey, [UInt8], String, String)] {
        // (key, dkimpy's key file, domain, record)
        let rsa = try DKIMSigningKey(pem: DKIMTestData.text("2048_testkey.key"))
        let ed = try DKIMTestData.ed25519Key()
        return [
            (rsa, try DKIMTestData.bytes("2048_testkey.key"), "example.com", try rsa.keyRecord()),
            (ed, Array(try DKIMTestData.record("ed25519test.key").utf8), "example.net", try ed.keyRecord()),
        ]
    }

    // MARK: dkimpy

    @Test func dkimpyVerifiesWhatWeSign() throws {
        guard Self.hasDkimpy else {
            print("skipped: python3-dkim is not installed (apt-get install python3-dkim)")
            return
        }
        for (key, _, domain, record) in try Self.keys() {
            for (header, body) in DKIMTestData.canonicalizations {
                var signed = try DKIMTestData.sign(Self.message, key: key, domain: domain, header: header, body: body)
                // A second, l= signature on top, to cover body length too.
                signed = try DKIMTestData.sign(signed, key: key, domain: domain, header: header, body: body) {
                    $0.includeBodyLength = true
                }
                let run = try Self.run([Self.python, "-c", Self.dkimpyVerify], files: [
                    "message.eml": signed, "zone.txt": Self.zoneFile(["test._domainkey.\(domain)": record])])
                #expect(run.output == "True\nTrue\n", "\(key.keyType) \(header)/\(body): \(run.output)")
            }
        }
    }

    @Test func weVerifyWhatDkimpySigns() throws {
        guard Self.hasDkimpy else {
            print("skipped: python3-dkim is not installed (apt-get install python3-dkim)")
            return
        }
        for (key, keyFile, domain, record) in try Self.keys() {
            let dns = DKIMTestData.zone(["test._domainkey.\(domain)": record])
            for (header, body) in DKIMTestData.canonicalizations {
                let algorithm = key.keyType == .rsa ? "rsa-sha256" : "ed25519-sha256"
                let run = try Self.run([Self.python, "-c", Self.dkimpySign, "test", domain, header.rawValue, body.rawValue, algorithm],
                                       files: ["message.eml": Self.message, "key": keyFile])
                #expect(run.status == 0, "\(run.output)")
                let signed = Array(run.output.utf8) + Self.message
                let results = DKIMVerifier.verify(message: signed, resolver: dns)
                #expect(results.map(\.detail) == ["pass"], "\(algorithm) \(header)/\(body)")
                #expect(results.first?.canonicalization == "\(header.rawValue)/\(body.rawValue)")
            }
        }
    }

    // MARK: Mail::DKIM

    /// Messages with one RSA signature each (Debian's Mail::DKIM predates
    /// Ed25519), covering the reasons both implementations share. Cases
    /// where we are deliberately stricter than Mail::DKIM are in
    /// docs/dkim.md and checked in DKIMVerifierTests instead.
    static func mailDKIMCases() throws -> [(String, [UInt8], [String: String])] {
        let key = try DKIMTestData.rsaKey()
        let record = try DKIMTestData.record("test.txt")
        let good = ["test._domainkey.example.com": record]
        func signed(_ configure: (inout DKIMSignerOptions) -> Void = { _ in }) throws -> String {
            String(decoding: try DKIMTestData.sign(Self.message, key: key, header: .simple, body: .simple, configure: configure),
                   as: UTF8.self)
        }
        let plain = try signed()
        func edited(_ old: String, _ new: String) -> [UInt8] {
            Array(plain.replacingOccurrences(of: old, with: new).utf8)
        }
        var cases: [(String, [UInt8], [String: String])] = [
            ("pass", Array(plain.utf8), good),
            ("altered body", edited("How  are", "Who  are"), good),
            ("altered header", edited("Subject: dinner", "Subject: lunch"), good),
            ("relaxed pass", Array(try DKIMTestData.sign(Self.message, key: key).utf8String.utf8), good),
            ("no key", Array(plain.utf8), [:]),
            ("servfail", Array(plain.utf8), ["test._domainkey.example.com": "SERVFAIL"]),
            ("timeout", Array(plain.utf8), ["test._domainkey.example.com": "TIMEOUT"]),
            ("revoked", Array(plain.utf8), ["test._domainkey.example.com": "v=DKIM1; p="]),
            ("bad version", Array(plain.utf8), ["test._domainkey.example.com": try DKIMTestData.record("badversion.txt")]),
            ("bad k", Array(plain.utf8), ["test._domainkey.example.com": try DKIMTestData.record("badk.txt")]),
            ("no p", Array(plain.utf8), ["test._domainkey.example.com": "v=DKIM1; k=rsa"]),
            ("bad p", Array(plain.utf8), ["test._domainkey.example.com": "v=DKIM1; p=!!"]),
            ("not email", Array(plain.utf8), ["test._domainkey.example.com": record + "; s=tlsrpt"]),
            ("hash", Array(plain.utf8), ["test._domainkey.example.com": record + "; h=sha1"]),
            ("key syntax", Array(plain.utf8), ["test._domainkey.example.com": "v=DKIM1; p"]),
            ("unsupported version", edited("v=1;", "v=2;"), good),
            ("unsupported algorithm", edited("a=rsa-sha256", "a=rsa-md5"), good),
            ("sha1", Array(try DKIMTestData.sign(Self.message, key: key) { $0.algorithm = .rsaSHA1 }.utf8String.utf8), good),
            ("canonicalization", edited("c=simple/simple", "c=fancy"), good),
            ("expired", Array(try signed { $0.expiresAfter = -100_000_000 }.utf8), good),
            ("query", edited("v=1;", "v=1; q=dns/ldap;"), good),
            ("bad identity", Array(try signed { $0.identity = "joe@example.com" }
                .replacingOccurrences(of: "i=joe@example.com", with: "i=joe@example.org").utf8), good),
            ("subdomain", Array(try signed { $0.identity = "joe@mail.example.com" }.utf8),
             ["test._domainkey.example.com": record + "; t=s"]),
            ("testing", Array(plain.utf8), ["test._domainkey.example.com": record + "; t=y"]),
        ]
        // Two signatures, each judged on its own.
        let double = try DKIMTestData.sign(Array(plain.utf8), key: key, selector: "other")
        cases.append(("two signatures", double, good))
        return cases
    }

    @Test func sameDetailsAsMailDKIM() throws {
        guard Self.hasMailDKIM else {
            print("skipped: Mail::DKIM is not installed (apt-get install libmail-dkim-perl)")
            return
        }
        // Mail::DKIM checks x= against the real clock.
        let options = DKIMVerifierOptions(clock: .system)
        for (name, message, records) in try Self.mailDKIMCases() {
            let run = try Self.run(["perl", "-e", Self.mailDKIMVerify],
                                   files: ["message.eml": message, "zone.txt": Self.zoneFile(records)])
            var dns = InMemoryDNSResolver()
            for (owner, value) in records {
                switch value {
                case "SERVFAIL": dns.markServfail(owner)
                case "TIMEOUT": dns.markTimeout(owner)
                default: dns.add(owner, DKIMTestData.txt(value))
                }
            }
            let ours = DKIMVerifier.verify(message: message, resolver: dns, options: options).map(\.detail)
            let theirs = run.output.split(separator: "\n").map(String.init)
            #expect(ours == theirs, "\(name)")
        }
    }
}

private extension Array where Element == UInt8 {
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}
