import DNSightCore
import PublicSuffix

/// Computes the ground truth from the generated events themselves: classifies each event against the intel set the
/// run writes (the same scopes the classifier applies: the query name, then CNAME targets), keeps per-device
/// roll-ups, and at the end evaluates every metric for every period and group. It does not look at the scenario's
/// rates or at the planned episodes.
struct TruthCollector {
    struct Sight { var first = Int64.max, resolved = Int64.max, malicious = Int64.max }
    struct PhishKey: Hashable { var device: Int32; var day: Int32; var campaign: Int32; var industry: Int32 }
    struct Row { var device: Int32; var quarter: Int; var category: Int; var family: Int; var queries: Int64 }

    /// Registered domains (for newly observed domains): the bundled Public Suffix List, ICANN and private sections.
    static let psl = PublicSuffixList.bundled

    static let categories: [ThreatCategory] = [.malware, .phishing, .commandAndControl, .exfiltration]
    static let chainDays = 30, campaignGapDays = 30, nodWindowDays = 60, topN = 5

    let state: SimState
    let quarters: [DaySpan]
    let q: Int
    /// Per name: -2 not yet classified, -1 clean, -3 malicious but unlisted, else the listed entry.
    var nameClass: [Int32] = []
    var nameDomain: [Int32] = []
    var cnameClass: [Int32] = []
    var queries: [Int32]
    var flagged: [Int32]
    var tagBits: [UInt8]
    var rollup: [UInt64: Int64] = [:]
    var iabTimes: [Int32: [Int64]] = [:]
    var ransomTimes: [Int32: [Int64]] = [:]
    var phish = Set<PhishKey>()
    var campaignKeys: [String] = []
    var campaignIndex: [String: Int32] = [:]
    var industryNames: [String] = [""]
    var industryIndex: [String: Int32] = ["": 0]
    var qnameSight: [Sight] = []
    var domainSight: [Sight] = []
    var familyNames: [String] = []
    var familyOfEntry: [Int32] = []
    var events = 0, flaggedTotal = 0, unlisted = 0
    var byCategory = [Int](repeating: 0, count: 4)

    init(state: SimState, quarters: [DaySpan]) {
        self.state = state
        self.quarters = quarters
        q = quarters.count
        let n = state.world.devices.count * quarters.count
        queries = [Int32](repeating: 0, count: n)
        flagged = [Int32](repeating: 0, count: n)
        tagBits = [UInt8](repeating: 0, count: n)
        var famIndex: [String: Int32] = [:]
        for e in state.threats.entries {
            if let f = e.family {
                if famIndex[f] == nil { famIndex[f] = Int32(familyNames.count); familyNames.append(f) }
                familyOfEntry.append(famIndex[f]!)
            } else {
                familyOfEntry.append(-1)
            }
        }
    }

    // MARK: Classification (what the classifier will say, with the intel the run writes)

    mutating func classify(_ name: Int32) -> Int32 {
        let i = Int(name)
        if i >= nameClass.count { nameClass += [Int32](repeating: -2, count: max(i + 1 - nameClass.count, 4096)) }
        if nameClass[i] != -2 { return nameClass[i] }
        let t = state.threats
        var result: Int32 = -1
        if let e = t.entryByName[name] {
            result = t.entries[Int(e)].listed ? e : -3
        } else {
            state.names.withName(name) { p in
                var start = 0
                while let dot = p[start...].firstIndex(of: UInt8(ascii: ".")) {
                    start = dot + 1
                    guard let id = state.names.find(UnsafeRawBufferPointer(rebasing: p[start...])), let e = t.entryByName[id] else { continue }
                    let entry = t.entries[Int(e)]
                    if entry.exact { continue }
                    result = entry.listed ? e : -3
                    break
                }
            }
        }
        nameClass[i] = result
        return result
    }

