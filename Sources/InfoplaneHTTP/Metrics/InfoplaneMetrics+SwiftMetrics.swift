import CoreMetrics
import Prometheus

extension InfoplaneMetrics {
    /// Makes swift-metrics (the process-wide `MetricsSystem`) report into this registry, so
    /// libraries' metrics (Hummingbird's `http_server_*` request metrics among them) appear
    /// in `/metrics` too. Call once per process (the daemon does; tests do not).
    public func bootstrapSwiftMetrics() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.prometheusName(name), labels.map { (Self.prometheusName($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
    }

    /// `name` with every character outside [a-zA-Z0-9_:] replaced by `_`.
    static func prometheusName(_ name: String) -> String {
        String(name.map { c -> Character in
            (c.isASCII && (c.isLetter || c.isNumber)) || c == "_" || c == ":" ? c : "_"
        })
    }
}
