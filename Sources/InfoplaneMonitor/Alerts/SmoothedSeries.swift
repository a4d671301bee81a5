/// One series as an alert rule sees it: the raw values in step order and their smoothed
/// version, the trailing median of the last `window` raw values (window 1: no smoothing).
///
/// A median (rather than a mean or an EMA) ignores isolated spikes and dips entirely as
/// long as they are shorter than half the window, which is what keeps short estimator
/// glitches and the fitting-phase dips of Shwartz-Ziv & Tishby from firing rules; its price
/// is a lag of about window/2 evaluations.
///
/// At most `limit` evaluations are kept: beyond it, either the oldest are dropped, or (with
/// `thinsHistory`) the series is thinned to every 2nd, 4th, 8th... evaluation (by the
/// order they were appended, so the spacing stays uniform however often it happens; the
/// newest `window` stay, the next median needs them): it still spans the whole run, at a
/// coarser resolution. Thinning suits series looked up by step from
/// another series that may lag far behind (training accuracy, which arrives with every
/// epoch, looked up at the step of a probe frame estimated minutes later).
struct SmoothedSeries: Sendable {
    let window: Int
    let limit: Int
    let thinsHistory: Bool
    private(set) var steps: [Int64] = []
    private(set) var raw: [Double] = []
    private(set) var smoothed: [Double] = []
    /// Each kept evaluation's position among all appended (for uniform thinning).
    private var ordinals: [Int] = []
    /// Thinning keeps the ordinals that are multiples of this.
    private var thinningStride = 1
    /// Total evaluations appended, including those trimmed by `limit`.
    private(set) var appended = 0

    init(window: Int, limit: Int, thinsHistory: Bool = false) {
        self.window = max(1, window)
        self.limit = max(limit, self.window * 4)
        self.thinsHistory = thinsHistory
    }

    var isEmpty: Bool { steps.isEmpty }
    var lastStep: Int64? { steps.last }
    var lastSmoothed: Double? { smoothed.last }

    /// Appends a value; returns false (and ignores it) when the step is not after the last
    /// one (a re-sent or out-of-order step) or the value is not finite.
    @discardableResult
    mutating func append(step: Int64, value: Double) -> Bool {
        guard value.isFinite else { return false }
        if let last = steps.last, step <= last { return false }
        steps.append(step)
        raw.append(value)
        ordinals.append(appended)
        let tail = raw.suffix(window).sorted()
        let mid = tail.count / 2
        smoothed.append(tail.count % 2 == 1 ? tail[mid] : (tail[mid - 1] + tail[mid]) / 2)
        appended += 1
        if steps.count > limit {
            if thinsHistory {
                let recent = steps.count - window
                // First the entries appended since the last thinning go to the current
                // stride; only if that is not enough does the stride double.
                var keep = (0..<steps.count).filter { $0 >= recent || ordinals[$0] % thinningStride == 0 }
                while keep.count > limit * 3 / 4 {
                    thinningStride *= 2
                    keep = (0..<steps.count).filter { $0 >= recent || ordinals[$0] % thinningStride == 0 }
                }
                steps = keep.map { steps[$0] }
                raw = keep.map { raw[$0] }
                smoothed = keep.map { smoothed[$0] }
                ordinals = keep.map { ordinals[$0] }
            } else {
                let excess = steps.count - limit
                steps.removeFirst(excess)
                raw.removeFirst(excess)
                smoothed.removeFirst(excess)
                ordinals.removeFirst(excess)
            }
        }
        return true
    }

    /// The index of the last evaluation at or before `step`.
    func index(atOrBefore step: Int64) -> Int? {
        var lo = 0, hi = steps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if steps[mid] <= step { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }

    /// The smoothed value at or before `step` (the oldest kept one if `step` is older).
    func smoothed(atOrBefore step: Int64) -> Double? {
        if let i = index(atOrBefore: step) { return smoothed[i] }
        return smoothed.first
    }

    /// The smoothed value of the last evaluation at or before `step`; nil when the series
    /// (as kept) has none that early.
    func smoothedKnown(atOrBefore step: Int64) -> Double? {
        index(atOrBefore: step).map { smoothed[$0] }
    }

    /// The smoothed value `lag` evaluations before the last one.
    func smoothed(lag: Int) -> Double? {
        let i = smoothed.count - 1 - lag
        return i >= 0 ? smoothed[i] : nil
    }

    /// A robust estimate of the standard deviation of the raw values' noise over the last
    /// `count` evaluations: 1.4826 · median |r[i] − 2 r[i−1] + r[i−2]| / √6. Second
    /// differences cancel a linear trend (a series that is really falling does not look
    /// noisy), and the median ignores the few large ones at a bend or a step. 0 with fewer
    /// than 5 evaluations.
    func noiseScale(last count: Int = 64) -> Double {
        let tail = Array(raw.suffix(max(count, 5)))
        guard tail.count >= 5 else { return 0 }
        var d2: [Double] = []
        d2.reserveCapacity(tail.count - 2)
        for i in 2..<tail.count { d2.append(abs(tail[i] - 2 * tail[i - 1] + tail[i - 2])) }
        d2.sort()
        let mid = d2.count / 2
        let median = d2.count % 2 == 1 ? d2[mid] : (d2[mid - 1] + d2[mid]) / 2
        return 1.4826 * median / 6.0.squareRoot()
    }

    /// The last `count` evaluations, for evidence.
    func recent(_ count: Int) -> SeriesWindow {
        SeriesWindow(steps: Array(steps.suffix(count)), values: Array(raw.suffix(count)),
                     smoothed: Array(smoothed.suffix(count)))
    }
}

/// Steps and values of a series, as put in an alert's evidence.
public struct SeriesWindow: Sendable, Equatable, Codable {
    public var steps: [Int64]
    /// Raw values, as estimated.
    public var values: [Double]
    /// The trailing-median values the rule compared.
    public var smoothed: [Double]
}
