/// What clamd said of a message: nothing found, or the name of what it
/// found (`Eicar-Signature`, `Win.Test.EICAR_HDB-1`).
public enum ClamdVerdict: Sendable, Equatable {
    case clean
    case infected(String)
}
