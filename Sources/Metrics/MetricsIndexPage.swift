/// The `/` page: what runs and where the other pages are, as Perl's index
/// (version, ident, handlers, connections). Every value is HTML-escaped.
public enum MetricsIndexPage {
    public static func html(version: String, ident: String, handlers: [String], connections: [(name: String, spec: String)],
                            basicHTTP: Bool) -> String {
        var page = "<!DOCTYPE html>\n<html>\n<head>\n<title>Authentication Milter</title>\n</head>\n<body>\n"
        page += "<h1>Authentication Milter</h1>\n"
        page += "<p>Version: \(escape(version))<br />Ident: \(escape(ident))</p>\n"
        page += "<h2>Installed Handlers</h2>\n<ul>\n"
        for handler in handlers { page += "<li>\(escape(handler))</li>\n" }
        page += "</ul>\n<h2>Connection/Config Details</h2>\n<ul>\n<li>Protocol: milter</li>\n"
        for connection in connections { page += "<li>\(escape(connection.name)): \(escape(connection.spec))</li>\n" }
        if !basicHTTP { page += "<li>Effective config (<a href=\"/config\">json</a>)</li>\n" }
        page += "</ul>\n<h2>Metrics</h2>\n<ul>\n<li><a href=\"/metrics\">Prometheus metrics endpoint</a></li>\n"
        if !basicHTTP { page += "<li>Example <a href=\"/grafana\">Grafana dashboard</a> for this setup</li>\n" }
        page += "</ul>\n</body>\n</html>\n"
        return page
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
