import Analytics
import EventStore

/// Key findings, as sentences generated from the report's published (unsuppressed) cells.
struct Findings {
    let data: ReportData
    let wholeLabel: String
    let loc: Localizer

    var ja: Bool { loc.ja }
    var periods: [ReportPeriod] { data.periods }
    var periodLabels: Set<String> { Set(periods.map(\.label)) }

    func share(_ table: String, _ match: [String: String], column: Int = 0) -> Double? {
        data.table(table)?.rows(where: match).first?.cells[column].share
    }

    func cell(_ table: String, _ match: [String: String], column: Int = 0) -> ReportCell? {
        data.table(table)?.rows(where: match).first?.cells[column]
    }

    /// The trend periods' shares of a table row selection, where published.
    func trend(_ table: String, _ match: [String: String]) -> [Double] {
        periods.compactMap { p in share(table, match.merging(["period": p.label]) { a, _ in a }) }
    }

    var rangeName: String {
        if let y = Int(wholeLabel) { return ja ? "\(y)年" : "\(y)" }
        return ja ? "\(data.from)〜\(data.to)" : "\(data.from) to \(data.to)"
    }

    func span(_ xs: [Double]) -> String {
        let lo = xs.min()!, hi = xs.max()!
        return loc.percent(lo) == loc.percent(hi) ? loc.percent(lo) : (ja ? "\(loc.percent(lo))〜\(loc.percent(hi))" : "\(loc.percent(lo))–\(loc.percent(hi))")
    }

