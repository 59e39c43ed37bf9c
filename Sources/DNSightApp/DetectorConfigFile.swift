import Detectors
import Foundation
import Yams

/// Reads a `--detectors-config` file (YAML, or JSON, which YAML reads too) into ``DetectorSettings``.
///
/// Keys are the settings' file keys, nested (`beacon: {threshold: 0.9}`) or dotted (`beacon.threshold: 0.9`); lists
/// are YAML sequences or comma-separated strings; `null` unsets an optional value. Unknown keys are errors, named
/// with their line, so that a misspelt threshold never silently keeps its default.
public enum DetectorConfigFile {
    /// Applies the file at `path` on top of `settings`.
    public static func load(_ path: String, into settings: DetectorSettings = DetectorSettings()) throws -> DetectorSettings {
        guard let data = FileManager.default.contents(atPath: path) else { throw AnalyzeError("cannot read the detectors config \(path)") }
        return try parse(String(decoding: data, as: UTF8.self), file: path, into: settings)
    }

    /// Applies configuration text on top of `settings`.
    public static func parse(_ text: String, file: String, into settings: DetectorSettings = DetectorSettings()) throws -> DetectorSettings {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw AnalyzeError("\(file): not YAML or JSON: \(error)")
        }
        var s = settings
        guard let root else { return s }
        guard case .mapping = root else { throw AnalyzeError("\(file): the detectors config is a mapping of settings") }
        var flat: [(key: String, value: Node, line: Int)] = []
        func walk(_ node: Node, _ prefix: String) throws {
            guard case .mapping(let m) = node else { return }
            for (k, v) in m {
                guard let name = k.string else { throw AnalyzeError("\(file):\(k.mark?.line ?? 0): keys are plain names") }
                let key = prefix.isEmpty ? name : prefix + "." + name
                if case .mapping = v { try walk(v, key) } else { flat.append((key, v, v.mark?.line ?? 0)) }
            }
        }
        try walk(root, "")
        for (key, node, line) in flat {
            let value: DetectorSettingValue
            switch node {
            case .scalar(let x):
                let isNull = x.style == .plain && ["", "~", "null", "Null", "NULL"].contains(x.string)
                value = isNull ? .null : .scalar(x.string)
            case .sequence(let seq):
                value = .list(try seq.map { item in
                    guard let t = item.string else { throw AnalyzeError("\(file):\(item.mark?.line ?? line): '\(key)' lists plain values") }
                    return t
                })
            default:
                throw AnalyzeError("\(file):\(line): '\(key)' must be a value or a list")
            }
            do { try s.apply(key: key, value: value, file: file) } catch {
                throw AnalyzeError("\(file):\(line): \(error.detail)")
            }
        }
        do { try s.validate() } catch { throw AnalyzeError("\(file): \(error.detail)") }
        return s
    }
}
