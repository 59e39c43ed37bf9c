extension DNSMessage: CustomStringConvertible {
    /// The message as `dig` prints it: header line, flags and counts, the OPT pseudosection and each section.
    public var description: String { digText }

    /// The message as `dig` prints it.
    public var digText: String {
        var lines = [String]()
        lines.append(";; ->>HEADER<<- opcode: \(header.opcode), status: \(rcode), id: \(header.id)")
        let arCount = additional.count + (edns == nil ? 0 : 1)
        lines.append(";; flags: \(header.flagNames.joined(separator: " ")); QUERY: \(questions.count), ANSWER: \(answers.count), AUTHORITY: \(authority.count), ADDITIONAL: \(arCount)")
        if let edns {
            lines.append("")
            lines.append(";; OPT PSEUDOSECTION:")
            var flagText = edns.dnssecOK ? " do" : ""
            if edns.flags & 0x7FFF != 0 { flagText += "; MBZ: 0x\(String(edns.flags & 0x7FFF, radix: 16))" }
            lines.append("; EDNS: version: \(edns.version), flags:\(flagText); udp: \(edns.udpPayloadSize)")
            for o in edns.options { lines.append("; " + o.presentation) }
        }
        if !questions.isEmpty {
            lines.append("")
            lines.append(";; QUESTION SECTION:")
            for q in questions { lines.append(";" + q.description) }
        }
        for (title, records) in [("ANSWER", answers), ("AUTHORITY", authority), ("ADDITIONAL", additional)] where !records.isEmpty {
            lines.append("")
            lines.append(";; \(title) SECTION:")
            for rr in records { lines.append(rr.presentation) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
