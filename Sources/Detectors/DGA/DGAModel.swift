import Foundation

/// dnsight's DGA model: a small fastText-style network. The hashed character n-grams of a registrable label are
/// averaged into a D-dimensional bag (int8 embeddings, one scale per dimension), concatenated with standardised hand
/// features (length, entropy, digit and vowel ratios, runs, benign character-bigram likelihood, IDN / hex flags,
/// digit–letter switches, English-word coverage, benign character-trigram likelihood), fed through one ReLU layer of H units and a sigmoid.
///
/// The model is trained offline by `Tools/dga/train.py`; `Tools/dga/dgafeatures.py` is the specification this
/// type implements (its reference scorer and this one agree to 1e-9, see the parity test). The bag is an exact
/// integer sum, so the summation order of the n-grams does not matter. Scoring a label does not allocate.
public struct DGAModel: Sendable {
    /// Symbols: a–z 0–25, 0–9 26–35, `-` 36, `_` 37, anything else 38, begin 39, end 40.
    static let symbolCount = 41
    static let beginSymbol = 39
    static let endSymbol = 40
    static let lengthTokenN: UInt32 = 31
    static let magic = Array("DNSDGA02".utf8)
    static let wordMin = 3
    static let wordMax = 16
    static let fnvOffset: UInt32 = 0x811C_9DC5
    static let fnvPrime: UInt32 = 0x0100_0193
    static let prefixSeed: UInt32 = 0x5A5A_5A5A
    static let wordSeed: UInt32 = 0xA5A5_A5A5
    /// The hand features, in file order (`DENSE_NAMES + EXTRA_NAMES` in dgafeatures.py).
    public static let denseFeatureNames = [
        "length", "ln_length", "entropy_bits", "digit_ratio", "vowel_ratio", "max_consonant_run", "max_digit_run",
        "hyphen_count", "distinct_ratio", "bigram_mean_logp", "bigram_min_logp",
        "is_idn", "hex_only", "digit_letter_switch_ratio", "word_coverage", "longest_word_ratio",
        "trigram_mean_logp", "trigram_min_logp",
    ]

    /// log2 of the number of hashed buckets.
    public let hashBits: Int
    /// The n-gram orders used (inclusive).
    public let ngramRange: ClosedRange<Int>
    /// Embedding dimension D.
    public let embeddingDim: Int
    /// Hidden units H.
    public let hiddenUnits: Int
    /// Score above which about 1 in 1,000 benign names falls (measured on the training benign holdout).
    public let thresholdFPR1e3: Double
    /// Score above which about 1 in 10,000 benign names falls.
    public let thresholdFPR1e4: Double

    let bigram: [Double]
    /// Benign character-trigram log-probabilities, index (a · 41 + b) · 41 + c.
    let trigram: [Float]
    let means: [Double]
    let scales: [Double]
    let embScales: [Double]
    /// (D + F) × H, row-major by input.
    let w1: [Double]
    let b1: [Double]
    let w2: [Double]
    let b2: Double
    /// 2^hashBits × D int8 codes.
    let codes: [Int8]
    let bloomBits: Int
    /// Blocked Bloom filter of the word lexicon and its prefixes: 2^(bloomBits − 6) 64-bit blocks.
    let bloom: [UInt64]

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

