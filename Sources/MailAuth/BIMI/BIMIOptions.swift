/// The Mail::BIMI options (`bimi_options` of the handler's block) that
/// change an evaluation here.
public struct BIMIOptions: Sendable, Equatable {
    /// `require_vmc`: a pass needs a valid Verified Mark Certificate;
    /// without one the result is `fail (VMC is required)`.
    public var requireVMC = false
    /// `strict_spf`: an author domain whose SPF record ends in `+all` is
    /// `skipped (SPF +all detected)`.
    public var strictSPF = false
    /// Whether the evidence document (`a=`, the VMC) is fetched and
    /// checked. Not yet: this build evaluates as Mail::BIMI with
    /// `no_validate_cert`.
    public var validatesEvidence = false
    /// Whether the indicator (`l=`, the SVG) is fetched and checked. Not
    /// yet: the pass names the location only (no BIMI-Indicator header).
    public var validatesIndicator = false

    public init() {}
}
