import Foundation
import InfoplaneEstimators

/// A run's Hello option that the monitor cannot use. The message says which and what is
/// accepted.
public struct RunOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var option: String
    public var message: String

    public var description: String { "run option \(option): \(message)" }
}

/// The compression and estimation settings of one run: the configured defaults with the
/// run's Hello options applied.
///
/// Recognised options (all optional, values as strings):
/// - `estimators`: comma-separated names among `binning_ixt, binning_ity, ksg_ixt,
///   mixed_ity, dse, dsmi` (or `none`).
/// - `compression`: `pca`, `random_projection`, `none`; `dimension`: integer ≥ 1;
///   `noise_sigma`: number ≥ 0; `seed`: integer ≥ 0.
/// - `units`: `bits` or `nats`; `ksg_k`, `mixed_k`: integers ≥ 1; `bins`: integer ≥ 2;
///   `bin_range`: `fixed`, `observed`, `running`; `bin_lower`, `bin_upper`: numbers;
///   `knn_max_samples`, `kernel_max_samples`: integers ≥ 0 (0 = all);
///   `knn_input`, `kernel_input`: `compressed` or `raw`; `diffusion_time`: integer ≥ 1;
///   `kernel_sigma_scale`: number > 0; `kernel_sigma`: number ≥ 0 (0 = scaled).
/// Options with other names are left to other parts of the daemon and ignored here.
public struct RunSettings: Sendable, Equatable {
    public var compression: CompressionConfiguration
    public var estimation: EstimationConfiguration

    public init(compression: CompressionConfiguration = .init(), estimation: EstimationConfiguration = .init()) {
        self.compression = compression
        self.estimation = estimation
    }

    /// The names this parser understands.
    public static let optionNames: Set<String> = [
        "estimators", "compression", "dimension", "noise_sigma", "seed", "units", "ksg_k", "mixed_k", "bins",
        "bin_range", "bin_lower", "bin_upper", "knn_max_samples", "kernel_max_samples", "knn_input",
        "kernel_input", "diffusion_time", "kernel_sigma_scale", "kernel_sigma",
    ]

    /// Applies `options` over `defaults`. Throws at the first option with an unusable value.
    public init(options: [String: String], defaults: MonitorConfiguration) throws(RunOptionError) {
        var c = defaults.compression
        var e = defaults.estimation
        for (name, raw) in options.sorted(by: { $0.key < $1.key }) {
            let value = raw.trimmingCharacters(in: .whitespaces)
            switch name {
            case "estimators":
                if value == "none" || value.isEmpty { e.estimators = []; continue }
                var list: [PipelineEstimate] = []
                for part in value.split(separator: ",") {
                    let token = part.trimmingCharacters(in: .whitespaces)
                    guard let estimator = PipelineEstimate(rawValue: token) else {
                        throw RunOptionError(option: name, message: "unknown estimator \"\(token)\"; use a comma-separated list of \(PipelineEstimate.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    if !list.contains(estimator) { list.append(estimator) }
                }
                e.estimators = list
            case "compression": c.method = try Self.choice(name, value)
            case "dimension": c.dimension = try Self.integer(name, value, minimum: 1)
            case "noise_sigma": c.noiseSigma = try Self.number(name, value, minimum: 0)
            case "seed":
                guard let seed = UInt64(value) else { throw RunOptionError(option: name, message: "\"\(value)\" is not a non-negative integer") }
                c.seed = seed
                e.seed = seed
            case "units": e.units = try Self.choice(name, value)
            case "ksg_k": e.ksgNeighbors = try Self.integer(name, value, minimum: 1)
            case "mixed_k": e.mixedNeighbors = try Self.integer(name, value, minimum: 1)
            case "bins": e.bins = try Self.integer(name, value, minimum: 2)
            case "bin_range": e.binRange = try Self.choice(name, value)
            case "bin_lower": e.binLower = try Self.number(name, value, minimum: -.greatestFiniteMagnitude)
            case "bin_upper": e.binUpper = try Self.number(name, value, minimum: -.greatestFiniteMagnitude)
            case "knn_max_samples": e.knnMaxSamples = try Self.integer(name, value, minimum: 0)
            case "kernel_max_samples": e.kernelMaxSamples = try Self.integer(name, value, minimum: 0)
            case "knn_input": e.knnInput = try Self.choice(name, value)
            case "kernel_input": e.kernelInput = try Self.choice(name, value)
            case "diffusion_time": e.diffusionTime = try Self.integer(name, value, minimum: 1)
            case "kernel_sigma_scale": e.kernelSigmaScale = try Self.number(name, value, minimum: .leastNonzeroMagnitude)
            case "kernel_sigma": e.kernelSigma = try Self.number(name, value, minimum: 0)
            default: continue
            }
        }
        // The configuration file's own check (SettingRanges), under the option's name.
        do {
            try c.validate()
            try e.validate()
        } catch {
            throw RunOptionError(option: Self.optionName(forSetting: error.option), message: error.message)
        }
        self.compression = c
        self.estimation = e
    }

    /// The Hello option that sets the configuration key `setting`.
    static func optionName(forSetting setting: String) -> String {
        switch setting {
        case "ksg_neighbors": return "ksg_k"
        case "mixed_neighbors": return "mixed_k"
        default: return setting
        }
    }

    private static func integer(_ name: String, _ value: String, minimum: Int) throws(RunOptionError) -> Int {
        guard let v = Int(value), v >= minimum else {
            throw RunOptionError(option: name, message: "\"\(value)\" is not an integer ≥ \(minimum)")
        }
        return v
    }

    private static func number(_ name: String, _ value: String, minimum: Double) throws(RunOptionError) -> Double {
        guard let v = Double(value), v.isFinite, v >= minimum else {
            throw RunOptionError(option: name, message: "\"\(value)\" is not a finite number ≥ \(minimum)")
        }
        return v
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ value: String) throws(RunOptionError) -> T where T.RawValue == String {
        guard let v = T(rawValue: value) else {
            throw RunOptionError(option: name, message: "\"\(value)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }
}
