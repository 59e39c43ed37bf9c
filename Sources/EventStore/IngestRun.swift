/// What one ingest run used and saw — the facts a report's methodology section states.
///
/// `dnsight analyze` fills one per run and stores it with ``EventStoreWriter/record(run:)``.
public struct IngestRun: Hashable, Sendable, Codable {
    /// One input source of the run.
    public struct Source: Hashable, Sendable, Codable {
        /// The file or stream name.
        public var name: String
        /// The format read (`zeek-tsv`, `dnstap`, `pcap`…).
        public var format: String
        /// Events read.
        public var events: Int64
        /// Records dropped as malformed.
        public var malformed: Int64
        /// Creates a source summary.
        public init(name: String, format: String, events: Int64, malformed: Int64 = 0) {
            self.name = name
            self.format = format
            self.events = events
            self.malformed = malformed
        }
    }

    /// One threat-intelligence feed of the run.
    public struct Feed: Hashable, Sendable, Codable {
        /// The feed's name or file.
        public var name: String
        /// Its format (`threatfox-json`, `rpz`, `hosts`…).
        public var format: String
        /// Indicators loaded from it.
        public var indicators: Int64
        /// Creates a feed summary.
        public init(name: String, format: String, indicators: Int64) {
            self.name = name
            self.format = format
            self.indicators = indicators
        }
    }

    /// One detector of the run and its settings.
    public struct Detector: Hashable, Sendable, Codable {
        /// The detector's name (`dga`, `tunnel`, `nxd-burst`, `beacon`, `nod`).
        public var name: String
        /// Its parameters, in order (name, value).
        public var parameters: [[String]]
        /// Creates a detector summary.
        public init(name: String, parameters: [(String, String)]) {
            self.name = name
            self.parameters = parameters.map { [$0.0, $0.1] }
        }
    }

    /// When the run started, nanoseconds since 1970 UTC.
    public var startedNanos: Int64
    /// When it finished.
    public var finishedNanos: Int64
    /// The program and version that ran it.
    public var tool: String
    /// The inputs.
    public var sources: [Source]
    /// The intelligence feeds.
    public var feeds: [Feed]
    /// The detectors.
    public var detectors: [Detector]
    /// Queries stored by the run.
    public var queries: Int64
    /// Detections stored by the run.
    public var detections: Int64

    /// Creates a run record.
    public init(startedNanos: Int64, finishedNanos: Int64, tool: String, sources: [Source], feeds: [Feed],
                detectors: [Detector], queries: Int64, detections: Int64) {
        self.startedNanos = startedNanos
        self.finishedNanos = finishedNanos
        self.tool = tool
        self.sources = sources
        self.feeds = feeds
        self.detectors = detectors
        self.queries = queries
        self.detections = detections
    }
}
