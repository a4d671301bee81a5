import ArgumentParser
import Foundation
import InfoplaneEstimators

/// `infoplane-bench pca`: fits 5 principal components to wide seeded layers with the solver
/// the daemon picks (`PCASolver.automatic`: randomized for wide layers) and scikit-learn's
/// `PCA(svd_solver="randomized")` (Benchmarks/reference_estimators.py) on the very same
/// array, printing both times, their ratio and both explained-variance ratios.
struct BenchPCACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pca",
        abstract: "Benchmark the PCA fit of wide layers against scikit-learn's randomized PCA.")

    @Option(help: "Samples (rows) of each layer.") var samples = 1024
    @Option(help: "Layer widths, comma-separated.") var widths = "4096,65536"
    @Option(help: "Principal components kept.") var components = 5
    @Option(help: "Timed fits on each side (the best is reported).") var repeats = 3
    @OptionGroup var references: ReferenceOptions
    @Flag(help: "Print one JSON object per width instead of the table.") var json = false

    func run() throws {
        try BenchScratch.with("infoplane-bench-pca") { scratch in
            for width in widths.split(separator: ",").compactMap({ Int($0) }) {
                let layer = Self.spikedLayer(rows: samples, columns: width, seed: UInt64(width))
                let clock = ContinuousClock()
                var best = Duration.seconds(Int64.max)
                var fitted: PCA?
                for _ in 0..<max(repeats, 1) {
                    let elapsed = try clock.measure { fitted = try PCA.fit(layer, components: components) }
                    best = min(best, elapsed)
                }
                let ours = fitted?.explainedVarianceRatio ?? []
                var theirs: (seconds: Double, ratios: [Double])?
                if !references.noReference {
                    let path = try scratch.write(layer, "layer-\(width)")
                    theirs = try callReference(path)
                    try? FileManager.default.removeItem(atPath: path)
                }
                report(width: width, seconds: best.seconds, ratios: ours, reference: theirs)
            }
        }
    }

    private func report(width: Int, seconds: Double, ratios: [Double], reference: (seconds: Double, ratios: [Double])?) {
        let solver = PCASolver.automatic(rows: samples, columns: width, components: components)
        let difference = reference.map { zip(ratios, $0.ratios).map { Swift.abs($0 - $1) }.max() ?? 0 }
        if json {
            var object: [String: Any] = ["benchmark": "pca \(samples)x\(width) k=\(components)", "solver": "\(solver)",
                                         "swift_seconds": seconds, "swift_variance_ratios": ratios]
            if let reference {
                object["sklearn_seconds"] = reference.seconds
                object["sklearn_variance_ratios"] = reference.ratios
                object["speedup"] = reference.seconds / seconds
                object["max_ratio_difference"] = difference
            }
            printJSONLine(object)
            return
        }
        let format = { (values: [Double]) in values.map { String(format: "%.6f", $0) }.joined(separator: " ") }
        print("PCA \(samples) x \(width), \(components) components (\(solver))")
        print("  swift   \(String(format: "%.3f s", seconds))  explained variance ratios \(format(ratios))")
        if let reference, let difference {
            print("  sklearn \(String(format: "%.3f s", reference.seconds))  explained variance ratios \(format(reference.ratios))")
            print("  speedup \(String(format: "%.2fx", reference.seconds / seconds)), largest ratio difference "
                  + String(format: "%.1e", difference))
        }
    }

    /// A layer with `components` strong directions over isotropic noise, so that the leading
    /// explained-variance ratios are well separated and comparable between solvers.
    static func spikedLayer(rows: Int, columns: Int, seed: UInt64, spikes: [Double] = [8, 6, 4, 3, 2]) -> Matrix {
        var generator = SeededGenerator(seed: seed)
        let scale = 1 / Double(columns).squareRoot()
        let directions = (0..<(spikes.count * columns)).map { _ in generator.nextGaussian() * scale }
        var storage = (0..<(rows * columns)).map { _ in 0.05 * generator.nextGaussian() }
        for r in 0..<rows {
            for (s, spike) in spikes.enumerated() {
                let score = spike * generator.nextGaussian()
                for c in 0..<columns { storage[r * columns + c] += score * directions[s * columns + c] }
            }
        }
        return try! Matrix(rows: rows, columns: columns, storage: storage)
    }

    private func callReference(_ path: String) throws -> (seconds: Double, ratios: [Double])? {
        try references.call(["pca", "--x", path, "--components", "\(components)", "--repeat", "\(repeats)"]) { object in
            guard let seconds = object["seconds"] as? Double, let ratios = object["ratios"] as? [Double] else { return nil }
            return (seconds, ratios)
        }
    }
}
