import Foundation

/// dnsight's DGA model: logistic regression over hashed character n-grams of a registrable label plus hand
/// features (length, entropy, digit and vowel ratios, runs, benign character-bigram likelihood).
///
/// The model is trained offline by `Tools/dga/train.py`; `Tools/dga/dgafeatures.py` is the specification this
/// type implements (its reference scorer and this one agree to 1e-6, see the parity test). Scoring a label does
/// not allocate.
public struct DGAModel: Sendable {
    /// Symbols: a–z 0–25, 0–9 26–35, `-` 36, `_` 37, anything else 38, begin 39, end 40.
    static let symbolCount = 41
    static let beginSymbol = 39
    static let endSymbol = 40
    static let lengthTokenN: UInt32 = 31
    static let magic = Array("DNSDGA01".utf8)
    /// The hand features, in file order (see `DENSE_NAMES` in dgafeatures.py).
    public static let denseFeatureNames = [
        "length", "ln_length", "entropy_bits", "digit_ratio", "vowel_ratio", "max_consonant_run", "max_digit_run",
        "hyphen_count", "distinct_ratio", "bigram_mean_logp", "bigram_min_logp",
    ]

    /// log2 of the number of hashed buckets.
    public let hashBits: Int
    /// The n-gram orders used (inclusive).
    public let ngramRange: ClosedRange<Int>
    /// Score above which about 1 in 1,000 benign names falls (measured on the training benign holdout).
    public let thresholdFPR1e3: Double
    /// Score above which about 1 in 10,000 benign names falls.
    public let thresholdFPR1e4: Double

    let bias: Double
    let denseWeights: [Double]
    let means: [Double]
    let scales: [Double]
    let bigram: [Double]
    let weights: [Float]

    static let symbolTable: [UInt8] = (0..<256).map { b -> UInt8 in
        switch b {
        case 97...122: return UInt8(b - 97)
        case 65...90: return UInt8(b - 65)
        case 48...57: return UInt8(26 + b - 48)
        case 45: return 36
        case 95: return 37
        default: return 38
        }
    }

    /// c · log2(c) for c = 0…255 (0 for c = 0).
    static let cLog2cTable: [Double] = (0..<256).map { $0 == 0 ? 0 : Double($0) * log2(Double($0)) }

    /// Reads a model file (format in `Tools/dga/dgafeatures.py`).
    public init(bytes: [UInt8], source: String = "dga_model.bin") throws(DetectorsError) {
        var r = ByteReader(bytes: bytes, source: source)
        guard try r.bytes(8) == Self.magic else { throw r.error("bad magic: not a dnsight DGA model") }
        let version = try r.u32()
        guard version == 1 else { throw r.error("unsupported model version \(version)") }
        let bits = Int(try r.u32()), nmin = Int(try r.u32()), nmax = Int(try r.u32())
        let f = Int(try r.u32()), nsym = Int(try r.u32())
        guard (8...24).contains(bits), nmin >= 1, nmin <= nmax, nmax <= 5 else { throw r.error("bad hashing parameters") }
        guard f == Self.denseFeatureNames.count else {
            throw r.error("model has \(f) hand features, this build computes \(Self.denseFeatureNames.count)")
        }
        guard nsym == Self.symbolCount else { throw r.error("model has \(nsym) symbols, expected \(Self.symbolCount)") }
        hashBits = bits
        ngramRange = nmin...nmax
        bias = try r.f64()
        denseWeights = try (0..<f).map { _ throws(DetectorsError) in try r.f64() }
        means = try (0..<f).map { _ throws(DetectorsError) in try r.f64() }
        scales = try (0..<f).map { _ throws(DetectorsError) in try r.f64() }
        bigram = try (0..<(nsym * nsym)).map { _ throws(DetectorsError) in try r.f64() }
        thresholdFPR1e3 = try r.f64()
        thresholdFPR1e4 = try r.f64()
        weights = try (0..<(1 << bits)).map { _ throws(DetectorsError) in try r.f32() }
        guard r.offset == bytes.count else { throw r.error("\(bytes.count - r.offset) trailing bytes") }
        guard scales.allSatisfy({ $0.isFinite && $0 != 0 }), means.allSatisfy(\.isFinite), bias.isFinite,
              denseWeights.allSatisfy(\.isFinite), weights.allSatisfy(\.isFinite) else {
            throw DetectorsError(.badModel, file: source, detail: "non-finite or zero values in the model")
        }
    }

    /// The model shipped in the `Detectors` bundle (`Resources/DGAModel/dga_model.bin`).
    public static func loadBundled() throws(DetectorsError) -> DGAModel {
        guard let url = Bundle.module.url(forResource: "dga_model", withExtension: "bin", subdirectory: "DGAModel")
            ?? Bundle.module.url(forResource: "DGAModel/dga_model", withExtension: "bin"),
            let data = FileManager.default.contents(atPath: url.path) else {
            throw DetectorsError(.resourceMissing, file: "DGAModel/dga_model.bin", detail: "resource not found in the Detectors bundle")
        }
        return try DGAModel(bytes: [UInt8](data), source: "DGAModel/dga_model.bin")
    }

