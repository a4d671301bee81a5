/// The daemon's software version, reported in Welcome and by `infoplaned --version`.
public enum InfoplaneServerVersion {
    public static let string = "0.1.0"
}
