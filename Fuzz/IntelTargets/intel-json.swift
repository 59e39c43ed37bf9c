// libFuzzer target `intel-json`: JSON formats (ThreatFox, STIX 2.1 with its pattern reader, MISP).
// Built by Fuzz/build-intel.sh against the DNSWire, DNSightCore and IntelFeeds modules; uses only the public API.
// Properties: see Shared/IntelProperties.swift.
import IntelFeeds

@_cdecl("LLVMFuzzerTestOneInput")
public func intelFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkIntelProperties(data, size, formats: [.threatfoxJSON, .stix, .misp])
}
