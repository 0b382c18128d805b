
/// AddID: adds `X-Authentication-Milter: Header added by Authentication
/// Milter` to every message, as the Perl example module does.
import Config

public final class AddIDHandler: Handler {
    public static let name = "AddID"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        AddID Module

        Simple module which adds a header to all email processed.
        This is meant as an example only.

        CONFIGURATION
        No configuration options exist for this handler.
        """

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func endOfMessage(_ session: MailSession) throws {
        session.appendHeader(name: "X-Authentication-Milter", value: "Header added by Authentication Milter")
    }
}
