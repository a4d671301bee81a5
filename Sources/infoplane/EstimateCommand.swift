import ArgumentParser
import Foundation
import InfoplaneEstimators

/// `infoplane estimate`: run one estimator on NumPy files and print one JSON object.
struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Run an estimator offline on .npy files and print one JSON object.",
        discussion: """
        ESTIMATOR is one of: \(EstimatorCommand.all.map(\.name).joined(separator: " ")).
        X and Y are float32/float64 arrays of shape (N, d) or (N,), C order; labels int32/int64 (N,).
        Units: nats for the kNN, binning and Gaussian estimators, bits for DSE/DSMI/Rényi; --bits converts.
        See Documentation/estimators.md for formulas and conventions.
        """)

    @Argument(help: "The estimator.") var estimator: String
    @Option(help: "Samples × features (.npy).") var x: String
    @Option(help: "Second variable (.npy), for ksg1, ksg2, renyi-mi, gaussian-mi, dsmi.") var y: String?
    @Option(help: "Integer class labels (.npy), for mixed, binning-mi, dsmi.") var labels: String?
    @Option(help: "Neighbours for the kNN estimators.") var k: Int = 3
    @Option(help: "Norm for kl-entropy and mixed: max or euclidean.") var metric: String = "max"
    @Option(help: "Number of bins.") var bins: Int = 30
    @Option(help: "Binning: fixed, observed or adaptive.") var binning: String = "fixed"
    @Option(parsing: .unconditional, help: "LO,HI range for --binning fixed.") var range: String = "-1,1"
    @Option(help: "Kernel width (DSE/DSMI default 10, Rényi default 1).") var sigma: Double?
    @Option(help: "Diffusion time for DSE/DSMI.") var t: Int = 1
    @Option(help: "DSE eigenvalues: exact or lanczos.") var dseMethod: String = "exact"
    @Option(help: "Rényi order α.") var alpha: Double = 1.01
    @Flag(help: "Divide each column by its standard deviation first (scikit-learn's convention).") var standardize = false
    @Flag(help: "No tie-breaking jitter for ksg1/ksg2/mixed (default: scikit-learn's seeded 1e-10).") var noJitter = false
    @Option(help: "Compress X (and Y) first: pca:D or random:D.") var compress: String?
    @Option(help: "Add Gaussian noise of this σ to X after compression.") var noise: Double?
    @Option(help: "Seed for jitter, projections, noise and subsets.") var seed: UInt64 = 0
    @Flag(help: "Report in bits.") var bits = false

    func run() throws {
        do {
            try execute()
        } catch let error as EstimatorError {
            fail("\(error)")
        } catch let error as NumpyArrayFile.FormatError {
            fail(error.description)
        } catch let error as CommandError {
            fail(error.description)
        }
    }

    struct CommandError: Error, CustomStringConvertible { let description: String }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("infoplane estimate: error: \(message)\n".utf8))
        Foundation.exit(1)
    }

    private func loadMatrix(_ path: String, name: String) throws -> Matrix {
        let file = try NumpyArrayFile(path: path)
        guard file.dtype.isFloat else {
            throw CommandError(description: "\(path) holds \(file.dtype) values: \(name) must be float32 or float64")
        }
        let matrix = try Matrix(rows: file.rows, columns: file.columns, storage: file.values)
        try matrix.validate(name: "\(name) (\(path))")
        return matrix
    }

    private func execute() throws {
        guard let kind = EstimatorCommand(name: estimator) else {
            throw CommandError(description: "unknown estimator '\(estimator)'; use one of \(EstimatorCommand.all.map(\.name).joined(separator: ", "))")
        }
        var xMatrix = try loadMatrix(x, name: "x")
        var yMatrix = try y.map { try loadMatrix($0, name: "y") }
        var labelValues: [Int]?
        if let labels {
            let file = try NumpyArrayFile(path: labels)
            guard !file.dtype.isFloat, file.shape.count == 1 || file.columns == 1 else {
                throw CommandError(description: "\(labels) must be a 1-D integer array (int32/int64), got \(file.dtype) of shape \(file.shape)")
            }
            labelValues = file.values.map { Int($0) }
            guard labelValues!.count == xMatrix.rows else { throw EstimatorError.mismatchedRows(xMatrix.rows, labelValues!.count) }
        }
        if let yMatrix, yMatrix.rows != xMatrix.rows { throw EstimatorError.mismatchedRows(xMatrix.rows, yMatrix.rows) }
        switch kind.secondInput {
        case .y where yMatrix == nil: throw CommandError(description: "\(kind.name) needs --y")
        case .labels where labelValues == nil: throw CommandError(description: "\(kind.name) needs --labels")
        case .yOrLabels where yMatrix == nil && labelValues == nil: throw CommandError(description: "\(kind.name) needs --labels or --y")
        default: break
        }

        var p = EstimatorParameters()
        p.k = k
        guard let m = ["max": DistanceMetric.maximum, "euclidean": .euclidean][metric] else {
            throw CommandError(description: "--metric must be max or euclidean")
        }
        p.metric = m
        p.standardization = standardize ? .scaleByStandardDeviation : .none
        p.tieBreaking = noJitter ? .none : .jitter(scale: 1e-10, seed: seed)
        p.bins = bins
        switch binning {
        case "fixed":
            let parts = range.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2 else { throw CommandError(description: "--range must be LO,HI, got '\(range)'") }
            p.binning = .fixed(lower: parts[0], upper: parts[1])
        case "observed": p.binning = .observed
        case "adaptive": p.binning = .adaptive
        default: throw CommandError(description: "--binning must be fixed, observed or adaptive")
        }
        p.diffusion = DiffusionSpectralEntropy(sigma: sigma ?? 10, t: t, method: try dseMethodValue(), seed: seed)
        p.renyiSigma = sigma ?? 1
        p.alpha = alpha
        p.seed = seed

        if let compress {
            let parts = compress.split(separator: ":")
            guard parts.count == 2, let dims = Int(parts[1]), ["pca", "random"].contains(parts[0]) else {
                throw CommandError(description: "--compress must be pca:D or random:D, got '\(compress)'")
            }
            func compressed(_ m: Matrix, stream: UInt64) throws -> Matrix {
                if parts[0] == "pca" { return try PCA.fit(m, components: min(dims, m.columns)).transform(m) }
                return try RandomProjection(inputDimension: m.columns, outputDimension: dims, seed: seed &+ stream).transform(m)
            }
            xMatrix = try compressed(xMatrix, stream: 0)
            if let current = yMatrix, kind.estimator != .dsmi { yMatrix = try compressed(current, stream: 1) }
        }
        if let noise { xMatrix = try GaussianNoise(sigma: noise, seed: seed).apply(to: xMatrix) }

        let clock = ContinuousClock()
        var estimate: Estimate!
        let elapsed = try clock.measure {
            estimate = try kind.estimate(x: xMatrix, y: yMatrix, labels: labelValues, parameters: p,
                                         units: bits ? .bits : nil)
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        var dims = [xMatrix.columns]
        if let yMatrix { dims.append(yMatrix.columns) }
        let output: [String: Any] = [
            "estimator": kind.name,
            "value": estimate.value,
            "units": estimate.units.rawValue,
            "n": estimate.n,
            "dims": dims,
            "d": estimate.d,
            "seconds": seconds,
        ]
        let data = try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    private func dseMethodValue() throws -> DiffusionSpectralEntropy.Method {
        switch dseMethod {
        case "exact": return .exact
        case "lanczos": return DiffusionSpectralEntropy.defaultLanczos(seed: seed)
        default: throw CommandError(description: "--dse-method must be exact or lanczos")
        }
    }
}