    mutating func classifyAnswer(_ set: Int32) -> Int32 {
        let si = Int(set)
        if si >= cnameClass.count { cnameClass += [Int32](repeating: -2, count: max(si + 1 - cnameClass.count, 4096)) }
        if cnameClass[si] != -2 { return cnameClass[si] }
        var result: Int32 = -1
        for r in state.answers.set(set) where r.kind == .cname {
            let c = classify(Int32(r.data))
            if c >= 0 { result = c; break }
        }
        cnameClass[si] = result
        return result
    }

    mutating func domain(of name: Int32) -> Int32 {
        let i = Int(name)
        if i >= nameDomain.count { nameDomain += [Int32](repeating: -1, count: max(i + 1 - nameDomain.count, 4096)) }
        if nameDomain[i] >= 0 { return nameDomain[i] }
        let s = state.names.string(name)
        let reg = Self.psl.registrableDomain(of: s) ?? s
        let id = reg.utf8.count == s.utf8.count ? name : state.names.intern(reg)
        nameDomain[i] = id
        return id
    }

    @inline(__always) static func sight(_ table: inout [Sight], _ id: Int32, _ t: Int64, resolved: Bool, malicious: Bool) {
        let i = Int(id)
        if i >= table.count { table += [Sight](repeating: Sight(), count: max(i + 1 - table.count, 4096)) }
        if t < table[i].first { table[i].first = t }
        if resolved && t < table[i].resolved { table[i].resolved = t }
        if malicious && t < table[i].malicious { table[i].malicious = t }
    }

    func campaignKey(_ entry: IntelEntry) -> String {
        if let f = entry.family { return "kit:" + f }
        if let b = entry.brand { return "brand:" + b }
        return "domain:" + state.names.string(entry.name)
    }

    // MARK: Collecting

    mutating func add(_ batch: DayBatch) {
        guard let qi = quarters.firstIndex(where: { $0.contains(batch.day) }) else { return }
        let entries = state.threats.entries
        let answers = state.answers
        for e in batch.events {
            events += 1
            let slot = Int(e.device) * q + qi
            queries[slot] += 1
            let cls = classify(e.name)
            var hit = cls
            if hit < 0 && e.answer >= 0 {
                let c = classifyAnswer(e.answer)
                if c >= 0 { hit = c }
            }
            let resolved = e.rcode == 0 && e.answer >= 0 && answers.count(e.answer) > 0
            let dom = domain(of: e.name)
            Self.sight(&qnameSight, e.name, e.time, resolved: resolved, malicious: hit >= 0)
            Self.sight(&domainSight, dom, e.time, resolved: resolved, malicious: hit >= 0)
            guard hit >= 0 else {
                if cls == -3 { unlisted += 1 }
                continue
            }
            let entry = entries[Int(hit)]
            flaggedTotal += 1
            flagged[slot] += 1
            let cat = Self.categories.firstIndex(of: entry.category)!
            byCategory[cat] += 1
            let fam = Int(familyOfEntry[Int(hit)])
            let key = UInt64(UInt32(bitPattern: e.device)) << 32 | UInt64(qi) << 24 | UInt64(cat) << 20 | UInt64(fam + 1)
            rollup[key, default: 0] += 1
            if entry.traits.contains(.initialAccessBroker) { tagBits[slot] |= 1; iabTimes[e.device, default: []].append(e.time) }
            if entry.traits.contains(.ransomware) { tagBits[slot] |= 2; ransomTimes[e.device, default: []].append(e.time) }
            if entry.category == .phishing {
                let key = campaignKey(entry)
                var ci = campaignIndex[key]
                if ci == nil { ci = Int32(campaignKeys.count); campaignIndex[key] = ci; campaignKeys.append(key) }
                for ind in entry.industries.isEmpty ? [""] : entry.industries {
                    var ii = industryIndex[ind]
                    if ii == nil { ii = Int32(industryNames.count); industryIndex[ind] = ii; industryNames.append(ind) }
                    phish.insert(PhishKey(device: e.device, day: Int32(batch.day), campaign: ci!, industry: ii!))
                }
            }
        }
    }
}
