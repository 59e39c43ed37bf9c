import DNSightCore
import Foundation
import Yams

extension Scenario {
    /// The built-in default scenario (a year shaped like the reference report), as YAML text.
    public static var defaultYAML: String { String(decoding: PackageResources.default_scenario_yaml, as: UTF8.self) }

    /// The built-in default scenario.
    public static func builtInDefault() throws(SimulatorError) -> Scenario {
        try Scenario(yaml: defaultYAML, file: "default-scenario.yaml")
    }

    /// The scenario's JSON Schema (the text of `Docs/scenario.schema.json`).
    public static var jsonSchema: String { ScenarioSchema.text }

    /// Reads a scenario file (`default` for the built-in one).
    public init(contentsOf path: String) throws(SimulatorError) {
        if path == "default" { self = try Scenario.builtInDefault(); return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimulatorError(.scenario("cannot read the scenario file"), file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SimulatorError(.scenario("the file is not UTF-8 text"), file: path) }
        try self.init(yaml: text, file: path)
    }

    /// Parses and validates scenario YAML: the JSON Schema first (types, ranges, unknown keys), then the rules that
    /// span keys (regions referred to exist, families are known, ranges are ordered…).
    public init(yaml: String, file: String? = nil) throws(SimulatorError) {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch let e as YamlError {
            throw SimulatorError(.scenario("not valid YAML: \(Self.yamlMessage(e))"), file: file, line: Self.yamlLine(e))
        } catch {
            throw SimulatorError(.scenario("not valid YAML: \(error)"), file: file)
        }
        guard let node else { throw SimulatorError(.scenario("the scenario is empty"), file: file) }
        try ScenarioSchema.shipped.validate(YAMLValue(node), file: file)
        do {
            self = try YAMLDecoder().decode(Scenario.self, from: node)
        } catch let e as DecodingError {
            throw Self.decodingError(e, file: file)
        } catch {
            throw SimulatorError(.scenario("\(error)"), file: file)
        }
        try ScenarioValidator(scenario: self, file: file, lines: Self.lineIndex(node)).validate()
    }

    static func yamlMessage(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        case .duplicatedKeysInMapping(let duplicates, _): return "duplicated keys \(duplicates.joined(separator: ", "))"
        default: return "\(e)"
        }
    }

    static func yamlLine(_ e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    static func decodingError(_ e: DecodingError, file: String?) -> SimulatorError {
        func path(_ keys: [CodingKey]) -> String {
            var s = ""
            for k in keys {
                if let i = k.intValue { s += "[\(i)]" } else { s += s.isEmpty ? k.stringValue : ".\(k.stringValue)" }
            }
            return s
        }
        switch e {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return SimulatorError(.scenario(c.debugDescription), file: file, keyPath: path(c.codingPath))
        case .keyNotFound(let k, let c):
            return SimulatorError(.scenario("the required key '\(k.stringValue)' is missing"), file: file, keyPath: path(c.codingPath))
        @unknown default:
            return SimulatorError(.scenario("\(e)"), file: file)
        }
    }

    /// Key path → line, for the cross-key checks' messages.
    static func lineIndex(_ node: Node) -> [String: Int] {
        var out: [String: Int] = [:]
        func walk(_ n: Node, _ path: String) {
            if let l = n.mark?.line { out[path] = l }
            switch n {
            case .mapping(let m):
                for (k, v) in m {
                    let key = k.string ?? ""
                    let p = path.isEmpty ? key : "\(path).\(key)"
                    if let l = k.mark?.line { out[p] = l }
                    walk(v, p)
                }
            case .sequence(let s):
                for (i, v) in s.enumerated() { walk(v, "\(path)[\(i)]") }
            default: break
            }
        }
        walk(node, "")
        return out
    }
}

/// The rules that span keys, checked after the schema.
struct ScenarioValidator {
    let scenario: Scenario
    let file: String?
    let lines: [String: Int]

    func fail(_ message: String, _ path: String) -> SimulatorError {
        SimulatorError(.scenario(message), file: file, keyPath: path, line: lines[path])
    }

    func range(_ r: [Int]?, _ path: String) throws(SimulatorError) {
        guard let r else { return }
        if r[0] > r[1] { throw fail("the range [\(r[0]), \(r[1])] is backwards (write [min, max])", path) }
    }

