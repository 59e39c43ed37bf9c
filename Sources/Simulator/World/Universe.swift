/// The benign side of the name space: popular real sites, a generated long tail with Zipf popularity, CDN chains,
/// device chatter and typos, each host with its precomputed answers.
struct Universe: Sendable {
    struct Site: Sendable {
        var hosts: [Int32]
        var region: Int8
    }

    var sites: [Site] = []
    /// Sites `0..<popularCount` are the built-in popular ones.
    var popularCount = 0
    /// Per region: draws over popular sites, and over generated sites.
    var popularByRegion: [AliasTable] = []
    var generatedByRegion: [AliasTable] = []
    /// Per device kind: chatter names and their draw table.
    var chatterNames: [[Int32]] = []
    var chatterTables: [AliasTable?] = []
    /// Mistyped names (NXDOMAIN).
    var typos: [Int32] = []
    /// Per static name id: answer set for A, and for AAAA (-1: NODATA).
    var answerA: [Int32] = []
    var answerAAAA: [Int32] = []

    /// Builds the universe into the name table and answer store.
    static func build(_ t: TrafficSpec?, regions: [RegionSpec], seed: UInt64, names: inout NameTable, answers: inout AnswerStore) -> Universe {
        var u = Universe()
        var rng = SimRandom(seed: seed, 0x554E_4956)  // "UNIV"
        let regionIndex = Dictionary(uniqueKeysWithValues: regions.enumerated().map { ($1.name, $0) })
        var hostProvider: [(Int32, AddressPlan.Provider, Bool)] = []  // name, provider, has IPv6
        var popularWeights: [(Double, Int8)] = []

        for line in PopularNames.sites.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let w = Double(parts[0]) else { continue }
            let region: Int8 = parts[1] == "*" ? -1 : Int8(regionIndex[String(parts[1])] ?? -2)
            if region == -2 { continue }
            let provider = Self.provider(String(parts[2]))
            var hosts: [Int32] = []
            for h in parts[3].split(separator: ",") {
                let id = names.intern(String(h))
                hosts.append(id)
                hostProvider.append((id, provider, provider != .hosting))
            }
            u.sites.append(Site(hosts: hosts, region: region))
            popularWeights.append((w, region))
        }
        u.popularCount = u.sites.count

        // The generated long tail.
        let n = t?.domains ?? 30_000
        let cdnShare = t?.cdnShare ?? 0.3
        let tlds = Names.benignTLDs
        let tldWeights = tlds.map(\.weight)
        var seen = Set<String>()
        var generatedRegion: [Int8] = []
        while generatedRegion.count < n {
            let ti = rng.weighted(tldWeights)
            let label = rng.chance(0.3) ? Names.words[rng.below(Names.words.count)] + Names.coined(&rng, syllables: 1...2)
                                        : Names.coined(&rng, syllables: 2...4)
            let domain = label + "." + tlds[ti].tld
            if !seen.insert(domain).inserted { continue }
            let region: Int8 = tlds[ti].region.flatMap { regionIndex[$0] }.map { Int8($0) } ?? -1
            var provider: AddressPlan.Provider = .hosting
            if rng.chance(cdnShare) { provider = [.akamai, .cloudfront, .fastly, .azure][rng.below(4)] } else if rng.chance(0.25) { provider = .cloudflare }
            let v6 = provider != .hosting ? rng.chance(0.6) : rng.chance(0.2)
            var hosts = [names.intern(rng.chance(0.7) ? "www." + domain : domain)]
            for sub in ["cdn", "static", "api", "img", "m", "assets"] where rng.chance(0.18) { hosts.append(names.intern(sub + "." + domain)) }
            for h in hosts { hostProvider.append((h, provider, v6)) }
            u.sites.append(Site(hosts: hosts, region: region))
            generatedRegion.append(region)
        }

