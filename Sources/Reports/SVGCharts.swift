import Foundation

/// Inline SVG charts. Every mark carries a class (`bar`, `point`) so that the DOM can be checked; every chart
/// carries `data-chart` with its id. Suppressed or missing values draw no mark.
enum SVGChart {
    static let palette = ["#1f5fa8", "#e07b20", "#2a9d5b", "#c23b3b", "#7a4fb5", "#8c6d31", "#4aa3c7"]

    static func esc(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(c)
            }
        }
        return o
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    /// A horizontal bar chart: one bar per item; a `nil` value draws no bar, only its text ("suppressed", "0 / 0").
    static func bars(id: String, title: String, items: [(label: String, value: Double?, text: String)], color: String = palette[0]) -> String {
        let labelW = 190.0, barW = 300.0, rowH = 24.0, top = 8.0
        let maxV = max(items.compactMap(\.value).max() ?? 0, 1e-12)
        let h = top * 2 + rowH * Double(items.count)
        var s = svgOpen(id: id, title: title, width: 640, height: h)
        for (i, it) in items.enumerated() {
            let y = top + rowH * Double(i)
            s += "<text class=\"label\" x=\"\(f(labelW - 8))\" y=\"\(f(y + 16))\" text-anchor=\"end\">\(esc(it.label))</text>"
            if let v = it.value {
                let w = max(1, barW * v / maxV)
                s += "<rect class=\"bar\" x=\"\(f(labelW))\" y=\"\(f(y + 4))\" width=\"\(f(w))\" height=\"\(f(rowH - 8))\" fill=\"\(color)\"><title>\(esc(it.label)): \(esc(it.text))</title></rect>"
                s += "<text class=\"value\" x=\"\(f(labelW + w + 6))\" y=\"\(f(y + 16))\">\(esc(it.text))</text>"
            } else {
                s += "<text class=\"value muted\" x=\"\(f(labelW + 6))\" y=\"\(f(y + 16))\">\(esc(it.text))</text>"
            }
        }
        return s + "</svg>"
    }

    /// Grouped horizontal bars: for each group, one bar per series; a `nil` value draws no bar, only its text (the
    /// caller says "suppressed" or "0").
    static func groupedBars(id: String, title: String, groups: [String], series: [String], values: [[Double?]],
                            texts: [[String]]) -> String {
        let labelW = 190.0, barW = 300.0, barH = 14.0, gap = 10.0, top = 8.0
        let maxV = max(values.flatMap { $0.compactMap { $0 } }.max() ?? 0, 1e-12)
        let groupH = barH * Double(series.count) + gap
        let legendH = 22.0 * Double((series.count + 2) / 3)
        let h = top + groupH * Double(groups.count) + legendH + 8
        var s = svgOpen(id: id, title: title, width: 640, height: h)
        for (g, name) in groups.enumerated() {
            let y0 = top + groupH * Double(g)
            s += "<text class=\"label\" x=\"\(f(labelW - 8))\" y=\"\(f(y0 + groupH / 2))\" text-anchor=\"end\">\(esc(name))</text>"
            for (k, _) in series.enumerated() {
                let y = y0 + barH * Double(k)
                if let v = values[g][k] {
                    let w = max(1, barW * v / maxV)
                    s += "<rect class=\"bar\" x=\"\(f(labelW))\" y=\"\(f(y + 1))\" width=\"\(f(w))\" height=\"\(f(barH - 2))\" fill=\"\(palette[k % palette.count])\"><title>\(esc(name)) · \(esc(series[k])): \(esc(texts[g][k]))</title></rect>"
                    s += "<text class=\"value small\" x=\"\(f(labelW + w + 4))\" y=\"\(f(y + barH - 3))\">\(esc(texts[g][k]))</text>"
                } else {
                    s += "<text class=\"value small muted\" x=\"\(f(labelW + 4))\" y=\"\(f(y + barH - 3))\">\(esc(texts[g][k]))</text>"
                }
            }
        }
        s += legend(series, y: top + groupH * Double(groups.count) + 4)
        return s + "</svg>"
    }

    /// A line chart over x labels, one polyline and one point per published value of each series.
    static func lines(id: String, title: String, x: [String], series: [(name: String, values: [Double?], texts: [String])],
                      percent: Bool) -> String {
        let left = 56.0, right = 64.0, top = 14.0, plotH = 190.0, width = 660.0
        let dataMax = series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0
        let step = niceStep(dataMax / 4)
        let maxV = step * 4
        let legendH = 22.0 * Double((series.count + 2) / 3)
        let h = top + plotH + 34 + legendH
        let plotW = width - left - right
        func px(_ i: Int) -> Double { x.count <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(x.count - 1) }
        func py(_ v: Double) -> Double { top + plotH - plotH * v / maxV }
        var s = svgOpen(id: id, title: title, width: width, height: h)
        for k in 0...4 {
            let v = maxV * Double(k) / 4
            s += "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(py(v)))\" y2=\"\(f(py(v)))\"/>"
            let decimals = abs((step * 100).rounded() - step * 100) < 1e-9 ? 0 : abs((step * 1000).rounded() - step * 1000) < 1e-9 ? 1 : 2
            let label = percent ? String(format: "%.\(decimals)f%%", v * 100) : String(format: "%.0f", v)
            s += "<text class=\"axis\" x=\"\(f(left - 6))\" y=\"\(f(py(v) + 4))\" text-anchor=\"end\">\(label)</text>"
        }
        for (i, l) in x.enumerated() {
            s += "<text class=\"axis\" x=\"\(f(px(i)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(esc(l))</text>"
        }
        for (k, ser) in series.enumerated() {
            let color = palette[k % palette.count]
            let pts = ser.values.enumerated().compactMap { i, v in v.map { "\(f(px(i))),\(f(py($0)))" } }
            if pts.count > 1 {
                s += "<polyline class=\"series\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(pts.joined(separator: " "))\"/>"
            }
            for (i, v) in ser.values.enumerated() {
                guard let v else { continue }
                s += "<circle class=\"point\" cx=\"\(f(px(i)))\" cy=\"\(f(py(v)))\" r=\"4\" fill=\"\(color)\"><title>\(esc(ser.name)) · \(esc(x[i])): \(esc(ser.texts[i]))</title></circle>"
            }
        }
        s += legend(series.map(\.name), y: top + plotH + 30)
        return s + "</svg>"
    }

    /// The smallest of 1, 2, 2.5 or 5 × 10^k that is at least `v` (1 when `v` is 0).
    static func niceStep(_ v: Double) -> Double {
        guard v > 0 else { return 0.25 }
        let p = pow(10, floor(log10(v)))
        for m in [1.0, 2, 2.5, 5, 10] where p * m >= v * (1 - 1e-12) { return (p * m * 1e9).rounded() / 1e9 }
        return p * 10
    }

    static func legend(_ names: [String], y: Double) -> String {
        var s = ""
        for (k, n) in names.enumerated() {
            let x = 20.0 + Double(k % 3) * 205, yy = y + 22 * Double(k / 3)
            s += "<rect class=\"swatch\" x=\"\(f(x))\" y=\"\(f(yy))\" width=\"12\" height=\"12\" fill=\"\(palette[k % palette.count])\"/>"
            s += "<text class=\"legend\" x=\"\(f(x + 18))\" y=\"\(f(yy + 11))\">\(esc(n))</text>"
        }
        return s
    }

    static func svgOpen(id: String, title: String, width: Double, height: Double) -> String {
        "<svg class=\"chart\" data-chart=\"\(esc(id))\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\" aria-label=\"\(esc(title))\">"
    }
}
