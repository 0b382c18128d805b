import Testing
import JSON
@testable import Metrics

@Suite struct MetricsHTTPRequestTests {
    func parse(_ text: String) -> MetricsHTTPRequest.Parse { MetricsHTTPRequest.parse(Array(text.utf8)) }

    @Test func theFourRoutes() {
        #expect(parse("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n") == .request(.init(route: .metrics, headOnly: false)))
        #expect(parse("GET / HTTP/1.0\r\n\r\n") == .request(.init(route: .index, headOnly: false)))
        #expect(parse("GET /config HTTP/1.0\n\n") == .request(.init(route: .config, headOnly: false)))
        #expect(parse("HEAD /grafana HTTP/1.1\r\n\r\n") == .request(.init(route: .grafana, headOnly: true)))
        #expect(parse("GET /metrics?name[]=x HTTP/1.1\r\n\r\n") == .request(.init(route: .metrics, headOnly: false)))
    }

    @Test func incompleteUntilTheBlankLine() {
        #expect(parse("") == .incomplete)
        #expect(parse("GET /metrics HTTP/1.1\r\n") == .incomplete)
        #expect(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n") == .incomplete)
    }

    @Test func hostileRequests() {
        #expect(parse("GET /../../etc/passwd HTTP/1.1\r\n\r\n") == .refused(.notFound))
        #expect(parse("GET /metrics/ HTTP/1.1\r\n\r\n") == .refused(.notFound))
        #expect(parse("GET /css/normalize.css HTTP/1.1\r\n\r\n") == .refused(.notFound))
        #expect(parse("GET http://evil/metrics HTTP/1.1\r\n\r\n") == .refused(.badRequest))
        #expect(parse("POST /metrics HTTP/1.1\r\n\r\n") == .refused(.methodNotAllowed))
        #expect(parse("get /metrics HTTP/1.1\r\n\r\n") == .refused(.badRequest))
        #expect(parse("GET  /metrics HTTP/1.1\r\n\r\n") == .refused(.badRequest))
        #expect(parse("GET /metrics HTTP/2.0\r\n\r\n") == .refused(.badRequest))
        #expect(parse("GET /metrics\r\n\r\n") == .refused(.badRequest))
        #expect(parse("GET /met\u{0}rics HTTP/1.1\r\n\r\n") == .refused(.badRequest))
        #expect(parse("GET /m\u{7F} HTTP/1.1\r\n\r\n") == .refused(.badRequest))
        #expect(MetricsHTTPRequest.parse(Array("GET /".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\n\r\n".utf8)) == .refused(.badRequest))
        #expect(parse("\r\n\r\n") == .refused(.badRequest))
    }

    @Test func theHeadIsBounded() {
        let endless = Array("GET /metrics HTTP/1.1\r\nX: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: MetricsHTTPRequest.maximumBytes)
        #expect(MetricsHTTPRequest.parse(endless) == .refused(.requestTooLarge))
        let lateEnd = endless + Array("\r\n\r\n".utf8)
        #expect(MetricsHTTPRequest.parse(lateEnd) == .refused(.requestTooLarge))
        let justUnder = Array("GET /metrics HTTP/1.1\r\n\r\n".utf8)
        #expect(MetricsHTTPRequest.parse(justUnder + Array(repeating: 0, count: 100)) == .request(.init(route: .metrics, headOnly: false)))
    }

    @Test func responseHead() {
        let response = MetricsHTTPResponse(status: .ok, body: Array("hi\n".utf8))
        #expect(String(decoding: response.bytes(), as: UTF8.self)
                == "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nConnection: close\r\n\r\nhi\n")
        #expect(String(decoding: response.bytes(headOnly: true), as: UTF8.self).hasSuffix("\r\n\r\n"))
        #expect(String(decoding: MetricsHTTPResponse(refusal: .forbidden).bytes(), as: UTF8.self).hasPrefix("HTTP/1.0 403 Forbidden\r\n"))
    }

    @Test func pagesEscapeAndDashboardHasHandlerRows() throws {
        let page = MetricsIndexPage.html(version: "1", ident: "<script>", handlers: ["DKIM"], connections: [("default", "inet:1@x")], basicHTTP: true)
        #expect(page.contains("&lt;script&gt;"))
        #expect(!page.contains("/grafana"))
        let dashboard = GrafanaDashboard.json(ident: "mx", enabledHandlers: ["DKIM", "SPF"])
        let text = JSONSerializer.string(dashboard)
        let reread = try JSONParser.parse(Array(text.utf8))
        #expect(reread == dashboard)
        let titles = dashboard["panels"]?.arrayValue?.compactMap { $0["title"]?.stringValue } ?? []
        #expect(titles.contains("DKIM"))
        #expect(titles.contains("SPF"))
        #expect(!titles.contains("DMARC"))
        #expect(text.contains("authmilter_dkim_signatures{ident=\\\"mx\\\"}"))
    }
}
