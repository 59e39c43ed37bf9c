import Foundation
import Yams

/// A YAML document reduced to JSON-like values, each with the line it was on, so that schema errors can point at it.
indirect enum YAMLValue {
    case string(String, line: Int?)
    case integer(Int, line: Int?)
    case number(Double, line: Int?)
    case bool(Bool, line: Int?)
    case null(line: Int?)
    case array([YAMLValue], line: Int?)
    case object([(key: String, value: YAMLValue)], line: Int?)

    var line: Int? {
        switch self {
        case .string(_, let l), .integer(_, let l), .number(_, let l), .bool(_, let l), .null(let l), .array(_, let l), .object(_, let l): return l
        }
    }

    /// The JSON Schema type names this value satisfies.
    var typeNames: Set<String> {
        switch self {
        case .string: return ["string"]
        case .integer: return ["integer", "number"]
        case .number(let d, _): return d == d.rounded() ? ["number", "integer"] : ["number"]
        case .bool: return ["boolean"]
        case .null: return ["null"]
        case .array: return ["array"]
        case .object: return ["object"]
        }
    }

    var describe: String {
        switch self {
        case .string(let s, _): return "the string \"\(s)\""
        case .integer(let i, _): return "the integer \(i)"
        case .number(let d, _): return "the number \(d)"
        case .bool(let b, _): return "\(b)"
        case .null: return "null"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }

    /// Converts a composed Yams node.
    init(_ node: Node) {
        let line = node.mark?.line
        switch node {
        case .scalar(let s):
            switch node.tag.rawValue {
            case Tag.Name.int.rawValue: if let i = node.int { self = .integer(i, line: line) } else { self = .string(s.string, line: line) }
            case Tag.Name.float.rawValue: if let d = node.float { self = .number(d, line: line) } else { self = .string(s.string, line: line) }
            case Tag.Name.bool.rawValue: if let b = node.bool { self = .bool(b, line: line) } else { self = .string(s.string, line: line) }
            case Tag.Name.null.rawValue: self = .null(line: line)
            default: self = .string(s.string, line: line)
            }
        case .sequence(let seq):
            self = .array(seq.map { YAMLValue($0) }, line: line)
        case .mapping(let m):
            self = .object(m.map { (key: $0.key.string ?? "\($0.key)", value: YAMLValue($0.value)) }, line: line)
        case .alias:
            self = .null(line: line)
        }
    }
}

/// Checks a YAML document against the scenario's JSON Schema (the subset of draft 2020-12 the schema uses: `type`,
/// `properties`, `required`, `additionalProperties`, `propertyNames`, `items`, `minItems`, `maxItems`,
/// `minProperties`, `enum`, `minimum`, `maximum`, `minLength`, `pattern`, `$ref` to `#/$defs/…`).
///
/// The schema is the one shipped as `Docs/scenario.schema.json`, so that the file people read is the file that is
/// enforced. Unknown keys are errors (a misspelt key would otherwise be silently ignored).
struct ScenarioSchema: @unchecked Sendable {
    let root: [String: Any]

    /// The embedded schema.
    static let shipped: ScenarioSchema = {
        let data = Data(PackageResources.scenario_schema_json)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ScenarioSchema(root: object)
    }()

    /// The schema's text (for `dnsight simulate --print-schema` and the docs test).
    static var text: String { String(decoding: PackageResources.scenario_schema_json, as: UTF8.self) }

    /// Validates; throws the first violation with its key path and line.
    func validate(_ value: YAMLValue, file: String?) throws(SimulatorError) {
        try check(value, root, path: "", file: file)
    }

    func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String, ref.hasPrefix("#/$defs/") else { return schema }
        let name = String(ref.dropFirst("#/$defs/".count))
        let defs = root["$defs"] as? [String: Any] ?? [:]
        return resolve(defs[name] as? [String: Any] ?? [:])
    }

    func fail(_ message: String, _ path: String, _ value: YAMLValue, _ file: String?) -> SimulatorError {
        SimulatorError(.scenario(message), file: file, keyPath: path.isEmpty ? "(top level)" : path, line: value.line)
    }

    func check(_ value: YAMLValue, _ raw: [String: Any], path: String, file: String?) throws(SimulatorError) {
        let schema = resolve(raw)
        if let allowed = schema["enum"] as? [Any] {
            let texts = allowed.map { "\($0)" }
            let actual: String?
            switch value {
            case .string(let s, _): actual = s
            case .integer(let i, _): actual = "\(i)"
            default: actual = nil
            }
            guard let actual, texts.contains(actual) else {
                throw fail("expected one of \(texts.joined(separator: ", ")), found \(value.describe)", path, value, file)
            }
        }
        if let type = schema["type"] as? String {
            guard value.typeNames.contains(type) else {
                throw fail("expected \(Self.article(type)), found \(value.describe)", path, value, file)
            }
        }
        switch value {
        case .string(let s, _):
            if let min = Self.int(schema["minLength"]), s.count < min { throw fail("must not be empty", path, value, file) }
            if let pattern = schema["pattern"] as? String, s.range(of: pattern, options: .regularExpression) == nil {
                let hint = (schema["description"] as? String).map { " (\($0))" } ?? ""
                throw fail("\"\(s)\" does not have the expected form\(hint)", path, value, file)
            }
        case .integer(let i, _):
            try checkRange(Double(i), schema, path, value, file)
        case .number(let d, _):
            try checkRange(d, schema, path, value, file)
        case .array(let items, _):
            if let min = Self.int(schema["minItems"]), items.count < min {
                throw fail("expected at least \(min) item\(min == 1 ? "" : "s"), found \(items.count)", path, value, file)
            }
            if let max = Self.int(schema["maxItems"]), items.count > max {
                throw fail("expected at most \(max) item\(max == 1 ? "" : "s"), found \(items.count)", path, value, file)
            }
            if let itemSchema = schema["items"] as? [String: Any] {
                for (i, item) in items.enumerated() { try check(item, itemSchema, path: "\(path)[\(i)]", file: file) }
            }
        case .object(let members, _):
            let properties = schema["properties"] as? [String: Any] ?? [:]
            let keys = Set(members.map(\.key))
            for req in schema["required"] as? [String] ?? [] where !keys.contains(req) {
                throw fail("the required key '\(req)' is missing", path, value, file)
            }
            if let min = Self.int(schema["minProperties"]), members.count < min {
                throw fail("expected at least \(min) entr\(min == 1 ? "y" : "ies")", path, value, file)
            }
            for (key, member) in members {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if let names = schema["propertyNames"] as? [String: Any] {
                    do { try check(.string(key, line: member.line), names, path: childPath, file: file) } catch {
                        throw SimulatorError(.scenario("unknown key '\(key)': \(error.kindMessage)"), file: file, keyPath: childPath, line: member.line)
                    }
                }
                if let p = properties[key] as? [String: Any] {
                    try check(member, p, path: childPath, file: file)
                } else if let extra = schema["additionalProperties"] {
                    if let allowed = extra as? Bool {
                        if !allowed {
                            let known = properties.keys.sorted()
                            let suggestion = Self.closest(key, known).map { " (did you mean '\($0)'?)" } ?? ""
                            throw SimulatorError(.scenario("unknown key '\(key)'\(suggestion); allowed here: \(known.joined(separator: ", "))"),
                                                 file: file, keyPath: childPath, line: member.line)
                        }
                    } else if let s = extra as? [String: Any] {
                        try check(member, s, path: childPath, file: file)
                    }
                }
            }
        default:
            break
        }
    }

    func checkRange(_ d: Double, _ schema: [String: Any], _ path: String, _ value: YAMLValue, _ file: String?) throws(SimulatorError) {
        if let min = Self.double(schema["minimum"]), d < min { throw fail("must be at least \(Self.number(min)), found \(Self.number(d))", path, value, file) }
        if let max = Self.double(schema["maximum"]), d > max { throw fail("must be at most \(Self.number(max)), found \(Self.number(d))", path, value, file) }
    }

    static func double(_ any: Any?) -> Double? {
        switch any {
        case let d as Double: return d
        case let i as Int: return Double(i)
        case let n as NSNumber: return n.doubleValue
        default: return nil
        }
    }

    static func int(_ any: Any?) -> Int? { double(any).map { Int($0) } }

    static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }

    static func article(_ type: String) -> String {
        switch type {
        case "object": return "a mapping"
        case "array": return "a list"
        case "integer": return "an integer"
        case "boolean": return "true or false"
        default: return "a \(type)"
        }
    }

    /// The known key nearest to a misspelt one (edit distance ≤ 3).
    static func closest(_ key: String, _ known: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var prev = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var cur = [i + 1] + [Int](repeating: 0, count: b.count)
                for (j, cb) in b.enumerated() { cur[j + 1] = min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (ca == cb ? 0 : 1)) }
                prev = cur
            }
            return prev[b.count]
        }
        let k = Array(key.lowercased())
        let best = known.map { ($0, distance(k, Array($0.lowercased()))) }.min { $0.1 < $1.1 }
        return best.flatMap { $0.1 <= 3 ? $0.0 : nil }
    }
}

extension SimulatorError {
    /// The message without the location.
    var kindMessage: String {
        switch kind {
        case .scenario(let m), .output(let m), .argument(let m): return m
        }
    }
}