    func sentences() -> [String] {
        var out: [String] = []
        let every = loc.periodKindPlural(data.periodKind)
        let multi = periods.count > 1

        // Organisations with C2, per period: enterprises (the reference report's unit) when the data has them.
        let ent = !trend("organisations-c2", ["dimension": "segment", "group": "enterprise"]).isEmpty
        let orgMatch = ent ? ["dimension": "segment", "group": "enterprise"] : ["dimension": "all", "group": Analytics.total]
        let orgsWord = ent ? (ja ? "企業組織" : "enterprise organisations") : (ja ? "組織" : "organisations")
        let c2 = trend("organisations-c2", orgMatch)
        if !c2.isEmpty {
            let lo = loc.percent(c2.min()!), hi = loc.percent(c2.max()!)
            if multi && c2.count == periods.count {
                out.append(ja ? "\(rangeName)の\(every)において、C2トラフィックが見られた\(orgsWord)は\(lo)〜\(hi)でした。"
                              : "Between \(lo) and \(hi) of \(orgsWord) had C2 traffic in \(every) of \(rangeName).")
            } else {
                out.append(ja ? "\(rangeName)にC2トラフィックが見られた\(orgsWord)は\(hi)でした。" : "\(hi) of \(orgsWord) had C2 traffic in \(rangeName).")
            }
        }
        // Signs of compromise over the whole range.
        if multi, let s = share("organisations-compromised", orgMatch.merging(["period": wholeLabel]) { a, _ in a }) {
            out.append(ja ? "\(rangeName)を通じて、\(loc.percent(s))の\(orgsWord)に侵害の兆候（悪性ドメインへのアクセス）が見られました。"
                          : "Over \(rangeName), \(loc.percent(s)) of \(orgsWord) showed signs of compromise (queries to malicious domains).")
        }
        // Devices per category per period.
        var parts: [(String, String)] = []
        for c in ["malware", "phishing", "c2"] {
            let xs = trend("affected-devices", ["dimension": "all", "group": Analytics.total, "category": c])
            if !xs.isEmpty { parts.append((span(xs), loc.categoryShort(c))) }
        }
        if !parts.isEmpty {
            let when = multi ? every : rangeName
            if ja {
                let list = parts.map { "\($0.1)が\($0.0)" }.joined(separator: "、")
                out.append("\(when)、悪性ドメインにアクセスしたデバイスの割合は、\(list)でした。")
            } else {
                var items = parts.map { "\($0.0) \($0.1) domains" }
                items[0] = "\(parts[0].0) of devices reached \(parts[0].1) domains"
                let list = items.count > 1 ? items.dropLast().joined(separator: ", ") + " and " + items.last! : items[0]
                out.append("In \(when), \(list).")
            }
        }
        // Top C2 family, global and the region where its share is highest.
        if let fam = data.table("family-shares") {
            let global = fam.rows(where: ["period": wholeLabel, "region": Analytics.total, "category": "c2"])
                .filter { !($0.labels[3].isEmpty) && $0.cells[0].share != nil }
            if let top = global.max(by: { ($0.cells[0].share!, $1.labels[3]) < ($1.cells[0].share!, $0.labels[3]) }) {
                let f = top.labels[3]
                var sentence = ja ? "\(f)は全世界でC2の影響を受けたデバイスの\(loc.percent(top.cells[0].share!))を占め"
                                  : "\(f) accounted for \(loc.percent(top.cells[0].share!)) of C2-affected devices globally"
                let regional = StoreVocabulary.regions.compactMap { r -> (String, Double)? in
                    share("family-shares", ["period": wholeLabel, "region": r, "category": "c2", "family": f]).map { (r, $0) }
                }
                if let best = regional.max(by: { $0.1 < $1.1 }), best.1 > top.cells[0].share! {
                    sentence += ja ? "、\(loc.region(best.0))では\(loc.percent(best.1))に達しました。" : ", and \(loc.percent(best.1)) in \(loc.region(best.0))."
                } else {
                    sentence += ja ? "ました。" : "."
                }
                out.append(sentence)
            }
        }
        // IAB reach.
        if let g = share("iab-reach", ["period": wholeLabel, "region": Analytics.total]) {
            let regional = StoreVocabulary.regions.compactMap { r in share("iab-reach", ["period": wholeLabel, "region": r]).map { (r, $0) } }
            var s = ja ? "C2の影響を受けたデバイスの\(loc.percent(g))が初期アクセスブローカー（IAB）のドメインにもアクセスしていました"
                       : "\(loc.percent(g)) of C2-affected devices also reached initial-access-broker (IAB) domains"
            if let far = regional.max(by: { abs($0.1 - g) < abs($1.1 - g) }) {
                s += ja ? "（\(loc.region(far.0))では\(loc.percent(far.1))）。" : " (\(loc.percent(far.1)) in \(loc.region(far.0)))."
            } else {
                s += ja ? "。" : "."
            }
            out.append(s)
        }
        // Ransomware among the top C2 threats affecting organisations (enterprises), per region.
        if let top = data.table("top-c2-threats-by-organisations") {
            var best: (String, [String])? = nil
            for r in StoreVocabulary.regions {
                let rows = top.rows(where: ["period": wholeLabel, "region": r, "segment": "enterprise"])
                let ransom = rows.filter { $0.label("ransomware", in: top) == "yes" && !$0.cells[0].suppressed }.map { $0.labels[4] }
                if !ransom.isEmpty, ransom.count > (best?.1.count ?? 0) { best = (r, ransom) }
            }
            if let (r, fams) = best {
                let names = ja ? fams.joined(separator: "と") : (fams.count > 1 ? fams.dropLast().joined(separator: ", ") + " and " + fams.last! : fams[0])
                out.append(ja ? "ランサムウェアの\(names)は、\(loc.region(r))で組織に影響した上位\(data.options.topN)のC2脅威に入っていました。"
                              : "\(names) \(fams.count > 1 ? "were" : "was") among the top-\(data.options.topN) C2 threats affecting organisations in \(loc.region(r)).")
            }
        }
        // Home flagged queries, last half: first region vs second.
        if let h = data.halves.last, let ratio = data.table("flagged-query-ratios")?.rows(where: ["period": h.label, "segment": "home"]).first,
           let x = ratio.cells[0].share {
            out.append(ja ? "\(loc.period(h))、\(loc.region(ratio.labels[2]))の家庭用ネットワークからの悪性クエリ数は、2位の\(loc.region(ratio.labels[3]))の\(loc.times(x))でした。"
                          : "In \(loc.period(h)), home networks in \(loc.region(ratio.labels[2])) sent \(loc.times(x)) the malicious queries of \(loc.region(ratio.labels[3])), the second region.")
            // The most-queried threat there.
            if let t = data.table("top-threats")?.rows(where: ["period": wholeLabel, "region": ratio.labels[2], "segment": "home", "ranking": "queries", "rank": "1"]).first,
               let q = t.cells[1].numerator {
                out.append(ja ? "\(loc.region(ratio.labels[2]))の家庭用ネットワークで最も多く問い合わせられた脅威は\(t.labels[5])で、クエリ数は\(loc.large(q))件でした。"
                              : "The most-queried threat in \(loc.region(ratio.labels[2])) home networks was \(t.labels[5]), with \(loc.large(q)) queries.")
            }
        }
        // Phishing by targeted industry.
        if let c = data.table("phishing-campaigns")?.rows(where: ["period": wholeLabel]).first(where: { $0.cells[0].share != nil && !$0.labels[1].isEmpty }) {
            var s = ja ? "フィッシングキャンペーンの\(loc.percent(c.cells[0].share!))が\(loc.industry(c.labels[1]))の顧客を標的としていました"
                       : "\(loc.percent(c.cells[0].share!)) of phishing campaigns targeted customers of \(loc.industry(c.labels[1]).lowercased()) brands"
            if let v = share("phishing-victims", ["period": wholeLabel, "industry": c.labels[1]]) {
                s += ja ? "。また、フィッシング被害者の\(loc.percent(v))がこの業種のブランドの顧客でした。"
                        : "; \(loc.percent(v)) of phishing victims were customers of such brands."
            } else {
                s += ja ? "。" : "."
            }
            out.append(s)
        }
        // Organisations with C2, split by industry (enterprises).
        if let t = data.table("c2-organisations-by-industry") {
            let rows = t.rows(where: ["period": wholeLabel, "segment": "enterprise"]).filter { $0.cells[0].share != nil && !$0.labels[2].isEmpty }
                .sorted { ($0.cells[0].share!, $1.labels[2]) > ($1.cells[0].share!, $0.labels[2]) }.prefix(4)
            if rows.count >= 2 {
                let list = rows.map { ja ? "\(loc.industry($0.labels[2]))（\(loc.percent($0.cells[0].share!))）" : "\(loc.industry($0.labels[2]).lowercased()) \(loc.percent($0.cells[0].share!))" }
                if ja {
                    out.append("C2トラフィックが見られた組織を業種別に見ると、\(list.joined(separator: "、"))でした。")
                } else {
                    let first = rows.first!
                    let rest = list.dropFirst()
                    var sentence = "By industry, \(loc.industry(first.labels[2]).lowercased()) accounted for \(loc.percent(first.cells[0].share!)) of the organisations with C2 traffic"
                    if let last = rest.last { sentence += ", " + (rest.count > 1 ? rest.dropLast().joined(separator: ", ") + " and " : "") + last }
                    out.append(sentence + ".")
                }
            }
        }
        // Device types.
        if let t = data.table("device-types")?.rows(where: ["period": wholeLabel, "category": "any"]).first(where: { $0.cells[0].share != nil }) {
            out.append(ja ? "感染デバイスのうち最も多かった種類は\(loc.deviceType(t.labels[2]))で、\(loc.percent(t.cells[0].share!))を占めました。"
                          : "\(loc.deviceType(t.labels[2])) devices made up \(loc.percent(t.cells[0].share!)) of infected devices, the largest group.")
        }
        // Chains.
        if let c = cell("chains", ["period": wholeLabel, "region": Analytics.total]), let n = c.numerator, let d = c.denominator, let s = c.share {
            out.append(ja ? "IABドメインにアクセスしたデバイス\(loc.integer(d))台のうち\(loc.integer(n))台（\(loc.percent(s))）が、\(data.options.chainDays)日以内にランサムウェアのドメインにアクセスしていました。"
                          : "\(loc.integer(n)) of \(loc.integer(d)) devices (\(loc.percent(s))) that reached an IAB domain went on to a ransomware domain within \(data.options.chainDays) days.")
        }
        // Newly observed domains at the end of the range.
        if let last = periods.last, let s = share("newly-observed-domains", ["period": last.label]) {
            out.append(ja ? "\(loc.period(last))末時点で、名前解決された新規観測ドメイン（過去\(data.options.nodWindowDays)日間に初めて観測）の\(loc.percent(s))が悪性でした。"
                          : "At the end of \(loc.period(last)), \(loc.percent(s)) of resolving newly observed domains (first seen in the last \(data.options.nodWindowDays) days) were malicious.")
        }
        return out
    }
}
