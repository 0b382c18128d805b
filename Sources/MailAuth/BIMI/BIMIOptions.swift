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
    /// checked: off with `no_validate_cert`, or when no checker is given.
    public var validatesEvidence = false
    /// Whether the indicator (`l=`, the SVG) is fetched and checked: off
    /// when the evaluator is given no fetcher (the pass then names the
    /// location only, without BIMI-Indicator).
    public var validatesIndicator = false
    /// `no_validate_svg`: a fetched SVG is used without the Tiny PS checks
    /// (the size limit still applies).
    public var skipsSVGValidation = false
    /// `no_location_with_vmc`: with a relevant authority, `l=` is neither
    /// fetched nor written.
    public var noLocationWithVMC = false
    /// `svg_max_fetch_size`, `vmc_max_fetch_size`, `svg_max_size`.
    public var maximumSVGFetchBytes = BIMIFetchLimits.defaultMaximumFetchBytes
    public var maximumVMCFetchBytes = BIMIFetchLimits.defaultMaximumFetchBytes
    public var maximumSVGBytes = BIMIFetchLimits.defaultMaximumSVGBytes

    public init() {}
}
