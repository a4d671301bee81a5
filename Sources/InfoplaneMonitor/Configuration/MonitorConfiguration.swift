/// Everything the monitoring pipeline is configured by. The daemon's TOML file maps onto it
/// section by section (`[assembly]`, `[compression]`, `[estimation]`, `[scheduler]`,
/// `[alerts]`) through `ConfigurationCoding`: snake_case keys, and every missing key takes
/// its documented default, so an empty file is a valid configuration.
///
/// ```toml
/// [assembly]
/// frame_timeout_seconds = 30          # quiet time before an incomplete frame is finalised
/// incomplete_policy = "estimate_partial"   # or "drop"
/// max_frames_in_flight_per_run = 8
/// [compression]
/// method = "pca"                      # "random_projection", "none"
/// dimension = 5
/// noise_sigma = 0.0
/// [estimation]
/// estimators = ["binning_ixt", "binning_ity", "ksg_ixt", "mixed_ity", "dse", "dsmi"]
/// units = "bits"
/// bins = 30
/// bin_range = "running"               # "fixed" (bin_lower, bin_upper), "observed"
/// [scheduler]
/// workers = 0                         # 0 = cores - 1, at least 1
/// frames_in_memory_per_run = 3        # the other waiting frames wait in the store
/// max_waiting_frame_bytes_per_run = 1073741824   # over it, thinned by a step grid
/// max_waiting_frame_bytes = 4294967296
/// shutdown_grace_seconds = 10         # estimation at shutdown stops after this
/// [alerts]                            # see AlertThresholds and Documentation/alerts.md
/// ```
public struct MonitorConfiguration: Sendable, Codable, Equatable {
    public var assembly = AssemblyConfiguration()
    public var compression = CompressionConfiguration()
    public var estimation = EstimationConfiguration()
    public var scheduler = SchedulerConfiguration()
    public var alerts = AlertThresholds()

    public init() {}
}
