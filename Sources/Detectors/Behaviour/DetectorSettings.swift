/// Every setting of the suspected-tier detectors: which run, their thresholds, windows and state caps.
///
/// The defaults are the values documented in `Sources/Detectors/Behaviour/README.md`; ``entries`` lists each setting
/// with its file key, current value and help so that `--detectors-config` files, `dnsight analyze --help` and the
/// report's methodology all describe the same thing. DGA thresholds left unset (nil) take the bundled model's
/// calibrated thresholds.
public struct DetectorSettings: Sendable, Hashable {
    /// Settings every behaviour detector shares.
    public struct Common: Sendable, Hashable {
        /// Registrable domains the behaviour detectors never flag: vendor telemetry, OS update and time services and
        /// DNS-as-data services (DNSBLs, anti-virus reputation lookups) whose traffic looks like beacons or tunnels.
        public var benignDomains: [String] = Common.defaultBenignDomains
        /// Last labels of names that are internal or special-use; such names are never flagged.
        public var internalSuffixes: [String] = ["local", "localhost", "internal", "intranet", "lan", "home", "corp", "localdomain",
                                                 "private", "test", "invalid", "example", "arpa", "onion", "alt", "domain", "workgroup"]
        /// A registrable domain queried by at least this many devices (per worker, recent day) is popular: beaconing
        /// and tunnelling do not fire on it — a fleet of identical IoT devices polling its vendor is periodic too.
        /// 0 turns the test off. The price: a C2 domain that this many devices beacon to is missed by these two
        /// detectors (the DGA and known-family stages still see it).
        public var popularDevices = 10
        /// Platform suffixes whose host labels are random by design (CDN distribution ids, cloud host names): a name
        /// under them is not scored for DGA-likeness (the tunnel and beacon detectors still watch it).
        public var randomLabelSuffixes = ["cloudfront.net", "akamaiedge.net", "akamaihd.net", "akamaized.net", "edgekey.net", "edgesuite.net",
                                          "azureedge.net", "azurefd.net", "fastly.net", "fastlylb.net", "cdn77.org", "b-cdn.net",
                                          "amazonaws.com", "elb.amazonaws.com", "googleusercontent.com", "appspot.com", "cloudapp.net",
                                          "trafficmanager.net", "herokuapp.com", "vercel.app", "netlify.app", "workers.dev", "pages.dev",
                                          "web.app", "firebaseapp.com", "r2.dev"]
        /// Registrable domains remembered at most (device counts, DGA scores, newly-observed answers; least recently
        /// seen evicted beyond), and how long one lives without queries, in seconds.
        public var maxDomains = 262_144
        public var domainIdleSeconds: Int64 = 86_400

        /// The default benign list.
        public static let defaultBenignDomains = [
            // Microsoft telemetry, update, connectivity checks
            "microsoft.com", "windows.com", "windowsupdate.com", "msftncsi.com", "msftconnecttest.com", "office.com", "office.net",
            "live.com", "msn.com", "bing.com", "skype.com", "microsoftonline.com",
            // Google and Chrome
            "google.com", "googleapis.com", "gstatic.com", "gvt1.com", "gvt2.com", "googlevideo.com", "googleusercontent.com",
            // Apple
            "apple.com", "icloud.com", "mzstatic.com", "apple-dns.net",
            // Time, OS and browser updates, connectivity checks
            "ntp.org", "nist.gov", "ubuntu.com", "canonical.com", "debian.org", "fedoraproject.org", "mozilla.com", "mozilla.net",
            "mozilla.org", "firefox.com", "android.com",
            // DNS-as-data: DNS blocklists and anti-virus reputation lookups
            "spamhaus.org", "spamcop.net", "surbl.org", "uribl.com", "barracudacentral.org", "sorbs.net", "sophosxl.net",
            "mcafee.com", "trendmicro.com", "e5.sk", "senderbase.org",
        ]
    }

    /// NXDOMAIN bursts per device.
    public struct NXDomain: Sendable, Hashable {
        public var enabled = true
        /// The sliding window, seconds.
        public var windowSeconds: Int64 = 600
        /// DGA branch: at least this many distinct NXDOMAIN registrable domains in the window score DGA-like…
        public var minDGADomains = 6
        /// …and they are at least this share of all distinct NXDOMAIN registrable domains in the window.
        public var minDGAFraction = 0.5
        /// DGA-like means a DGA score at or above this (nil: the model's 1-in-1,000 false-positive threshold).
        public var dgaThreshold: Double? = nil
        /// Volume branch: at least this many distinct NXDOMAIN registrable domains in the window…
        public var volumeDomains = 30
        /// …under at most this many public suffixes (a DGA draws from a short, fixed TLD list).
        public var volumeMaxSuffixes = 4
        /// Random-subdomain branch: at least this many distinct NXDOMAIN names in the window…
        public var subdomainNames = 50
        /// …under at most this many registrable domains…
        public var subdomainMaxParents = 2
        /// …whose leftmost labels average at least this entropy (bits per character).
        public var subdomainMinEntropy = 3.0
        /// Distinct NXDOMAIN names remembered per device and window at most.
        public var maxNamesPerDevice = 512
        /// Devices tracked at most.
        public var maxDevices = 131_072
    }

