import PublicSuffix

/// Scores whole DNS names with the ``DGAModel``: the name is split with the Public Suffix List and the model sees
/// only the registrable label (the label just left of the public suffix: `example` in `www.example.co.uk`).
public struct DGAScorer: Sendable {
    /// The model.
    public let model: DGAModel
    /// The suffix list used to find the registrable label.
    public let suffixes: PublicSuffixList

    public init(model: DGAModel, suffixes: PublicSuffixList) {
        self.model = model
        self.suffixes = suffixes
    }

    /// The bundled model with the bundled Public Suffix List.
    public static func bundled() throws(DetectorsError) -> DGAScorer {
        DGAScorer(model: try DGAModel.loadBundled(), suffixes: PublicSuffixList.bundled)
    }

    /// The byte range of the registrable label in `name`; `nil` when the name is malformed (empty label) or is
    /// itself a public suffix.
    public func registrableLabelRange(_ name: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard let split = suffixes.split(name), let start = split.registrableStart else { return nil }
        return start..<(split.suffixStart - 1)
    }

    /// The score in [0, 1] of a name given as bytes; 0 when the name is a public suffix (`com`, `co.uk`), `nil`
    /// when it is malformed (empty, or an empty label as in `a..com`).
    public func score(utf8 name: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let split = suffixes.split(name) else { return nil }
        guard let start = split.registrableStart else { return 0 }
        return model.score(label: UnsafeBufferPointer(rebasing: name[start..<(split.suffixStart - 1)]))
    }

    /// The score in [0, 1] of a name (0 for a public suffix or a malformed name).
    public func score(_ name: String) -> Double {
        var name = name
        return name.withUTF8 { score(utf8: $0) } ?? 0
    }
}
