import Analytics
import Foundation

/// Labels, names, numbers and sentences in the report's language.
struct Localizer: Sendable {
    let lang: ReportLanguage
    init(_ lang: ReportLanguage) { self.lang = lang }
    var ja: Bool { lang == .ja }

    // MARK: Numbers

    /// An integer with thousands separators (both languages use `,`).
    func integer(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A count in prose: `352 million` / `3億5,200万`.
    func large(_ n: Int64) -> String {
        if ja {
            if n >= 100_000_000 {
                let oku = n / 100_000_000, man = (n % 100_000_000) / 10_000
                return "\(integer(oku))億" + (man > 0 ? "\(integer(man))万" : "")
            }
            if n >= 10_000 { return "\(integer(n / 10_000))万" + (n % 10_000 > 0 ? integer(n % 10_000) : "") }
            return integer(n)
        }
        if n >= 1_000_000_000 { return "\(decimal(Double(n) / 1e9, digits: 1)) billion" }
        if n >= 1_000_000 { return "\(decimal(Double(n) / 1e6, digits: n >= 100_000_000 ? 0 : 1)) million" }
        return integer(n)
    }

    /// A decimal with at most `digits` fraction digits, trailing zeros dropped.
    func decimal(_ x: Double, digits: Int) -> String {
        var s = String(format: "%.\(digits)f", x)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// A share as a percentage: whole percent from 10%, one decimal from 1%, two below.
    func percent(_ share: Double) -> String {
        let p = share * 100
        let digits = p >= 10 ? 0 : p >= 1 ? 1 : 2
        return decimal(p, digits: digits) + "%"
    }

    /// A ratio: `2.1×` / `2.1倍`.
    func times(_ x: Double) -> String { decimal(x, digits: 1) + (ja ? "倍" : "×") }

    // MARK: Names

    func period(_ p: ReportPeriod) -> String {
        switch p.kind {
        case "quarter": return ja ? "\(p.year)年第\(p.number)四半期" : "Q\(p.number) \(p.year)"
        case "half": return ja ? "\(p.year)年\(p.number == 1 ? "上期" : "下期")" : "H\(p.number) \(p.year)"
        case "month": return ja ? "\(p.year)年\(p.number)月" : "\(Localizer.months[p.number - 1]) \(p.year)"
        case "year": return ja ? "\(p.year)年" : "\(p.year)"
        case "day": return p.from
        default: return ja ? "\(p.from)〜\(p.to)" : "\(p.from) – \(p.to)"
        }
    }

    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    func periodKindPlural(_ kind: String) -> String {
        switch kind {
        case "quarter": ja ? "各四半期" : "every quarter"
        case "half": ja ? "各半期" : "every half-year"
        case "month": ja ? "各月" : "every month"
        case "day": ja ? "各日" : "every day"
        default: ja ? "各期間" : "every period"
        }
    }

    func region(_ code: String) -> String {
        switch code {
        case Analytics.total: ja ? "全世界" : "Global"
        case "APAC": ja ? "アジア太平洋" : "Asia-Pacific"
        case "NA": ja ? "北米" : "North America"
        case "EMEA": ja ? "欧州・中東・アフリカ" : "EMEA"
        case "LATAM": ja ? "中南米" : "Latin America"
        case "": ja ? "不明" : "Unknown"
        default: code
        }
    }

    func segment(_ code: String) -> String {
        switch code {
        case "enterprise": ja ? "企業" : "Enterprise"
        case "home": ja ? "家庭" : "Home"
        case "all", Analytics.total: ja ? "全体" : "All"
        case "": ja ? "不明" : "Unknown"
        default: code
        }
    }

    func category(_ code: String) -> String {
        switch code {
        case "malware": ja ? "マルウェア" : "Malware"
        case "phishing": ja ? "フィッシング" : "Phishing"
        case "c2": ja ? "C2（コマンド＆コントロール）" : "Command and control (C2)"
        case "exfiltration": ja ? "DNSによるデータ持ち出し" : "DNS exfiltration"
        case "any": ja ? "いずれか" : "Any"
        default: code
        }
    }

    func categoryShort(_ code: String) -> String {
        switch code {
        case "malware": ja ? "マルウェア" : "malware"
        case "phishing": ja ? "フィッシング" : "phishing"
        case "c2": "C2"
        case "exfiltration": ja ? "データ持ち出し" : "exfiltration"
        default: code
        }
    }

    func industry(_ code: String) -> String {
        let en: [String: String] = ["financial-services": "Financial services", "manufacturing": "Manufacturing",
                                    "business-services": "Business services", "high-tech": "High tech", "commerce": "Commerce",
                                    "healthcare": "Healthcare", "logistics": "Logistics", "government": "Government",
                                    "education": "Education", "media": "Media", "telecom": "Telecommunications",
                                    "social-media": "Social media", "gaming": "Gaming", "": "Unknown"]
        let jp: [String: String] = ["financial-services": "金融サービス", "manufacturing": "製造", "business-services": "ビジネスサービス",
                                    "high-tech": "ハイテク", "commerce": "商業", "healthcare": "医療", "logistics": "物流",
                                    "government": "政府・公共", "education": "教育", "media": "メディア", "telecom": "通信",
                                    "social-media": "ソーシャルメディア", "gaming": "ゲーム", "": "不明"]
        if let s = (ja ? jp : en)[code] { return s }
        return code.prefix(1).uppercased() + code.dropFirst().replacingOccurrences(of: "-", with: " ")
    }

    func deviceType(_ code: String) -> String {
        switch code {
        case "nas": "NAS"
        case "router": ja ? "ルーター" : "Router"
        case "camera": ja ? "カメラ" : "Camera"
        case "iot": "IoT"
        case "mobile": ja ? "モバイル" : "Mobile"
        case "pc": "PC"
        case "server": ja ? "サーバー" : "Server"
        case "": ja ? "不明" : "Unknown"
        default: code
        }
    }

    func family(_ name: String) -> String { name.isEmpty ? (ja ? "その他・帰属不明" : "Other/unattributed") : name }

    func dimension(_ code: String) -> String {
        switch code {
        case "all": ja ? "全体" : "All"
        case "region": ja ? "地域" : "Region"
        case "segment": ja ? "セグメント" : "Segment"
        case "industry": ja ? "業種" : "Industry"
        default: code
        }
    }

    /// A label value of a table column, in words.
    func value(_ column: String, _ v: String, periods: [String: ReportPeriod]) -> String {
        switch column {
        case "period": return periods[v].map(period) ?? v
        case "region", "versus": return region(v)
        case "segment": return segment(v)
        case "category": return category(v)
        case "industry": return industry(v)
        case "device-type": return deviceType(v)
        case "family": return family(v)
        case "dimension": return dimension(v)
        case "ranking": return v == "devices" ? (ja ? "デバイス数" : "devices") : (ja ? "クエリ数" : "queries")
        case "ransomware", "iab": return v == "yes" ? (ja ? "はい" : "yes") : ""
        case "categories": return v.split(separator: "+").map { categoryShort(String($0)) }.joined(separator: ", ")
        case "group": return v
        default: return v
        }
    }

    // MARK: Fixed text

    func t(_ key: String) -> String {
        (ja ? Localizer.japanese[key] : Localizer.english[key]) ?? Localizer.english[key] ?? key
    }

    static let english: [String: String] = [
        "title": "DNS threat report",
        "subtitle": "Malicious DNS traffic by organisation, device, region and family",
        "range": "Period covered",
        "findings": "Key findings",
        "organisations": "Organisations",
        "devices": "Devices",
        "families": "Threat families",
        "home": "Home networks",
        "phishing": "Phishing",
        "chains": "Multi-stage attacks",
        "nod": "Newly observed domains",
        "methodology": "Methodology",
        "tables": "Data tables",
        "chart.orgs-c2-trend": "Organisations with C2 traffic",
        "chart.affected-trend": "Devices reaching malicious domains, by category",
        "chart.orgs-c2-industry": "Organisations with C2 traffic, by industry (share of organisations with C2)",
        "chart.family-shares": "Share of C2-affected devices, by family and region",
        "chart.iab-reach": "C2-affected devices that reached IAB domains",
        "chart.flagged-home": "Malicious queries from home networks, by region and half-year",
        "chart.phishing": "Phishing campaigns and victims, by targeted industry",
        "chart.device-types": "Infected devices, by device type",
        "chart.chains": "IAB devices that went on to a ransomware domain",
        "legend.campaigns": "Share of campaigns",
        "legend.victims": "Share of victims",
        "suppressed": "suppressed",
        "suppressed.note": "Cells resting on fewer than %d devices are suppressed (shown as —).",
        "top.devices": "Top threats by affected devices",
        "top.queries": "Top threats by queries",
        "ransomware": "ransomware",
        "col.period": "Period", "col.dimension": "Dimension", "col.group": "Group", "col.category": "Category",
        "col.region": "Region", "col.segment": "Segment", "col.family": "Family", "col.ranking": "Ranked by",
        "col.rank": "#", "col.categories": "Categories", "col.ransomware": "Ransomware", "col.iab": "IAB",
        "col.versus": "Versus", "col.industry": "Industry", "col.device-type": "Device type",
        "col.window-from": "Window from", "col.window-to": "Window to",
        "col.devices": "Devices", "col.queries": "Queries", "col.share": "Share", "col.ratio": "Ratio",
        "col.malicious-share-of-resolving": "Malicious share of resolving NODs", "col.malicious-share": "Malicious share of NODs",
        "col.numerator": "Numerator", "col.denominator": "Denominator",
        "table.devices-seen": "Devices seen",
        "table.affected-devices": "Affected devices by category (share of devices seen)",
        "table.organisations-c2": "Organisations with C2 traffic (share of organisations seen)",
        "table.organisations-compromised": "Organisations with any malicious traffic (share of organisations seen)",
        "table.family-shares": "Family shares (share of the category's affected devices)",
        "table.iab-reach": "IAB reach (share of C2-affected devices)",
        "table.top-threats": "Top threats",
        "table.top-c2-threats-by-organisations": "Top C2 threats by organisations affected",
        "table.c2-organisations-by-industry": "Organisations with C2 traffic by industry (share of organisations with C2)",
        "col.organisations": "Organisations",
        "top.c2orgs": "Top C2 threats by organisations affected",
        "table.chains": "IAB → ransomware chains (share of IAB devices)",
        "table.flagged-queries": "Flagged queries (share of all queries)",
        "table.flagged-query-ratios": "Flagged queries, ratio to the next region",
        "table.phishing-campaigns": "Phishing campaigns by targeted industry (share of campaigns)",
        "table.phishing-victims": "Phishing victims by targeted industry (share of phishing-affected devices)",
        "table.device-types": "Device types among infected devices",
        "table.newly-observed-domains": "Newly observed domains",
        "m.data": "Data",
        "m.sources": "Sources",
        "m.feeds": "Threat intelligence",
        "m.detectors": "Detectors",
        "m.definitions": "Definitions",
        "m.suppression": "Suppression",
        "m.no-runs": "The store holds no record of its ingest runs (data written without run records).",
        "m.no-detectors": "No detector ran: every detection comes from threat intelligence (known tier).",
        "m.col.source": "Source", "m.col.format": "Format", "m.col.events": "Events", "m.col.malformed": "Malformed",
        "m.col.feed": "Feed", "m.col.indicators": "Indicators", "m.col.detector": "Detector", "m.col.parameters": "Parameters",
        "generated": "Generated by dnsight",
    ]

    static let japanese: [String: String] = [
        "title": "DNS脅威レポート",
        "subtitle": "組織・デバイス・地域・ファミリー別の悪性DNSトラフィック",
        "range": "対象期間",
        "findings": "主な調査結果",
        "organisations": "組織",
        "devices": "デバイス",
        "families": "脅威ファミリー",
        "home": "家庭用ネットワーク",
        "phishing": "フィッシング",
        "chains": "多段階攻撃",
        "nod": "新規観測ドメイン",
        "methodology": "調査方法",
        "tables": "データ表",
        "chart.orgs-c2-trend": "C2トラフィックが見られた組織の割合",
        "chart.affected-trend": "悪性ドメインにアクセスしたデバイスの割合（カテゴリー別）",
        "chart.orgs-c2-industry": "C2トラフィックが見られた組織の業種別内訳",
        "chart.family-shares": "C2の影響を受けたデバイスに占める割合（ファミリー・地域別）",
        "chart.iab-reach": "IABドメインにもアクセスしたC2影響デバイスの割合",
        "chart.flagged-home": "家庭用ネットワークからの悪性クエリ数（地域・半期別）",
        "chart.phishing": "フィッシングキャンペーンと被害者（標的業種別）",
        "chart.device-types": "感染デバイスの種類",
        "chart.chains": "IABの後にランサムウェアドメインへ進んだデバイスの割合",
        "legend.campaigns": "キャンペーンに占める割合",
        "legend.victims": "被害者に占める割合",
        "suppressed": "非表示",
        "suppressed.note": "%d台未満のデバイスに基づく値は非表示（—）としています。",
        "top.devices": "影響デバイス数による上位の脅威",
        "top.queries": "クエリ数による上位の脅威",
        "ransomware": "ランサムウェア",
        "col.period": "期間", "col.dimension": "区分", "col.group": "グループ", "col.category": "カテゴリー",
        "col.region": "地域", "col.segment": "セグメント", "col.family": "ファミリー", "col.ranking": "順位の基準",
        "col.rank": "順位", "col.categories": "カテゴリー", "col.ransomware": "ランサムウェア", "col.iab": "IAB",
        "col.versus": "比較対象", "col.industry": "業種", "col.device-type": "デバイスの種類",
        "col.window-from": "期間開始", "col.window-to": "期間終了",
        "col.devices": "デバイス数", "col.queries": "クエリ数", "col.share": "割合", "col.ratio": "比率",
        "col.malicious-share-of-resolving": "名前解決された新規ドメインのうち悪性の割合", "col.malicious-share": "新規ドメインのうち悪性の割合",
        "col.numerator": "分子", "col.denominator": "分母",
        "table.devices-seen": "観測されたデバイス数",
        "table.affected-devices": "カテゴリー別の影響デバイス（観測デバイスに占める割合）",
        "table.organisations-c2": "C2トラフィックが見られた組織（観測組織に占める割合）",
        "table.organisations-compromised": "悪性トラフィックが見られた組織（観測組織に占める割合）",
        "table.family-shares": "ファミリー別の割合（カテゴリーの影響デバイスに占める割合）",
        "table.iab-reach": "IABへの到達（C2影響デバイスに占める割合）",
        "table.top-threats": "上位の脅威",
        "table.top-c2-threats-by-organisations": "影響を受けた組織数による上位のC2脅威",
        "table.c2-organisations-by-industry": "C2トラフィックが見られた組織の業種別内訳（C2のある組織に占める割合）",
        "col.organisations": "組織数",
        "top.c2orgs": "影響を受けた組織数による上位のC2脅威",
        "table.chains": "IAB → ランサムウェアの連鎖（IABデバイスに占める割合）",
        "table.flagged-queries": "悪性と判定されたクエリ（全クエリに占める割合）",
        "table.flagged-query-ratios": "悪性クエリ数の次点地域に対する比率",
        "table.phishing-campaigns": "標的業種別のフィッシングキャンペーン（キャンペーンに占める割合）",
        "table.phishing-victims": "標的業種別のフィッシング被害者（フィッシング影響デバイスに占める割合）",
        "table.device-types": "感染デバイスの種類",
        "table.newly-observed-domains": "新規観測ドメイン",
        "m.data": "データ",
        "m.sources": "データソース",
        "m.feeds": "脅威インテリジェンス",
        "m.detectors": "検知器",
        "m.definitions": "定義",
        "m.suppression": "非表示の基準",
        "m.no-runs": "ストアに取り込み実行の記録がありません（実行記録なしで書き込まれたデータ）。",
        "m.no-detectors": "検知器は使用されていません。すべての検知は脅威インテリジェンス（既知）によるものです。",
        "m.col.source": "ソース", "m.col.format": "形式", "m.col.events": "イベント数", "m.col.malformed": "不正なレコード",
        "m.col.feed": "フィード", "m.col.indicators": "指標数", "m.col.detector": "検知器", "m.col.parameters": "パラメーター",
        "generated": "dnsightにより生成",
    ]

    /// The metric definitions, for the methodology section.
    func definitions(_ o: AnalyticsOptions) -> [String] {
        if ja {
            return [
                "デバイス：組織内のクライアントの識別子（送信元に明示的なデバイスIDがあればそれ、なければクライアントアドレス）。",
                "観測デバイス：期間内に1件以上のクエリを送ったデバイス。観測組織：観測デバイスを1台以上持つ組織。",
                "影響デバイス（カテゴリーc）：期間内にcと分類されたクエリを1件以上送ったデバイス。割合＝影響デバイス÷観測デバイス。",
                "C2のある組織：期間内にC2の影響デバイスを1台以上持つ組織÷観測組織。業種別は企業セグメントのみ。",
                "ファミリーの割合：ファミリーfの影響デバイス÷カテゴリーの影響デバイス。1台が複数のファミリーに数えられることがあり、残りは「その他・帰属不明」。",
                "IABへの到達：IABタグ付きドメインにアクセスしたC2影響デバイス÷C2影響デバイス。",
                "悪性クエリ：1件以上の検知があったクエリ（1クエリ1件として数える）。地域間の比率は悪性クエリ数の比。",
                "フィッシングキャンペーン：キャンペーンID、キット、標的ブランドのいずれか（この優先順）を共有するフィッシングドメインの活動のうち、間隔が\(o.campaignGapDays)日以下で続くもの。",
                "多段階攻撃：IABドメインへのクエリの後、\(o.chainDays)日以内にランサムウェアドメインへクエリしたデバイス÷IABドメインにアクセスしたデバイス（どちらも期間内）。",
                "新規観測ドメイン：期間末日までの\(o.nodWindowDays)日間に、ストア全体で初めて観測されたドメイン。",
                o.tiers == .known ? "集計対象：脅威インテリジェンスによる検知（既知）のみ。" : "集計対象：既知（脅威インテリジェンス）と疑い（検知器）の両方。",
                "期間の境界はUTCの日単位です。",
            ]
        }
        return [
            "Device: the client identity inside its organisation — the source's explicit device id where it has one, else the client address.",
            "Devices seen: devices with at least one query in the period. Organisations seen: organisations with at least one device seen.",
            "Affected devices (category c): devices with at least one query in the period classified c; share = affected ÷ seen.",
            "Organisations with C2: organisations with at least one C2-affected device ÷ organisations seen; by industry over the enterprise segment.",
            "Family share: devices affected by family f ÷ devices affected in the category; a device may count for several families, the rest is \"other/unattributed\".",
            "IAB reach: C2-affected devices that queried an IAB-tagged domain ÷ C2-affected devices.",
            "Flagged queries: queries with at least one detection, each counted once; ratios between regions compare flagged-query counts.",
            "Phishing campaign: phishing domains sharing a campaign id, else a kit, else a target brand (in that order), active with gaps of at most \(o.campaignGapDays) days.",
            "Multi-stage chain: devices that queried an IAB domain and, strictly later and within \(o.chainDays) days, a ransomware domain ÷ devices that queried an IAB domain (both in the period).",
            "Newly observed domain: a domain first seen anywhere in the store within the \(o.nodWindowDays) days ending with the period's last day.",
            o.tiers == .known ? "Detections counted: threat-intelligence (known) only." : "Detections counted: known (threat intelligence) and suspected (detectors).",
            "Period boundaries are whole UTC days.",
        ]
    }
}
