extension String {
    /// `self` with each occurrence of `target` (left to right, not
    /// overlapping, at most `maxReplacements`) replaced by `replacement`,
    /// compared byte by byte in UTF-8 (the same as by scalars for the
    /// ASCII markers the callers look for).
    ///
    /// The standard library's generic `replacing(_:with:)` (StringProcessing)
    /// was 6% of a worker's time on the full-check benchmark (issue 12):
    /// this one scans the bytes once and returns `self` itself, with no
    /// copy, when there is nothing to replace.
    public func substituting(_ target: String, with replacement: String, maxReplacements: Int = .max) -> String {
        let needle = Array(target.utf8)
        guard !needle.isEmpty, maxReplacements > 0 else { return self }
        let haystack = Array(utf8)
        guard haystack.count >= needle.count else { return self }
        var out: [UInt8] = []
        var copiedUpTo = 0
        var replaced = 0
        var index = 0
        let first = needle[0]
        let last = haystack.count - needle.count
        while index <= last && replaced < maxReplacements {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                if out.isEmpty { out.reserveCapacity(haystack.count + 16) }
                out.append(contentsOf: haystack[copiedUpTo..<index])
                out.append(contentsOf: replacement.utf8)
                index += needle.count
                copiedUpTo = index
                replaced += 1
            } else {
                index += 1
            }
        }
        guard replaced > 0 else { return self }
        out.append(contentsOf: haystack[copiedUpTo...])
        return String(decoding: out, as: UTF8.self)
    }
}
