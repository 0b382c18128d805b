import MailAuth
import Testing

/// RFC 6376 section 3.4, with dkimpy's canonicalization cases
/// (dkim/tests/test_canonicalization.py) and streaming checks.
@Suite struct CanonicalizationTests {
    static func body(_ text: String, _ algorithm: Canonicalization, limit: UInt64? = nil) -> String {
        var canonicalizer = CanonicalizationBody(algorithm, limit: limit)
        var out: [UInt8] = []
        canonicalizer.update(Array(text.utf8)) { out.append(contentsOf: $0) }
        canonicalizer.finish { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    static func header(_ name: String, _ value: String, _ algorithm: Canonicalization) -> String {
        String(decoding: CanonicalizationHeader.canonicalize(MessageHeaderField(name: name, value: value), algorithm), as: UTF8.self)
    }

    // MARK: Headers

    @Test func simpleHeadersAreUntouched() {
        #expect(Self.header("Foo  ", "bar", .simple) == "Foo  :bar\r\n")
        #expect(Self.header("Subject", " a\r\n\tb  ", .simple) == "Subject: a\r\n\tb  \r\n")
    }

    @Test func relaxedHeaders() {
        #expect(Self.header("Foo", "Bar", .relaxed) == "foo:Bar\r\n")
        #expect(Self.header("BaZ", "Foo", .relaxed) == "baz:Foo\r\n")
        #expect(Self.header("Foo", "Bar\r\n baz", .relaxed) == "foo:Bar baz\r\n")
        #expect(Self.header("Foo", "Bar \t baz", .relaxed) == "foo:Bar baz\r\n")
        #expect(Self.header("Foo  ", "   Bar \t baz   ", .relaxed) == "foo:Bar baz\r\n")
        #expect(Self.header("Subject", " \r\n\t  ", .relaxed) == "subject:\r\n")
        // RFC 6376 section 3.4.5's example.
        #expect(Self.header("A", " X", .relaxed) == "a:X\r\n")
        #expect(Self.header("B ", " Y\t\r\n\tZ  ", .relaxed) == "b:Y Z\r\n")
        // Bytes that are not UTF-8 pass through.
        let latin = MessageHeaderField(name: [0x53], value: [0x20, 0xE9, 0x20, 0x20, 0xFF])
        #expect(CanonicalizationHeader.canonicalize(latin, .relaxed) == [0x73, 0x3A, 0xE9, 0x20, 0xFF, 0x0D, 0x0A])
    }

    // MARK: Bodies

    @Test func simpleBodies() {
        #expect(Self.body("Foo  \tbar    \r\n\r\n", .simple) == "Foo  \tbar    \r\n")
        #expect(Self.body("Foo bar", .simple) == "Foo bar\r\n")
        #expect(Self.body("", .simple) == "\r\n")
        #expect(Self.body("\r\n", .simple) == "\r\n")
        #expect(Self.body("\r\n\r\n", .simple) == "\r\n")
        #expect(Self.body("a\r\n\r\nb\r\n\r\n\r\n", .simple) == "a\r\n\r\nb\r\n")
        #expect(Self.body(" \r\n", .simple) == " \r\n")
    }

    @Test func relaxedBodies() {
        #expect(Self.body("Foo  \t\r\nbar\r\n", .relaxed) == "Foo\r\nbar\r\n")
        #expect(Self.body("Foo  \t  bar\r\n", .relaxed) == "Foo bar\r\n")
        #expect(Self.body("Foo\r\nbar\r\n\r\n\r\n", .relaxed) == "Foo\r\nbar\r\n")
        #expect(Self.body("Foo bar", .relaxed) == "Foo bar\r\n")
        #expect(Self.body("", .relaxed) == "")
        #expect(Self.body("\r\n", .relaxed) == "")
        #expect(Self.body("\r\n\r\n", .relaxed) == "")
        #expect(Self.body(" \t \r\n  \r\n", .relaxed) == "")
        #expect(Self.body("a\r\n \r\nb \r\n", .relaxed) == "a\r\n\r\nb\r\n")
        #expect(Self.body(" leading", .relaxed) == " leading\r\n")
        // RFC 6376 section 3.4.6's example.
        #expect(Self.body(" C \r\nD \t E\r\n\r\n\r\n", .relaxed) == " C\r\nD E\r\n")
        #expect(Self.body(" C \r\nD \t E\r\n\r\n\r\n", .simple) == " C \r\nD \t E\r\n")
    }

    /// The Perl milter turns every `\r?\n` into CRLF and leaves a lone CR.
    @Test func lineEnds() {
        for algorithm in Canonicalization.allCases {
            #expect(Self.body("a\nb\n\n", algorithm) == "a\r\nb\r\n")
            #expect(Self.body("a\rb\r\n", algorithm) == "a\rb\r\n")
            #expect(Self.body("a\r", algorithm) == "a\r\r\n")
        }
    }

    @Test func lengthLimit() {
        #expect(Self.body("Hello world\r\nmore\r\n", .simple, limit: 5) == "Hello")
        #expect(Self.body("Hello world\r\nmore\r\n", .relaxed, limit: 0) == "")
        #expect(Self.body("Hi\r\n", .simple, limit: 100) == "Hi\r\n")
        var canonicalizer = CanonicalizationBody(.relaxed, limit: 3)
        var out: [UInt8] = []
        canonicalizer.update(Array("ab  cd\r\n\r\n".utf8)) { out.append(contentsOf: $0) }
        canonicalizer.finish { out.append(contentsOf: $0) }
        #expect(out == Array("ab ".utf8))
        #expect(canonicalizer.canonicalLength == 7)
    }

    /// Any split of the input gives the same output as one chunk: the
    /// state carried between chunks (pending CR, empty lines, space) is
    /// complete.
    @Test func chunkingDoesNotMatter() {
        var generator = SplitMix64(seed: 2024)
        let alphabet: [UInt8] = Array("ab \t\r\n\n\r".utf8)
        for _ in 0..<300 {
            let length = Int(generator.next() % 60)
            let input = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            for algorithm in Canonicalization.allCases {
                let limit: UInt64? = generator.next() % 3 == 0 ? generator.next() % 40 : nil
                var whole = CanonicalizationBody(algorithm, limit: limit)
                var expected: [UInt8] = []
                whole.update(input) { expected.append(contentsOf: $0) }
                whole.finish { expected.append(contentsOf: $0) }
                var pieces = CanonicalizationBody(algorithm, limit: limit)
                var actual: [UInt8] = []
                var index = 0
                while index < input.count {
                    let end = min(input.count, index + 1 + Int(generator.next() % 5))
                    pieces.update(Array(input[index..<end])) { actual.append(contentsOf: $0) }
                    index = end
                }
                pieces.finish { actual.append(contentsOf: $0) }
                #expect(actual == expected, "\(algorithm) \(input)")
                #expect(pieces.canonicalLength == whole.canonicalLength)
            }
        }
    }

    // MARK: c= values (dkimpy's CanonicalizationPolicy cases)

    @Test func canonicalizationTagValues() {
        #expect(Canonicalization.parsePair(nil)! == (.simple, .simple))
        #expect(Canonicalization.parsePair("relaxed")! == (.relaxed, .simple))
        #expect(Canonicalization.parsePair("simple/relaxed")! == (.simple, .relaxed))
        #expect(Canonicalization.parsePair("Relaxed/Relaxed")! == (.relaxed, .relaxed))
        #expect(Canonicalization.parsePair("simple/simple")! == (.simple, .simple))
        for bad in ["simple/simple/simple", "relaxed/stressed", "worried", "/", "relaxed/"] {
            #expect(Canonicalization.parsePair(bad) == nil, "\(bad)")
        }
    }
}