        // Popularity: popular sites by their weights (regional ones only at home), the tail by Zipf rank.
        let zipf = t?.zipf ?? 1.0
        var shuffled = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { shuffled.swapAt(i, rng.below(i + 1)) }
        for r in 0..<regions.count {
            u.popularByRegion.append(AliasTable(weights: popularWeights.map { $0.1 < 0 ? $0.0 : ($0.1 == Int8(r) ? $0.0 : 0.02 * $0.0) }))
            var w = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let base = 1 / power(Double(shuffled[i] + 1), zipf)
                let reg = generatedRegion[i]
                w[i] = base * (reg < 0 ? 1 : (reg == Int8(r) ? 4 : 0.1))
            }
            u.generatedByRegion.append(AliasTable(weights: w))
        }

        // Chatter by device kind.
        var byKind = [[(Int32, Double)]](repeating: [], count: DeviceKind.allCases.count)
        for line in PopularNames.chatter.split(separator: "\n") {
            let p = line.split(separator: " ")
            guard p.count == 3, let kind = DeviceKind(name: String(p[0])), let w = Double(p[1]) else { continue }
            let id = names.intern(String(p[2]))
            byKind[Int(kind.rawValue)].append((id, w))
            hostProvider.append((id, Self.chatterProvider(String(p[2])), true))
        }
        u.chatterNames = byKind.map { $0.map(\.0) }
        u.chatterTables = byKind.map { $0.isEmpty ? nil : AliasTable(weights: $0.map(\.1)) }

        // Answers for every host (a name may appear twice, e.g. pool.ntp.org: the first answers win).
        u.answerA = [Int32](repeating: -1, count: names.count)
        u.answerAAAA = [Int32](repeating: -1, count: names.count)
        var done = Set<Int32>()
        for (id, provider, v6) in hostProvider where done.insert(id).inserted {
            let (a, aaaa) = Self.answers(for: id, provider: provider, v6: v6, seed: seed, names: &names, answers: &answers)
            if Int(id) >= u.answerA.count {
                u.answerA += [Int32](repeating: -1, count: Int(id) + 1 - u.answerA.count)
                u.answerAAAA += [Int32](repeating: -1, count: Int(id) + 1 - u.answerAAAA.count)
            }
            u.answerA[Int(id)] = a
            u.answerAAAA[Int(id)] = aaaa
        }

        // Typos of the most popular hosts.
        for site in u.sites.prefix(u.popularCount) {
            let host = names.string(site.hosts[0])
            for _ in 0..<3 {
                let typo = Self.typo(host, &rng)
                if names.find(typo) == nil { u.typos.append(names.intern(typo)) }
            }
        }
        return u
    }

    static func provider(_ s: String) -> AddressPlan.Provider {
        switch s {
        case "akamai": .akamai
        case "cloudfront": .cloudfront
        case "fastly": .fastly
        case "cloudflare": .cloudflare
        case "google": .google
        case "azure": .azure
        default: .hosting
        }
    }

    static func chatterProvider(_ host: String) -> AddressPlan.Provider {
        if host.hasSuffix("google.com") || host.hasSuffix("gstatic.com") || host.hasSuffix("googleapis.com") || host.hasSuffix("android.com") { return .google }
        if host.hasSuffix("microsoft.com") || host.hasSuffix("windowsupdate.com") || host.hasSuffix("windows.com") || host.hasSuffix("msftconnecttest.com") { return .azure }
        if host.hasSuffix("apple.com") { return .akamai }
        if host.hasSuffix("amazonaws.com") || host.hasSuffix("amazon.com") { return .cloudfront }
        return .hosting
    }

    /// A one-letter mistake: a dropped, doubled or swapped letter in the registered label.
    static func typo(_ host: String, _ rng: inout SimRandom) -> String {
        var labels = host.split(separator: ".").map(String.init)
        let li = labels.count >= 3 ? labels.count - 2 : 0
        var chars = Array(labels[li])
        guard chars.count >= 3 else { return "x" + host }
        let i = rng.int(1...(chars.count - 2))
        switch rng.below(3) {
        case 0: chars.remove(at: i)
        case 1: chars.insert(chars[i], at: i)
        default: chars.swapAt(i, i + 1)
        }
        labels[li] = String(chars)
        return labels.joined(separator: ".")
    }

    /// The CNAME chain and addresses a host resolves to, for A and AAAA.
    static func answers(for id: Int32, provider: AddressPlan.Provider, v6: Bool, seed: UInt64, names: inout NameTable, answers: inout AnswerStore) -> (Int32, Int32) {
        let host = names.string(id)
        let h = SimRandom.mix(SimRandom.hash(host) ^ seed)
        var chain: [SimRecord] = []
        var slug = ""
        for c in host where c.isLetter || c.isNumber { slug.append(c) }
        slug = String(slug.prefix(24))
        var count = 1
        var ttl: UInt32 = 300
        switch provider {
        case .akamai:
            chain.append(SimRecord(kind: .cname, ttl: 300, data: Int64(names.intern(host + ".edgekey.net"))))
            chain.append(SimRecord(kind: .cname, ttl: 21_600, data: Int64(names.intern("e\(h % 9000 + 1000).a.akamaiedge.net"))))
            count = 1 + Int(h >> 60 & 1); ttl = 20
        case .cloudfront:
            var r = SimRandom(state: h)
            chain.append(SimRecord(kind: .cname, ttl: 300, data: Int64(names.intern("d" + Names.alnum(&r, 13) + ".cloudfront.net"))))
            count = 4; ttl = 60
        case .fastly:
            chain.append(SimRecord(kind: .cname, ttl: 3600, data: Int64(names.intern(slug + ".map.fastly.net"))))
            count = 2; ttl = 30
        case .azure:
            chain.append(SimRecord(kind: .cname, ttl: 3600, data: Int64(names.intern(slug + ".azureedge.net"))))
            count = 1; ttl = 60
        case .cloudflare: count = 2; ttl = 300
        case .google: count = 1; ttl = 300
        case .hosting, .shady, .enterprise: count = 1; ttl = 3600
        }
        var a = chain, q = chain
        for i in 0..<count {
            let hi = SimRandom.mix(h &+ UInt64(i))
            a.append(SimRecord(kind: .a, ttl: ttl, data: Int64(AddressPlan.v4(provider: provider, hash: hi))))
            let (x, y) = AddressPlan.v6(provider: provider, hash: hi)
            q.append(SimRecord(kind: .aaaa, ttl: ttl, data: answers.addV6(hi: x, lo: y)))
        }
        return (answers.add(a), v6 ? answers.add(q) : -1)
    }
}
