import DNSightCore

extension LogFormat {
    /// Readers for the text and database formats of this module.
    func makeTextReader(options: ReaderOptions) throws -> any EventReader {
        let maxLine = options.maxLineLength
        let tz = options.timeZoneOffsetSeconds
        switch self {
        case .bind: return LineFormatReader(BINDQueryLogParser(timeZoneOffsetSeconds: tz, year: options.effectiveYear), maxLineLength: maxLine)
        case .unbound: return LineFormatReader(UnboundLogParser(timeZoneOffsetSeconds: tz, year: options.effectiveYear), maxLineLength: maxLine)
        case .dnsmasq: return LineFormatReader(DnsmasqLogParser(timeZoneOffsetSeconds: tz, year: options.effectiveYear), maxLineLength: maxLine)
        case .eve: return LineFormatReader(EVEParser(), maxLineLength: maxLine)
        case .route53: return LineFormatReader(Route53ResolverParser(), maxLineLength: maxLine)
        case .cloudflare: return LineFormatReader(CloudflareGatewayParser(), maxLineLength: maxLine)
        case .piholeDB: return PiholeDatabaseReader()
        case .jsonLines, .csv:
            guard let mapping = options.columnMapping else {
                throw ReaderError(file: "-", "the \(rawValue) format needs a column mapping: --map time=<column>,qname=<column>[,client=…,qtype=…]")
            }
            if self == .csv { return LineFormatReader(CSVParser(mapping: mapping), maxLineLength: maxLine) }
            return LineFormatReader(GenericJSONParser(mapping: mapping), maxLineLength: maxLine)
        case .zeekTSV, .zeekJSON, .dnstap, .pcap, .pcapng:
            return try makeReader(options: options)
        }
    }
}