    /// Reads a model file (format version 2 in `Tools/dga/dgafeatures.py`).
    public init(bytes: [UInt8], source: String = "dga_model.bin") throws(DetectorsError) {
        var r = ByteReader(bytes: bytes, source: source)
        guard try r.bytes(8) == Self.magic else { throw r.error("bad magic: not a dnsight DGA model (version 2)") }
        let version = try r.u32()
        guard version == 2 else { throw r.error("unsupported model version \(version)") }
        let bits = Int(try r.u32()), nmin = Int(try r.u32()), nmax = Int(try r.u32())
        let f = Int(try r.u32()), nsym = Int(try r.u32()), d = Int(try r.u32()), h = Int(try r.u32())
        let mbits = Int(try r.u32())
        guard (8...24).contains(bits), nmin >= 1, nmin <= nmax, nmax <= 5 else { throw r.error("bad hashing parameters") }
        guard f == Self.denseFeatureNames.count else {
            throw r.error("model has \(f) hand features, this build computes \(Self.denseFeatureNames.count)")
        }
        guard nsym == Self.symbolCount else { throw r.error("model has \(nsym) symbols, expected \(Self.symbolCount)") }
        guard (1...256).contains(d), (1...1024).contains(h), (7...28).contains(mbits) else {
            throw r.error("bad network shape (D \(d), H \(h), Bloom bits \(mbits))")
        }
        hashBits = bits
        ngramRange = nmin...nmax
        embeddingDim = d
        hiddenUnits = h
        bloomBits = mbits
        func f64s(_ count: Int) throws(DetectorsError) -> [Double] {
            try (0..<count).map { _ throws(DetectorsError) in try r.f64() }
        }
        bigram = try f64s(nsym * nsym)
        trigram = try (0..<(nsym * nsym * nsym)).map { _ throws(DetectorsError) in try r.f32() }
        means = try f64s(f)
        scales = try f64s(f)
        embScales = try f64s(d)
        w1 = try f64s((d + f) * h)
        b1 = try f64s(h)
        w2 = try f64s(h)
        b2 = try r.f64()
        thresholdFPR1e3 = try r.f64()
        thresholdFPR1e4 = try r.f64()
        codes = try r.bytes((1 << bits) * d).map { Int8(bitPattern: $0) }
        bloom = try (0..<((1 << mbits) / 64)).map { _ throws(DetectorsError) in try r.u64() }
        guard r.offset == bytes.count else { throw r.error("\(bytes.count - r.offset) trailing bytes") }
        let smalls = [b2, thresholdFPR1e3, thresholdFPR1e4] + means + embScales + w1 + b1 + w2
        guard scales.allSatisfy({ $0.isFinite && $0 != 0 }), smalls.allSatisfy(\.isFinite), trigram.allSatisfy(\.isFinite),
              bigram.allSatisfy(\.isFinite) else {
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

    /// Whether all `k` bits of the key `h` (kind `seed`) are set: one 64-bit block, bits g & 63, (g >> 6) & 63, ….
    @inline(__always) static func probe(_ bloom: UnsafeBufferPointer<UInt64>, _ h: UInt32, _ seed: UInt32, _ shift: UInt32, _ k: Int) -> Bool {
        let g = fmix32(h ^ seed)
        let block = bloom[Int(truncatingIfNeeded: g >> shift)]
        var mask: UInt64 = (1 as UInt64) << UInt64(g & 63) | (1 as UInt64) << UInt64((g >> 6) & 63)
        if k == 3 { mask |= (1 as UInt64) << UInt64((g >> 12) & 63) }
        return block & mask == mask
    }

    /// (letters covered by lexicon words, maximised) / n and (longest lexicon word) / n, as `word_features`.
    @inline(__always) func wordFeatures(_ label: UnsafeBufferPointer<UInt8>) -> (Double, Double) {
        let n = label.count
        let shift = UInt32(32 - (bloomBits - 6))
        return bloom.withUnsafeBufferPointer { bl in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: n + 1) { best -> (Double, Double) in
                best.initialize(repeating: 0)
                var longest = 0
                for i in 0..<n {
                    if best[i] > best[i + 1] { best[i + 1] = best[i] }
                    var h = Self.fnvOffset
                    var j = i
                    let end = min(n, i + Self.wordMax)
                    while j < end {
                        var c = label[j]
                        if c &- 65 < 26 { c |= 0x20 }
                        if c &- 97 >= 26 { break }
                        h = (h ^ UInt32(c)) &* Self.fnvPrime
                        guard Self.probe(bl, h, Self.prefixSeed, shift, 2) else { break }
                        let k = j - i + 1
                        if k >= Self.wordMin, Self.probe(bl, h, Self.wordSeed, shift, 3) {
                            if best[i] + k > best[j + 1] { best[j + 1] = best[i] + k }
                            if k > longest { longest = k }
                        }
                        j += 1
                    }
                }
                return (Double(best[n]) / Double(n), Double(longest) / Double(n))
            }
        }
    }

    /// The score in [0, 1] of one registrable label (ASCII; upper case is folded). An empty label scores 0.
    public func score(label: UnsafeBufferPointer<UInt8>) -> Double {
        let n = label.count
        if n == 0 { return 0 }
        let d = embeddingDim, f = means.count, hN = hiddenUnits
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: d + f + hN) { xa -> Double in
            let x = UnsafeMutableBufferPointer(rebasing: xa[0..<(d + f)])
            let a = UnsafeMutableBufferPointer(rebasing: xa[(d + f)...])
            // --- the bag: exact integer sums of int8 codes over the n-grams of [begin] + symbols + [end], visited
            // position by position (order 1, 2, … from each start) plus the length token.
            let tokens = bagSums(label, into: x)
            for k in 0..<d { x[k] = x[k] * embScales[k] / Double(tokens) }
            // --- hand features, standardised
            handFeatures(label, into: UnsafeMutableBufferPointer(rebasing: x[d...]))
            for j in 0..<f { x[d + j] = (x[d + j] - means[j]) / scales[j] }
            // --- hidden layer (inputs in order, so each unit's sum is the reference scorer's; the SIMD lanes are
            // independent units, so vectorising does not reorder any sum) and output
            var z = b2
            if hN == 32 {
                w1.withUnsafeBufferPointer { w in
                    b1.withUnsafeBufferPointer { b in
                        let braw = UnsafeRawPointer(b.baseAddress!)
                        var a0 = braw.loadUnaligned(fromByteOffset: 0, as: SIMD8<Double>.self)
                        var a1 = braw.loadUnaligned(fromByteOffset: 64, as: SIMD8<Double>.self)
                        var a2 = braw.loadUnaligned(fromByteOffset: 128, as: SIMD8<Double>.self)
                        var a3 = braw.loadUnaligned(fromByteOffset: 192, as: SIMD8<Double>.self)
                        let wraw = UnsafeRawPointer(w.baseAddress!)
                        for i in 0..<(d + f) {
                            let xi = SIMD8<Double>(repeating: x[i])
                            let off = i &* 256
                            a0 += xi * wraw.loadUnaligned(fromByteOffset: off, as: SIMD8<Double>.self)
                            a1 += xi * wraw.loadUnaligned(fromByteOffset: off &+ 64, as: SIMD8<Double>.self)
                            a2 += xi * wraw.loadUnaligned(fromByteOffset: off &+ 128, as: SIMD8<Double>.self)
                            a3 += xi * wraw.loadUnaligned(fromByteOffset: off &+ 192, as: SIMD8<Double>.self)
                        }
                        for k in 0..<8 { a[k] = a0[k]; a[8 + k] = a1[k]; a[16 + k] = a2[k]; a[24 + k] = a3[k] }
                    }
                }
            } else {
                b1.withUnsafeBufferPointer { b in for k in 0..<hN { a[k] = b[k] } }
                w1.withUnsafeBufferPointer { w in
                    for i in 0..<(d + f) {
                        let xi = x[i]
                        let row = i * hN
                        for k in 0..<hN { a[k] += xi * w[row + k] }
                    }
                }
            }
            w2.withUnsafeBufferPointer { w in
                for k in 0..<hN where a[k] > 0 { z += a[k] * w[k] }
            }
            return 1.0 / (1.0 + exp(-z))
        }
    }

