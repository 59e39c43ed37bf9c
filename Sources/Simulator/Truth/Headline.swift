extension Headline {
    static func percent(_ m: TruthMeasure?) -> String {
        guard let s = m?.share else { return "n/a" }
        return String(format1: s * 100) + "%"
    }

    /// Reads the reference report's findings off the computed periods.
    static func compute(_ t: GroundTruth) -> Headline {
        var figures: [Figure] = []
        let quarters = t.periods.filter { $0.kind == "quarter" }
        let main = t.periods.last { $0.kind == "all" } ?? t.periods.last { $0.kind == "year" } ?? t.periods.last!
        func group(_ p: PeriodTruth, _ region: String, _ segment: String) -> GroupTruth? {
            p.groups.first { $0.region == region && $0.segment == segment }
        }
        func range(_ ms: [(String, TruthMeasure)]) -> String {
            let shares = ms.compactMap(\.1.share)
            guard let lo = shares.min(), let hi = shares.max() else { return "n/a" }
            return String(format1: lo * 100) + "–" + String(format1: hi * 100) + "%"
        }

        let orgC2 = quarters.compactMap { p in group(p, "all", "enterprise").map { (p.label, $0.organisations.withC2) } }
        figures.append(Figure(finding: "enterprise organisations with C2 traffic, per quarter", reference: "10–16%", value: range(orgC2),
                              measures: Dictionary(uniqueKeysWithValues: orgC2)))
        for (cat, ref) in [("malware", "9–13%"), ("phishing", "4–6%"), ("c2", "0.7–1%")] {
            let ms = quarters.compactMap { p in group(p, "all", "all").flatMap { g in g.affectedDevices[cat].map { (p.label, $0) } } }
            figures.append(Figure(finding: "devices reaching \(cat) domains, per quarter", reference: ref, value: range(ms), measures: Dictionary(uniqueKeysWithValues: ms)))
        }
        let orgAny = group(main, "all", "enterprise")?.organisations.withAny
        figures.append(Figure(finding: "enterprise organisations with any affected device over \(main.label)", reference: "~12% (signs of compromise)",
                              value: percent(orgAny), measures: orgAny.map { ["\(main.label)": $0] } ?? [:]))
        var qs: [String: TruthMeasure] = [:]
        for r in ["all", "APAC"] { if let m = group(main, r, "all")?.familyShares["c2"]?.families["QSnatch"] { qs[r] = m } }
        figures.append(Figure(finding: "QSnatch share of C2-affected devices, \(main.label) (global / APAC)", reference: "36% / ~60%",
                              value: percent(qs["all"]) + " / " + percent(qs["APAC"]), measures: qs))
        var iab: [String: TruthMeasure] = [:]
        for r in ["all", "APAC"] { if let m = group(main, r, "all")?.iabReach { iab[r] = m } }
        figures.append(Figure(finding: "C2-affected devices that reached IAB domains, \(main.label) (global / APAC)", reference: "26% / ~15%",
                              value: percent(iab["all"]) + " / " + percent(iab["APAC"]), measures: iab))
        if let g = group(main, "APAC", "enterprise") {
            let top = g.topThreats.c2ByOrganisations.map { $0.family + ($0.ransomware ? " (ransomware)" : "") }
            figures.append(Figure(finding: "top-5 C2 threats by organisations affected, APAC enterprises, \(main.label)", reference: "REvil and LockBit among them",
                                  value: top.joined(separator: ", "),
                                  measures: Dictionary(uniqueKeysWithValues: g.topThreats.c2ByOrganisations.map { ($0.family, $0.organisations) })))
        }
        if let h2 = t.periods.last(where: { $0.kind == "half" && $0.label.hasSuffix("H2") }) {
            let ratios = h2.flaggedQueryRatios["home"] ?? []
            let apac = group(h2, "APAC", "home")?.flaggedQueries, na = group(h2, "NA", "home")?.flaggedQueries
            var ms: [String: TruthMeasure] = [:]
            if let a = apac, let n = na { ms["APAC÷NA"] = TruthMeasure(a.numerator, n.numerator) }
            let order = ([ratios.first?.region] + ratios.map(\.versus)).compactMap { $0 }
            figures.append(Figure(finding: "home-network flagged queries, \(h2.label): APAC ÷ North America (regions by flagged queries)",
                                  reference: "APAC ≈ 2× NA, NA second",
                                  value: (ms["APAC÷NA"]?.share.map { String(format2: $0) + "×" } ?? "n/a") + " (" + order.joined(separator: " > ") + ")",
                                  measures: ms))
        }
        if let g = group(main, "all", "all") {
            let c = g.phishing.campaignsByIndustry["financial-services"], v = g.phishing.victimsByIndustry["financial-services"]
            var ms: [String: TruthMeasure] = [:]
            if let c { ms["campaigns"] = c }
            if let v { ms["victims"] = v }
            figures.append(Figure(finding: "phishing campaigns / victims on financial-services brands, \(main.label)", reference: ">40% / ~70%",
                                  value: percent(c) + " / " + percent(v), measures: ms))
        }
        if let g = group(main, "all", "enterprise") {
            var ms: [String: TruthMeasure] = [:]
            for ind in ["manufacturing", "business-services", "high-tech", "commerce"] { if let m = g.organisations.c2OrganisationsByIndustry[ind] { ms[ind] = m } }
            figures.append(Figure(finding: "organisations with C2 by industry, \(main.label)", reference: "manufacturing >30%, business services 15%, high tech 14%, commerce 12%",
                                  value: ["manufacturing", "business-services", "high-tech", "commerce"].map { "\($0) \(percent(ms[$0]))" }.joined(separator: ", "),
                                  measures: ms))
        }
        let nod = main.newlyObservedDomains.byRegisteredDomain.maliciousShareOfResolving
        figures.append(Figure(finding: "malicious share of resolving newly observed domains (60 days to \(main.to))", reference: "~20%",
                              value: percent(nod), measures: ["registered-domain": nod]))
        return Headline(figures: figures)
    }
}

extension String {
    /// A number with one decimal.
    init(format1 v: Double) {
        let x = (v * 10).rounded() / 10
        self = x == x.rounded() ? String(Int(x)) + ".0" : String(x)
    }

    /// A number with two decimals.
    init(format2 v: Double) {
        let x = (v * 100).rounded()
        let whole = Int(x) / 100, frac = abs(Int(x) % 100)
        self = "\(whole)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}
