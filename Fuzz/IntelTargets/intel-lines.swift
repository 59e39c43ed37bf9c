// libFuzzer target `intel-lines`: line formats (plain lists, hosts files, adblock rules, Maltrail trails, URL lists).
// Built by Fuzz/build-intel.sh against the DNSWire, DNSightCore and IntelFeeds modules; uses only the public API.
// Properties: see Shared/IntelProperties.swift.
import IntelFeeds

@_cdecl("LLVMFuzzerTestOneInput")
public func intelFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    checkIntelProperties(data, size, formats: [.list, .hosts, .adblock, .maltrail, .openphish])
}
