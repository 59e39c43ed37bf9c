import DNSightCore

extension LogFormat {
    /// Readers for the text and database formats of this module.
    func makeTextReader(options: ReaderOptions) throws -> any EventReader {
        let maxLine = options.maxLineLength
        switch self {
        default:
            _ = maxLine
            throw ReaderError(file: "-", "the \(rawValue) reader is not in this build")
        }
    }
}
