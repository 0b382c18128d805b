
/// The one table of handler modules this build has. `-h installed`,
/// `-h default_config`, `-h <Module>` and the worker all read it.
import Config

public enum HandlerRegistry {
    public static var installed: [any Handler.Type] { [
        AbusixDataFeedHandler.self,
        AddIDHandler.self,
        AlignedFromHandler.self,
        ARCHandler.self,
        AuthHandler.self,
        BIMIHandler.self,
        BlockerHandler.self,
        ClamAVHandler.self,
        DKIMHandler.self,
        DKIMSignHandler.self,
        DMARCHandler.self,
        IPRevHandler.self,
        LocalIPHandler.self,
        LoggerHandler.self,
        PTRHandler.self,
        RBLDNSHandler.self,
        ReturnOKHandler.self,
        RSpamDHandler.self,
        SanitizeHandler.self,
        SenderIDHandler.self,
        SizeHandler.self,
        SpamAssassinHandler.self,
        SPFHandler.self,
        TLSHandler.self,
        TrustedIPHandler.self,
        XGoogleDKIMHandler.self,
    ] }

    /// Handlers that exist for the process tests only; the master loads
    /// them only with AUTHMILTER_ALLOW_TEST_HANDLERS=1 in its environment.
    public static var testOnly: [any Handler.Type] { [
        SandboxProbeHandler.self,
    ] }

    public static func find(_ name: String) -> (any Handler.Type)? {
        (installed + testOnly).first { $0.name == name }
    }

    public static var installedNames: [String] { installed.map { $0.name }.sorted() }

    /// Instantiates the enabled handlers in the order the Perl program
    /// calls them: by name, then each moved after the handlers it depends
    /// on (its sort_callbacks). A dependency that is not enabled is ignored.
    public static func build(_ configuration: Configuration) throws(HandlerError) -> [any Handler] {
        var types: [(any Handler.Type, HandlerConfiguration)] = []
        for entry in configuration.enabledHandlers.sorted(by: { $0.name < $1.name }) {
            guard let type = find(entry.name) else { throw .notInstalled(entry.name) }
            types.append((type, entry))
        }
        var ordered: [(any Handler.Type, HandlerConfiguration)] = []
        let enabled = Set(types.map { ObjectIdentifier($0.0) })
        var placed: Set<ObjectIdentifier> = []
        while ordered.count < types.count {
            let before = ordered.count
            for (type, entry) in types where !placed.contains(ObjectIdentifier(type)) {
                let pending = type.dependencies.map(ObjectIdentifier.init).filter { enabled.contains($0) && !placed.contains($0) }
                if pending.isEmpty {
                    ordered.append((type, entry))
                    placed.insert(ObjectIdentifier(type))
                }
            }
            if ordered.count == before {
                throw .dependencyCycle(types.filter { !placed.contains(ObjectIdentifier($0.0)) }.map { $0.0.name })
            }
        }
        // Every handler may name the header its entries go to.
        do {
            _ = try AuthResultsHeaderName.all(configuration)
        } catch {
            throw .config(error)
        }
        var handlers: [any Handler] = []
        for (type, entry) in ordered {
            do {
                handlers.append(try type.init(config: entry.node))
            } catch {
                throw .config(error)
            }
        }
        // DMARC reads SPF, DKIM and ARC; SPF gets DMARC's public suffix list.
        return handlers.attachingPeers()
    }

    /// What can be checked without building a handler (the root master's
    /// part, parse only): every enabled handler is installed and the header
    /// names are valid. `build` does the rest in a child.
    public static func checkNames(_ configuration: Configuration) throws(HandlerError) {
        for entry in configuration.enabledHandlers where find(entry.name) == nil {
            throw .notInstalled(entry.name)
        }
        do {
            _ = try AuthResultsHeaderName.all(configuration)
        } catch {
            throw .config(error)
        }
    }

    /// Unknown keys in the enabled handlers' blocks, for the start-up log.
    public static func warnings(_ configuration: Configuration) -> [String] {
        configuration.enabledHandlers.flatMap { entry -> [String] in
            guard let type = find(entry.name) else { return [] }
            return type.unknownKeyWarnings(in: entry.node)
        }
    }
}
