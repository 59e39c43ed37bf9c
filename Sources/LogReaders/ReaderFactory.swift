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
        default:
            throw ReaderError(file: "-", "the \(rawValue) reader is not in this build")
        }
    }
}