    /// Writes sum_t q[t, k] (as Double, exact) into x[0..<D]; returns the number of tokens T.
    @inline(__always) func bagSums(_ label: UnsafeBufferPointer<UInt8>, into x: UnsafeMutableBufferPointer<Double>) -> Int {
        let n = label.count
        let total = n + 2
        let shift = UInt32(32 - hashBits)
        let nmin = ngramRange.lowerBound, nmax = ngramRange.upperBound
        let d = embeddingDim
        var tokens = 0
        return Self.symbolTable.withUnsafeBufferPointer { table in
            codes.withUnsafeBufferPointer { cb in
                let base = UnsafeRawPointer(cb.baseAddress!)
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: total) { seq in
                    seq[0] = UInt32(Self.beginSymbol)
                    for i in 0..<n { seq[i + 1] = UInt32(table[Int(label[i])]) }
                    seq[total - 1] = UInt32(Self.endSymbol)
                    let lengthBucket = Int(Self.fmix32(UInt32(min(n, 40)) | Self.lengthTokenN << 27) >> shift)
                    if d == 16 {
                        var acc = SIMD16<Int32>(truncatingIfNeeded: base.loadUnaligned(fromByteOffset: lengthBucket &* 16, as: SIMD16<Int8>.self))
                        tokens = 1
                        for i in 0..<total {
                            var code: UInt32 = 0
                            let top = min(nmax, total - i)
                            var order = 1
                            while order <= top {
                                code = code &* 41 &+ seq[i &+ order &- 1]
                                if order >= nmin {
                                    let b = Int(truncatingIfNeeded: Self.fmix32(code | UInt32(truncatingIfNeeded: order) << 27) >> shift)
                                    acc &+= SIMD16<Int32>(truncatingIfNeeded: base.loadUnaligned(fromByteOffset: b &* 16, as: SIMD16<Int8>.self))
                                    tokens &+= 1
                                }
                                order &+= 1
                            }
                        }
                        for k in 0..<16 { x[k] = Double(acc[k]) }
                    } else {
                        withUnsafeTemporaryAllocation(of: Int32.self, capacity: d) { acc in
                            for k in 0..<d { acc[k] = Int32(cb[lengthBucket * d + k]) }
                            tokens = 1
                            for i in 0..<total {
                                var code: UInt32 = 0
                                let top = min(nmax, total - i)
                                var order = 1
                                while order <= top {
                                    code = code &* 41 &+ seq[i &+ order &- 1]
                                    if order >= nmin {
                                        let b = Int(truncatingIfNeeded: Self.fmix32(code | UInt32(truncatingIfNeeded: order) << 27) >> shift)
                                        for k in 0..<d { acc[k] &+= Int32(cb[b &* d &+ k]) }
                                        tokens &+= 1
                                    }
                                    order &+= 1
                                }
                            }
                            for k in 0..<d { x[k] = Double(acc[k]) }
                        }
                    }
                }
                return tokens
            }
        }
    }

    /// The hand features of `dense_features` + `extra_features` (dgafeatures.py), unstandardised.
    @inline(__always) func handFeatures(_ label: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<Double>) {
        let n = label.count
        Self.symbolTable.withUnsafeBufferPointer { table in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.symbolCount) { c in
                c.initialize(repeating: 0)
                var vowels = 0, consRun = 0, run = 0, digRun = 0, drun = 0, switches = 0
                var hexOnly = n >= 6, prevDigit = false
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
                    let isDigit = b >= 48 && b <= 57
                    if isDigit {
                        drun += 1
                        if drun > digRun { digRun = drun }
                    } else {
                        drun = 0
                        if b < 97 || b > 102 { hexOnly = false }
                    }
                    if i > 0 && isDigit != prevDigit { switches += 1 }
                    prevDigit = isDigit
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
                if digits == 0 { hexOnly = false }
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
                var triSum = 0.0, triMin = 0.0
                trigram.withUnsafeBufferPointer { tg in
                    var p2 = Self.beginSymbol, p1 = Self.beginSymbol
                    for i in 0...n {
                        let cur = i == n ? Self.endSymbol : Int(table[Int(label[i])])
                        let lp = Double(tg[(p2 &* Self.symbolCount &+ p1) &* Self.symbolCount &+ cur])
                        triSum += lp
                        if lp < triMin { triMin = lp }
                        p2 = p1
                        p1 = cur
                    }
                }
                var isIDN = false
                if n >= 4 {
                    isIDN = label[0] | 0x20 == 120 && label[1] | 0x20 == 110 && label[2] == 45 && label[3] == 45
                }
                let (coverage, longest) = wordFeatures(label)
                out[0] = dn
                out[1] = log(dn)
                out[2] = entropy
                out[3] = Double(digits) / dn
                out[4] = Double(vowels) / dn
                out[5] = Double(consRun)
                out[6] = Double(digRun)
                out[7] = Double(c[36])
                out[8] = Double(distinct) / dn
                out[9] = biSum / (dn + 1)
                out[10] = biMin
                out[11] = isIDN ? 1 : 0
                out[12] = hexOnly ? 1 : 0
                out[13] = Double(switches) / Double(max(1, n - 1))
                out[14] = coverage
                out[15] = longest
                out[16] = triSum / (dn + 1)
                out[17] = triMin
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
