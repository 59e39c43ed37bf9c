import DNSightCore
import Foundation

/// Writes the inventory (who is who) and the intel files (what is known to be bad).
enum SideFiles {
    /// The inventory as CSV: one row per device (`cidr` a /32), with its organisation, segment, region, country,
    /// industry, device type and site (a household number for home devices).
    static func writeInventory(_ s: SimState, to path: String) throws(SimulatorError) {
        let sink = try ByteSink(path: path)
        var out = sink.take()
        out.ascii("cidr,organisation,segment,region,country,industry,device_type,site\n")
        for d in s.world.devices {
            let org = s.world.organisations[Int(d.organisation)]
            out.ipv4(d.address); out.ascii("/32,")
            csv(org.name, &out); out.byte(0x2C)
            out.string(d.segment.name); out.byte(0x2C)
            out.string(s.world.regions[org.region].name); out.byte(0x2C)
            out.string(org.country); out.byte(0x2C)
            out.string(org.industry); out.byte(0x2C)
            out.string(d.kind.inventoryType); out.byte(0x2C)
            csv(s.world.siteName(d), &out); out.byte(0x0A)
        }
        sink.give(out)
        try sink.close()
    }

    static func csv(_ text: String, _ out: inout OutBuffer) {
        if text.contains(",") || text.contains("\"") {
            out.byte(0x22); out.string(text.replacingOccurrences(of: "\"", with: "\"\"")); out.byte(0x22)
        } else {
            out.string(text)
        }
    }

    /// The file name of a family's Maltrail trail (`Agent Tesla` → `agent_tesla.txt`).
    static func trailFile(_ family: String) -> String {
        var s = ""
        for c in family.lowercased() {
            if c.isLetter || c.isNumber { s.append(c) } else if !s.hasSuffix("_") { s.append("_") }
        }
        return s + ".txt"
    }

    /// The intel files: Maltrail trails per family, PhishTank's CSV, a ThreatFox CSV; only listed entries, in a
    /// stable order. Returns the files written.
    static func writeIntel(_ s: SimState, to folder: String) throws(SimulatorError) -> [String] {
        var files: [String] = []
        let entries = s.threats.entries.filter(\.listed)
        let c = WriteContext(s)
        let fm = FileManager.default
        func mkdir(_ p: String) throws(SimulatorError) {
            do { try fm.createDirectory(atPath: p, withIntermediateDirectories: true) } catch {
                throw SimulatorError(.output("cannot create the folder: \(error.localizedDescription)"), file: p)
            }
        }
        // Maltrail: one trail file per family.
        var byFamily: [String: [IntelEntry]] = [:]
        for e in entries where e.feed == .maltrail { byFamily[e.family ?? "generic malware", default: []].append(e) }
        if !byFamily.isEmpty {
            let dir = folder + "/maltrail/trails/static/malware"
            try mkdir(dir)
            for family in byFamily.keys.sorted() {
                let path = dir + "/" + trailFile(family)
                let sink = try ByteSink(path: path)
                var out = sink.take()
                out.ascii("# Maltrail-style static trail written by the dnsight simulator (not real indicators)\n")
                out.string("# Reference: https://dnsight.invalid/simulated/\(trailFile(family).dropLast(4))\n\n")
                for e in byFamily[family]!.sorted(by: { s.names.string($0.name) < s.names.string($1.name) }) {
                    out.name(e.name, c); out.byte(0x0A)
                }
                sink.give(out)
                try sink.close()
                files.append(path)
            }
        }
        // PhishTank: verified, online phishing URLs with their target brand.
        let phish = entries.filter { $0.feed == .phishtank }
        if !phish.isEmpty {
            let dir = folder + "/phishtank"
            try mkdir(dir)
            let path = dir + "/verified_online.csv"
            let sink = try ByteSink(path: path)
            var out = sink.take()
            out.ascii("phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n")
            for (i, e) in phish.sorted(by: { ($0.firstDay, s.names.string($0.name)) < ($1.firstDay, s.names.string($1.name)) }).enumerated() {
                let id = 7_000_000 + i
                let h = SimRandom.mix(SimRandom.hash(s.names.string(e.name)))
                let paths = ["/signin/", "/login.php", "/verify/account", "/secure/update.html", "/auth/", "/wallet/connect"]
                out.decimal(id); out.ascii(",https://"); out.name(e.name, c); out.string(paths[Int(h % UInt64(paths.count))])
                out.ascii(",http://www.phishtank.com/phish_detail.php?phish_id="); out.decimal(id); out.byte(0x2C)
                out.isoTime(Int64(e.firstDay) * SimCalendar.nanosPerDay + Int64(h % 36_000) * SimCalendar.nanosPerSecond, digits: 0, zone: "+00:00")
                out.ascii(",yes,")
                out.isoTime(Int64(e.firstDay) * SimCalendar.nanosPerDay + Int64(h % 36_000 + 3600) * SimCalendar.nanosPerSecond, digits: 0, zone: "+00:00")
                out.ascii(",yes,"); csv(e.brand ?? "Other", &out); out.byte(0x0A)
            }
            sink.give(out)
            try sink.close()
            files.append(path)
        }
        // ThreatFox: everything else (exfiltration, unattributed malware, phishing without PhishTank).
        let fox = entries.filter { $0.feed == .threatfox }
        if !fox.isEmpty {
            let dir = folder + "/threatfox"
            try mkdir(dir)
            let path = dir + "/full.csv"
            let sink = try ByteSink(path: path)
            var out = sink.take()
            out.ascii("################################################################\n# ThreatFox IOCs: CSV export (simulated by the dnsight simulator) #\n################################################################\n#\n")
            out.ascii("# \"first_seen_utc\",\"ioc_id\",\"ioc_value\",\"ioc_type\",\"threat_type\",\"fk_malware\",\"malware_alias\",\"malware_printable\",\"last_seen_utc\",\"confidence_level\",\"reference\",\"tags\",\"anonymous\",\"reporter\"\n")
            for (i, e) in fox.sorted(by: { ($0.firstDay, s.names.string($0.name)) < ($1.firstDay, s.names.string($1.name)) }).enumerated() {
                let threat: String
                switch e.category {
                case .exfiltration: threat = "dns_tunnel"
                case .phishing: threat = "phishing"
                case .commandAndControl: threat = "botnet_cc"
                case .malware: threat = "payload_delivery"
                }
                let fam = e.family ?? "Unknown malware"
                var tags: [String] = []
                if let b = e.brand { tags.append("brand:" + b) }
                out.byte(0x22); out.string(SimCalendar.isoDate(e.firstDay) + " 00:00:00"); out.ascii("\", \"")
                out.decimal(1_100_000 + i); out.ascii("\", \""); out.name(e.name, c); out.ascii("\", \"domain\", \"")
                out.string(threat); out.ascii("\", \""); out.string(fam.lowercased().replacingOccurrences(of: " ", with: "_"))
                out.ascii("\", \"None\", \""); out.string(fam); out.ascii("\", \""); out.string(SimCalendar.isoDate(e.lastDay) + " 23:59:59")
                out.ascii("\", \"75\", \"None\", \""); out.string(tags.joined(separator: ",")); out.ascii("\", \"0\", \"dnsight-sim\"\n")
            }
            out.string("# Number of entries: \(fox.count)\n")
            sink.give(out)
            try sink.close()
            files.append(path)
        }
        return files
    }
}
