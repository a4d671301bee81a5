/// Answers of the summary reads from the whole-table reads, for stores with no cheaper way
/// (test doubles); `SQLiteSeriesStore` answers each with one SQL query.
extension SeriesStore {
    public func runCount() async throws -> Int {
        try await runs().count
    }

    public func alertCount(run: String?) async throws -> Int {
        try await alerts(run: run, afterID: nil).count
    }

    public func newestAlertID() async throws -> Int64? {
        try await alerts(run: nil, afterID: nil).last?.id
    }

    public func runSummary(run: String) async throws -> RunSummary {
        var series: [SeriesSummary] = []
        for p in try await self.series(SeriesQuery(run: run)) {
            if let last = series.last, last.series == p.series {
                series[series.count - 1].pointCount += 1
                series[series.count - 1].lastStep = p.step
                series[series.count - 1].lastValue = p.value
            } else {
                series.append(SeriesSummary(series: p.series, unit: p.unit, pointCount: 1, firstStep: p.step,
                                            lastStep: p.step, lastValue: p.value))
            }
        }
        var latest: [ProbeSplit: ScalarRecord] = [:]
        for record in try await scalars(run: run, sinceStep: nil) { latest[record.split] = record }
        let latestScalars = latest.values.sorted { $0.split.rawValue < $1.split.rawValue }
        return RunSummary(series: series, latestScalars: latestScalars, alertCount: try await alertCount(run: run))
    }
}
