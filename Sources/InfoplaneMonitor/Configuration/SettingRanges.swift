/// The ranges of the monitor's settings: one check for the daemon's configuration file
/// and for a run's Hello options, so that a value refused in one is refused in the other.
/// A value out of range could make every frame of a run unusable while its client sees
/// only Acks (noise of σ = 1e308 turns every compressed value infinite; a frame timeout of
/// 0 drops every frame), so it is refused where it is given: at start-up or at Hello.
///
/// The thrown `RunOptionError.option` is the setting's key as the configuration file
/// spells it (`noise_sigma`, `ksg_neighbors`, …).
enum SettingRange {
    static func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>, _ why: String = "") throws(RunOptionError) {
        guard range.contains(value) else {
            throw RunOptionError(option: name, message: "\(value) is outside \(range.lowerBound)...\(range.upperBound)\(why.isEmpty ? "" : ": \(why)")")
        }
    }

    static func check(_ name: String, _ value: Double, _ range: ClosedRange<Double>, excludingLower: Bool = false, _ why: String = "") throws(RunOptionError) {
        guard value.isFinite, range.contains(value), !(excludingLower && value == range.lowerBound) else {
            let lower = excludingLower ? "above \(range.lowerBound)" : "at least \(range.lowerBound)"
            throw RunOptionError(option: name, message: "\(value) must be a finite number \(lower) and at most \(range.upperBound)\(why.isEmpty ? "" : ": \(why)")")
        }
    }
}

extension CompressionConfiguration {
    /// Throws for a value no frame could be compressed with.
    public func validate() throws(RunOptionError) {
        try SettingRange.check("dimension", dimension, 1...4096)
        try SettingRange.check("noise_sigma", noiseSigma, 0...1e6,
                               "noise far larger than any activation drowns every layer, and past ~1e19 single-precision distances overflow")
    }
}

extension EstimationConfiguration {
    /// Throws for a value no frame could be estimated with.
    public func validate() throws(RunOptionError) {
        try SettingRange.check("ksg_neighbors", ksgNeighbors, 1...256, "k must stay well below the probe set's size")
        try SettingRange.check("mixed_neighbors", mixedNeighbors, 1...256, "k must stay well below the probe set's size")
        try SettingRange.check("bins", bins, 2...65_536)
        try SettingRange.check("bin_lower", binLower, -1e30...1e30)
        try SettingRange.check("bin_upper", binUpper, -1e30...1e30)
        guard binLower < binUpper else {
            throw RunOptionError(option: "bin_lower", message: "bin_lower (\(binLower)) must be below bin_upper (\(binUpper))")
        }
        try SettingRange.check("knn_max_samples", knnMaxSamples, 0...(1 << 20), "0 means all samples")
        try SettingRange.check("kernel_max_samples", kernelMaxSamples, 0...(1 << 16), "0 means all samples; DSE's cost grows as N³")
        try SettingRange.check("diffusion_time", diffusionTime, 1...1000)
        try SettingRange.check("kernel_sigma_scale", kernelSigmaScale, 0...1e6, excludingLower: true)
        try SettingRange.check("kernel_sigma", kernelSigma, 0...1e30, "0 means scaled by kernel_sigma_scale")
    }
}

extension AssemblyConfiguration {
    /// Throws for a value with which frames could not be assembled.
    public func validate() throws(RunOptionError) {
        try SettingRange.check("frame_timeout_seconds", frameTimeoutSeconds, 0...86_400, excludingLower: true,
                               "0 would finalise every frame before its layers arrive")
        try SettingRange.check("max_frames_in_flight_per_run", maxFramesInFlightPerRun, 1...1024)
        try SettingRange.check("finished_frames_remembered", finishedFramesRemembered, 0...1_000_000)
        try SettingRange.check("max_layers_per_frame", maxLayersPerFrame, 3...1_000_000, "a frame needs X, Y and one layer")
        try SettingRange.check("max_assembling_bytes_per_run", maxAssemblingBytesPerRun, 1024...(1 << 44))
        try SettingRange.check("max_assembling_bytes", maxAssemblingBytes, 1024...(1 << 44))
        guard maxAssemblingBytesPerRun <= maxAssemblingBytes else {
            throw RunOptionError(option: "max_assembling_bytes_per_run", message: "\(maxAssemblingBytesPerRun) is more than max_assembling_bytes (\(maxAssemblingBytes))")
        }
    }
}