    func range(_ r: [Double]?, _ path: String) throws(SimulatorError) {
        guard let r else { return }
        if r[0] > r[1] { throw fail("the range [\(r[0]), \(r[1])] is backwards (write [min, max])", path) }
    }

    func family(_ name: String, _ path: String) throws(SimulatorError) {
        guard FamilyCatalogue.builtIn.family(named: name) != nil else {
            let known = FamilyCatalogue.builtIn.families.map(\.name)
            let hint = ScenarioSchema.closest(name, known).map { " (did you mean '\($0)'?)" } ?? ""
            throw fail("'\(name)' is not a family of the catalogue\(hint)", path)
        }
    }

    func regionKeys(_ map: [String: Double]?, _ regions: Set<String>, _ path: String) throws(SimulatorError) {
        for k in (map ?? [:]).keys.sorted() where k != "default" && !regions.contains(k) {
            throw fail("the region '\(k)' is not among the scenario's regions (\(regions.sorted().joined(separator: ", ")))", "\(path).\(k)")
        }
    }

    func validate() throws(SimulatorError) {
        let s = scenario
        guard let start = SimCalendar.parseDate(s.period.start) else { throw fail("'\(s.period.start)' is not a date", "period.start") }
        guard let end = SimCalendar.parseDate(s.period.end) else { throw fail("'\(s.period.end)' is not a date", "period.end") }
        if end < start { throw fail("the period ends before it starts", "period.end") }
        if end - start > 3660 { throw fail("the period is longer than ten years", "period.end") }
        var regions = Set<String>()
        for (i, r) in s.regions.enumerated() {
            if !regions.insert(r.name).inserted { throw fail("the region '\(r.name)' is listed twice", "regions[\(i)].name") }
        }
        func region(_ name: String, _ path: String) throws(SimulatorError) {
            if !regions.contains(name) { throw fail("the region '\(name)' is not among the scenario's regions (\(regions.sorted().joined(separator: ", ")))", path) }
        }
        var orgNames = Set<String>()
        for (i, isp) in s.isps.enumerated() {
            try region(isp.region, "isps[\(i)].region")
            if !orgNames.insert(isp.name).inserted { throw fail("the organisation name '\(isp.name)' is used twice", "isps[\(i)].name") }
        }
        if s.isps.isEmpty && s.enterprises.isEmpty { throw fail("the world has no ISP and no enterprise", "enterprises") }
        for (i, e) in s.enterprises.enumerated() {
            let p = "enterprises[\(i)]"
            try region(e.region, "\(p).region")
            let named = e.name != nil || e.siteList != nil || e.industry != nil
            let generated = e.count != nil || e.sites != nil || e.devicesPerSite != nil || e.deviceMix != nil || e.industries != nil
            if named && generated { throw fail("an entry is either generated (count, sites, devicesPerSite, deviceMix, industries) or named (name, industry, siteList), not both", p) }
            if named {
                guard let name = e.name else { throw fail("a named organisation needs 'name'", p) }
                guard e.industry != nil else { throw fail("a named organisation needs 'industry'", p) }
                guard e.siteList != nil else { throw fail("a named organisation needs 'siteList'", p) }
                if !orgNames.insert(name).inserted { throw fail("the organisation name '\(name)' is used twice", "\(p).name") }
            } else {
                guard e.count != nil else { throw fail("a generated group needs 'count' (or name a single organisation with 'name')", p) }
                try range(e.sites, "\(p).sites")
                try range(e.devicesPerSite, "\(p).devicesPerSite")
                if let m = e.deviceMix, m.values.reduce(0, +) <= 0 { throw fail("the weights are all zero", "\(p).deviceMix") }
                if let m = e.industries, m.values.reduce(0, +) <= 0 { throw fail("the weights are all zero", "\(p).industries") }
            }
        }
        var infectionNames = Set<String>()
        for (i, inf) in (s.infections ?? []).enumerated() {
            let p = "infections[\(i)]"
            if !infectionNames.insert(inf.name).inserted { throw fail("the infection name '\(inf.name)' is used twice", "\(p).name") }
            if let f = inf.family { try family(f, "\(p).family") }
            try range(inf.days, "\(p).days")
            try range(inf.devicesPerOrganisation, "\(p).devicesPerOrganisation")
            try range(inf.intervalMinutes, "\(p).intervalMinutes")
            try range(inf.namesPerRun, "\(p).namesPerRun")
            try range(inf.sessionsPerDay, "\(p).sessionsPerDay")
            try range(inf.queriesPerSession, "\(p).queriesPerSession")
            try regionKeys(inf.devicesPerQuarter, regions, "\(p).devicesPerQuarter")
            try regionKeys(inf.organisationsPerQuarter, regions, "\(p).organisationsPerQuarter")
            if inf.days[0] < 1 { throw fail("an infection lasts at least one day", "\(p).days") }
            switch (inf.devicesPerQuarter, inf.organisationsPerQuarter) {
            case (nil, nil): throw fail("say how many get infected: 'devicesPerQuarter' or 'organisationsPerQuarter'", p)
            case (.some, .some): throw fail("give either 'devicesPerQuarter' or 'organisationsPerQuarter', not both", p)
            case (nil, .some):
                if inf.segment != "enterprise" { throw fail("'organisationsPerQuarter' needs segment: enterprise", "\(p).segment") }
            default: break
            }
            switch inf.behaviour {
            case "qsnatch", "pykspa":
                if inf.family == nil { throw fail("the \(inf.behaviour) behaviour needs 'family'", p) }
                if inf.namesPerRun == nil { throw fail("the \(inf.behaviour) behaviour needs 'namesPerRun'", p) }
            case "beacon":
                if inf.family == nil { throw fail("the beacon behaviour needs 'family'", p) }
                if inf.intervalMinutes == nil { throw fail("the beacon behaviour needs 'intervalMinutes'", p) }
                if let iv = inf.intervalMinutes, iv[0] < 1 { throw fail("beacons at least a minute apart", "\(p).intervalMinutes") }
            case "tunnel", "malware":
                if inf.sessionsPerDay == nil { throw fail("the \(inf.behaviour) behaviour needs 'sessionsPerDay'", p) }
                if inf.queriesPerSession == nil { throw fail("the \(inf.behaviour) behaviour needs 'queriesPerSession'", p) }
            default: break
            }
            if let h = inf.handoff {
                if inf.behaviour != "beacon" { throw fail("only the beacon behaviour hands off", "\(p).handoff") }
                for f in h.families.keys.sorted() { try family(f, "\(p).handoff.families.\(f)") }
                if h.families.values.reduce(0, +) <= 0 { throw fail("the weights are all zero", "\(p).handoff.families") }
                try regionKeys(h.share, regions, "\(p).handoff.share")
                try range(h.delayDays, "\(p).handoff.delayDays")
                try range(h.days, "\(p).handoff.days")
                try range(h.intervalMinutes, "\(p).handoff.intervalMinutes")
                if let iv = h.intervalMinutes, iv[0] < 1 { throw fail("beacons at least a minute apart", "\(p).handoff.intervalMinutes") }
            }
        }
        if let ph = s.phishing {
            let p = "phishing"
            let brands = BrandCatalogue.builtIn.brands
            for ind in ph.industries.keys.sorted() {
                let key = Industry(rawValue: ind)
                if !brands.contains(where: { $0.industry == key }) {
                    let known = Set(brands.compactMap { $0.industry?.rawValue }).sorted()
                    throw fail("no brand of the catalogue is in the industry '\(ind)' (industries with brands: \(known.joined(separator: ", ")))", "\(p).industries.\(ind)")
                }
            }
            if ph.industries.values.reduce(0, +) <= 0 { throw fail("the weights are all zero", "\(p).industries") }
            for (k, r) in ph.victims.sorted(by: { $0.key < $1.key }) { try range(r, "\(p).victims.\(k)") }
            if ph.victims["default"] == nil, let missing = ph.industries.keys.sorted().first(where: { ph.victims[$0] == nil }) {
                throw fail("no victim range for '\(missing)' and no 'default'", "\(p).victims")
            }
            try range(ph.domainsPerCampaign, "\(p).domainsPerCampaign")
            try range(ph.days, "\(p).days")
            try range(ph.queriesPerVictim, "\(p).queriesPerVictim")
            try regionKeys(ph.regionWeights, regions, "\(p).regionWeights")
        }
    }
}