    @inline(__always) static func fmix32(_ x: UInt32) -> UInt32 {
        var h = x
        h ^= h >> 16
        h = h &* 0x85EB_CA6B
        h ^= h >> 13
        h = h &* 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    /// The score in [0, 1] of one registrable label (ASCII; upper case is folded). An empty label scores 0.
    public func score(label: UnsafeBufferPointer<UInt8>) -> Double {
        let n = label.count
        if n == 0 { return 0 }
        return Self.symbolTable.withUnsafeBufferPointer { table in
            weights.withUnsafeBufferPointer { w in
                // --- sparse part: n-grams of [begin] + symbols + [end]. Codes are extended position by position
                // (order 1, 2, … from each start), which visits the same tokens as the reference scorer's
                // order-major loop; only the floating-point summation order differs (≪ 1e-12).
                let total = n + 2
                let shift = UInt32(32 - hashBits)
                let nmin = ngramRange.lowerBound, nmax = ngramRange.upperBound
                var sum = 0.0
                var tokens = 0
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: total) { seq in
                    seq[0] = UInt32(Self.beginSymbol)
                    for i in 0..<n { seq[i + 1] = UInt32(table[Int(label[i])]) }
                    seq[total - 1] = UInt32(Self.endSymbol)
                    for i in 0..<total {
                        var code: UInt32 = 0
                        let top = min(nmax, total - i)
                        var order = 1
                        while order <= top {
                            code = code &* 41 &+ seq[i &+ order &- 1]
                            if order >= nmin {
                                sum += Double(w[Int(truncatingIfNeeded: Self.fmix32(code | UInt32(truncatingIfNeeded: order) << 27) >> shift)])
                                tokens &+= 1
                            }
                            order &+= 1
                        }
                    }
                }
                sum += Double(w[Int(Self.fmix32(UInt32(min(n, 40)) | Self.lengthTokenN << 27) >> shift)])
                tokens += 1
                var z = bias
                z += sum * (1.0 / Double(tokens).squareRoot())

                // --- hand features -----------------------------------------------------------------------------
                return withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.symbolCount) { c -> Double in
                    c.initialize(repeating: 0)
                    var vowels = 0, consRun = 0, run = 0, digRun = 0, drun = 0
                    for i in 0..<n {
                        var b = label[i]
                        if b &- 65 < 26 { b |= 0x20 }
                        c[Int(table[Int(b)])] += 1
                        let isVowel = b == 97 || b == 101 || b == 105 || b == 111 || b == 117
                        if isVowel { vowels += 1 }
                        if b >= 97 && b <= 122 && !isVowel {
                            run += 1
                            if run > consRun { consRun = run }
                        } else {
                            run = 0
                        }
                        if b >= 48 && b <= 57 {
                            drun += 1
                            if drun > digRun { digRun = drun }
                        } else {
                            drun = 0
                        }
                    }
                    let dn = Double(n)
                    // H = -sum p log2 p = log2 n - (1/n) sum c log2 c, with c log2 c from a table.
                    var cLogC = 0.0
                    var distinct = 0
                    var digits = 0
                    Self.cLog2cTable.withUnsafeBufferPointer { t in
                        for s in 0..<Self.symbolCount where c[s] > 0 {
                            let k = c[s]
                            cLogC += k < t.count ? t[k] : Double(k) * log2(Double(k))
                            distinct += 1
                            if s >= 26 && s < 36 { digits += k }
                        }
                    }
                    let entropy = max(0, log2(dn) - cLogC / dn)
                    var biSum = 0.0, biMin = 0.0
                    bigram.withUnsafeBufferPointer { bg in
                        var prev = Self.beginSymbol
                        for i in 0...n {
                            let cur = i == n ? Self.endSymbol : Int(table[Int(label[i])])
                            let lp = bg[prev * Self.symbolCount + cur]
                            biSum += lp
                            if lp < biMin { biMin = lp }
                            prev = cur
                        }
                    }
                    let features: (Double, Double, Double, Double, Double, Double, Double, Double, Double, Double, Double) = (
                        dn, log(dn), entropy, Double(digits) / dn, Double(vowels) / dn, Double(consRun), Double(digRun),
                        Double(c[36]), Double(distinct) / dn, biSum / (dn + 1), biMin
                    )
                    withUnsafeBytes(of: features) { raw in
                        let fv = raw.bindMemory(to: Double.self)
                        for j in 0..<fv.count {
                            z += denseWeights[j] * ((fv[j] - means[j]) / scales[j])
                        }
                    }
                    return 1.0 / (1.0 + exp(-z))
                }
            }
        }
    }
}

/// A bounds-checked little-endian reader for model files.
struct ByteReader {
    let bytes: [UInt8]
    let source: String
    var offset = 0

    init(bytes: [UInt8], source: String) {
        self.bytes = bytes
        self.source = source
    }

    func error(_ detail: String) -> DetectorsError {
        DetectorsError(.badModel, file: source, offset: offset, detail: detail)
    }

    mutating func bytes(_ n: Int) throws(DetectorsError) -> [UInt8] {
        guard n <= bytes.count - offset else { throw error("file ends early (need \(n) more bytes)") }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    mutating func u32() throws(DetectorsError) -> UInt32 {
        guard 4 <= bytes.count - offset else { throw error("file ends early") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    mutating func u64() throws(DetectorsError) -> UInt64 {
        guard 8 <= bytes.count - offset else { throw error("file ends early") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    mutating func f64() throws(DetectorsError) -> Double { Double(bitPattern: try u64()) }
    mutating func f32() throws(DetectorsError) -> Float { Float(bitPattern: try u32()) }
}