    /// DNS tunnelling / exfiltration per (device, parent domain).
    public struct Tunnel: Sendable, Hashable {
        public var enabled = true
        /// The tumbling window per (device, parent), seconds.
        public var windowSeconds: Int64 = 3600
        /// Queries under the parent in the window before it is scored.
        public var minQueries = 20
        /// Unique sub-domains in the window for full marks on that feature.
        public var uniqueTarget = 100
        /// Mean sub-domain bytes per query scored from `lengthLow` (0) to `lengthHigh` (1).
        public var lengthLow = 20.0, lengthHigh = 60.0
        /// Mean entropy of long sub-domains (bits per character) scored from `entropyLow` (0) to `entropyHigh` (1).
        public var entropyLow = 3.0, entropyHigh = 4.2
        /// A sub-domain at least this long (bytes) counts as long (its entropy is measured).
        public var longSubdomain = 16
        /// The feature weights: unique sub-domains, length, entropy, TXT/NULL/CNAME/MX/ANY share.
        public var weightUnique = 0.35, weightLength = 0.25, weightEntropy = 0.25, weightTypes = 0.15
        /// Fire at or above this score.
        public var threshold = 0.7
        /// (device, parent) pairs tracked at most.
        public var maxPairs = 262_144
    }

    /// Beaconing per (device, name), scored like RITA scores connection timestamps.
    public struct Beacon: Sendable, Hashable {
        public var enabled = true
        /// Distinct query times (after de-duplication) before a pair is scored.
        public var minQueries = 12
        /// Intervals for full marks on the count feature.
        public var targetIntervals = 24
        /// Queries closer than this (seconds) count as one (A + AAAA, retries).
        public var dedupeSeconds: Int64 = 2
        /// The median interval must lie in this range (seconds).
        public var minIntervalSeconds: Int64 = 10, maxIntervalSeconds: Int64 = 7200
        /// Fire at or above this score (the mean of the skew, dispersion and count scores)…
        public var threshold = 0.8
        /// …and keep the alert while re-scores stay at or above `threshold − hysteresis`.
        public var hysteresis = 0.05
        /// The dispersion score alone must reach this: the intervals hug their median (a beacon with 60% jitter
        /// still does; exponential, human gaps score about 0.3).
        public var minDispersionScore = 0.6
        /// Re-score a pair after this many new query times.
        public var evaluateEvery = 4
        /// A pair idle this long (seconds) is forgotten.
        public var idleSeconds: Int64 = 21_600
        /// (device, name) pairs tracked at most as candidates (seen fewer than three distinct times)…
        public var maxPairs = 262_144
        /// …and with a history of query times.
        public var maxHistories = 65_536
    }

    /// Newly observed domains (first seen within `windowDays`), flagged when DGA-like.
    public struct NewDomain: Sendable, Hashable {
        public var enabled = true
        /// A domain is new for this many days after it is first seen.
        public var windowDays = 60
        /// Flag a new domain whose DGA score is at least this (nil: the model's 1-in-1,000 false-positive threshold).
        public var dgaThreshold: Double? = nil
        /// Flag only once the seen-set has watched for at least this many days (0: flag from the start).
        public var minHistoryDays = 0
        /// Domains the Bloom filter of older domains is sized for, and its false-positive rate.
        public var bloomCapacity = 4_000_000
        public var bloomFalsePositiveRate = 0.001
        /// Recent (exact) domains kept at most; beyond, the oldest move to the Bloom filter early.
        public var maxRecent = 2_000_000
        /// Where the seen-set is loaded from and saved to (nil: start empty, do not save).
        public var stateFile: String? = nil
        /// Domain lists (one name per line; hosts-file and `#` comment lines tolerated) whose registrable domains
        /// count as seen long ago: a popular-domain list makes a fresh seen-set behave like a warm one.
        public var seedFiles: [String] = []
    }

    /// DGA-likeness and known-family DGA names, per query.
    public struct DGA: Sendable, Hashable {
        public var enabled = true
        /// Flag a query whose registrable label scores at least this (nil: the model's 1-in-10,000 threshold).
        public var threshold: Double? = nil
        /// Attribute names that a known family's generator produces (QSnatch, Pykspa) within `marginDays` of the day.
        public var knownFamilies = true
        public var marginDays = 1
    }

    public var common = Common()
    public var nxdomain = NXDomain()
    public var tunnel = Tunnel()
    public var beacon = Beacon()
    public var newDomain = NewDomain()
    public var dga = DGA()

    /// The defaults.
    public init() {}

    /// The detector names, in the order the chain runs them.
    public static let detectorNames = ["dga", "tunnel", "beacon", "nxdomain", "nod"]

    /// Whether the named detector is on.
    public func isEnabled(_ name: String) -> Bool {
        switch name {
        case "dga": return dga.enabled
        case "tunnel": return tunnel.enabled
        case "beacon": return beacon.enabled
        case "nxdomain": return nxdomain.enabled
        case "nod": return newDomain.enabled
        default: return false
        }
    }

    /// Turns the named detector on or off; false for an unknown name.
    @discardableResult
    public mutating func setEnabled(_ name: String, _ on: Bool) -> Bool {
        switch name {
        case "dga": dga.enabled = on
        case "tunnel": tunnel.enabled = on
        case "beacon": beacon.enabled = on
        case "nxdomain": nxdomain.enabled = on
        case "nod": newDomain.enabled = on
        default: return false
        }
        return true
    }

    /// The detectors that are on.
    public var enabledDetectors: [String] { Self.detectorNames.filter(isEnabled) }
}
