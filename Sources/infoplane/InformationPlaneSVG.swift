import Foundation
import InfoplaneAPI

/// A static SVG of the information plane: x I(X;T), y I(T;Y), one trajectory per layer
/// (`<g class="trajectory" data-layer=… data-points=…>`), points coloured by step from
/// dark violet (first step) to yellow (last), as in the information-bottleneck papers.
struct InformationPlaneSVG {
    let run: String
    let pairing: APIInformationPlane.Pairing
    var width = 760.0
    var height = 500.0

    static let layerColours = ["#0071e3", "#d70015", "#248a3d", "#bf5af2", "#c93400", "#00a3a3", "#8e8e93", "#ff9f0a"]
    static let ramp: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]

    static func stepColour(_ t: Double) -> String {
        let t = min(max(t.isFinite ? t : 0, 0), 1)
        let x = t * Double(ramp.count - 1)
        let i = min(Int(x), ramp.count - 2)
        let f = x - Double(i)
        let (a, b) = (ramp[i], ramp[i + 1])
        return String(format: "rgb(%d,%d,%d)", Int((a.0 + f * (b.0 - a.0)).rounded()), Int((a.1 + f * (b.1 - a.1)).rounded()),
                      Int((a.2 + f * (b.2 - a.2)).rounded()))
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func range(_ values: [Double]) -> (Double, Double) {
        guard var lo = values.min(), var hi = values.max() else { return (0, 1) }
        if hi == lo { lo -= 0.5; hi += 0.5 }
        let pad = (hi - lo) * 0.05
        return (lo - pad, hi + pad)
    }

    static func ticks(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        let span = hi - lo
        let base = pow(10, floor(log10(span / Double(count))))
        let step = [1.0, 2, 5, 10].map { $0 * base }.first { span / $0 <= Double(count) } ?? base * 10
        return stride(from: (lo / step).rounded(.up) * step, through: hi + 1e-9, by: step).map { $0 }
    }

    func render() -> String {
        let points = pairing.layers.flatMap(\.points)
        let (x0, x1) = Self.range(points.map(\.x))
        let (y0, y1) = Self.range(points.map(\.y))
        let s0 = Double(points.map(\.step).min() ?? 0), s1 = Double(points.map(\.step).max() ?? 1)
        let (l, r, t, b) = (60.0, 110.0, 40.0, 50.0)
        func x(_ v: Double) -> Double { l + (v - x0) / (x1 - x0) * (width - l - r) }
        func y(_ v: Double) -> Double { height - b - (v - y0) / (y1 - y0) * (height - t - b) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(f(width)) \(f(height))" width="\(f(width))" height="\(f(height))" font-family="sans-serif" font-size="11" data-layers="\(pairing.layers.count)">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(l))" y="22" font-size="14">Information plane: \(Self.escape(run)) (\(Self.escape(pairing.xEstimator))/\(Self.escape(pairing.yEstimator)), \(Self.escape(pairing.split)))</text>

        """
        for v in Self.ticks(x0, x1, count: 8) {
            svg += "<line x1=\"\(f(x(v)))\" x2=\"\(f(x(v)))\" y1=\"\(f(t))\" y2=\"\(f(height - b))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(x(v)))\" y=\"\(f(height - b + 14))\" text-anchor=\"middle\" fill=\"#555\">\(String(format: "%g", v))</text>\n"
        }
        for v in Self.ticks(y0, y1, count: 6) {
            svg += "<line x1=\"\(f(l))\" x2=\"\(f(width - r))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(l - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\" fill=\"#555\">\(String(format: "%g", v))</text>\n"
        }
        svg += "<path d=\"M\(f(l)),\(f(t))V\(f(height - b))H\(f(width - r))\" fill=\"none\" stroke=\"#888\"/>\n"
        svg += "<text x=\"\(f((l + width - r) / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">I(X;T) [\(Self.escape(pairing.xUnits))]</text>\n"
        svg += "<text x=\"16\" y=\"\(f((t + height - b) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f((t + height - b) / 2)))\">I(T;Y) [\(Self.escape(pairing.yUnits))]</text>\n"
        for (i, layer) in pairing.layers.enumerated() {
            let colour = Self.layerColours[i % Self.layerColours.count]
            svg += "<g class=\"trajectory\" data-layer=\"\(Self.escape(layer.layer))\" data-points=\"\(layer.points.count)\">\n"
            let path = layer.points.enumerated().map { k, p in "\(k == 0 ? "M" : "L")\(f(x(p.x))),\(f(y(p.y)))" }.joined()
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-opacity=\"0.45\" stroke-width=\"1.5\"/>\n"
            for p in layer.points {
                let c = Self.stepColour((Double(p.step) - s0) / max(s1 - s0, 1))
                svg += "<circle cx=\"\(f(x(p.x)))\" cy=\"\(f(y(p.y)))\" r=\"3.5\" fill=\"\(c)\" stroke=\"\(colour)\" stroke-width=\"0.8\"><title>\(Self.escape(layer.layer)) step \(p.step)</title></circle>\n"
            }
            if let last = layer.points.last {
                svg += "<text x=\"\(f(x(last.x) + 6))\" y=\"\(f(y(last.y) - 6))\" fill=\"\(colour)\">\(Self.escape(layer.layer))</text>\n"
            }
            svg += "</g>\n"
        }
        // Step colour bar.
        let barX = width - r + 30
        for k in 0..<50 {
            let c = Self.stepColour(Double(k) / 49)
            svg += "<rect x=\"\(f(barX))\" y=\"\(f(t + Double(k) * 6))\" width=\"14\" height=\"6\" fill=\"\(c)\"/>"
        }
        svg += "\n<text x=\"\(f(barX + 18))\" y=\"\(f(t + 8))\">step \(Int(s0))</text>"
        svg += "<text x=\"\(f(barX + 18))\" y=\"\(f(t + 300))\">step \(Int(s1))</text>\n</svg>\n"
        return svg
    }
}
