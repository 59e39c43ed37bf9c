/// A brand that phishing impersonates, with the industry it belongs to.
public struct Brand: Sendable, Hashable, CustomStringConvertible {
    /// The canonical name.
    public var name: String
    /// The industry it is counted under.
    public var industry: Industry?
    /// Other names feeds use for it.
    public var aliases: [String]

    /// Creates a brand.
    public init(name: String, industry: Industry?, aliases: [String] = []) {
        self.name = name
        self.industry = industry
        self.aliases = aliases
    }

    public var description: String { name }
}

/// Brands and their industries, so that a phishing target (PhishTank's `target`, a MISP or STIX label) can be
/// counted by targeted industry. A curated list ships as `Resources/brands.csv` (``builtIn``); an operator's file
/// of the same shape (`brand,industry,aliases`) overrides or extends it.
public struct BrandCatalogue: Sendable {
    /// The brands, in file order.
    public private(set) var brands: [Brand] = []
    private var index: [String: Int] = [:]

    /// An empty catalogue.
    public init() {}

    /// The catalogue that ships with dnsight.
    public static let builtIn: BrandCatalogue = {
        do {
            return try BrandCatalogue(csv: PackageResources.brands_csv, file: "brands.csv")
        } catch {
            fatalError("the built-in brand catalogue does not load: \(error)")
        }
    }()

    /// Reads a catalogue from CSV bytes.
    public init(csv bytes: [UInt8], file: String) throws(DNSightCoreError) {
        self.init()
        try apply(csv: bytes, file: file)
    }

    /// This catalogue with an operator's CSV file applied on top.
    public func merging(csv bytes: [UInt8], file: String) throws(DNSightCoreError) -> BrandCatalogue {
        var c = self
        try c.apply(csv: bytes, file: file)
        return c
    }

    private mutating func apply(csv bytes: [UInt8], file: String) throws(DNSightCoreError) {
        var reader = CSVReader(bytes)
        var cols: [String: Int]? = nil
        while let event = reader.next() {
            switch event {
            case .comment: continue
            case .problem(let why, let line, let offset):
                throw DNSightCoreError(.badCSV(why), file: file, line: line, offset: offset)
            case .record(let fields, let line, let offset):
                guard let c = cols else {
                    var h: [String: Int] = [:]
                    for (i, f) in fields.enumerated() { h[f.lowercased()] = i }
                    guard h["brand"] != nil else { throw DNSightCoreError(.missingColumn("brand"), file: file, line: line, offset: offset) }
                    cols = h
                    continue
                }
                func field(_ n: String) -> String { c[n].flatMap { $0 < fields.count ? fields[$0].trimmingSpaces() : nil } ?? "" }
                let name = field("brand")
                guard !name.isEmpty else { throw DNSightCoreError(.badRow("empty brand name"), file: file, line: line, offset: offset) }
                let industry = field("industry")
                let aliases = field("aliases").split(separator: ";").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
                let known = index
                if let i = known[FamilyCatalogue.key(name)] ?? aliases.compactMap({ known[FamilyCatalogue.key($0)] }).first {
                    if !industry.isEmpty { brands[i].industry = Industry(rawValue: industry) }
                    brands[i].aliases += aliases
                    register(i)
                } else {
                    brands.append(Brand(name: name, industry: industry.isEmpty ? nil : Industry(rawValue: industry), aliases: aliases))
                    register(brands.count - 1)
                }
            }
        }
    }

    private mutating func register(_ i: Int) {
        index[FamilyCatalogue.key(brands[i].name)] = i
        for a in brands[i].aliases { index[FamilyCatalogue.key(a)] = index[FamilyCatalogue.key(a)] ?? i }
    }

    /// The brand a name refers to (ignoring case, spaces and punctuation).
    public func brand(named name: some StringProtocol) -> Brand? {
        index[FamilyCatalogue.key(name)].map { brands[$0] }
    }
}
