/// How a series rule keeps each series: the trailing-median window its comparisons use
/// (`[alerts] smoothing_window`) and how many evaluations it keeps (`history_limit`).
struct SeriesHistory: Sendable {
    let smoothingWindow: Int
    let limit: Int

    init(smoothingWindow: Int, limit: Int) {
        self.smoothingWindow = max(1, smoothingWindow)
        self.limit = limit
    }

    /// An empty series kept this way.
    func series() -> SmoothedSeries { SmoothedSeries(window: smoothingWindow, limit: limit) }
}
