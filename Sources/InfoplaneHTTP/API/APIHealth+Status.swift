import Foundation
import InfoplaneAPI
import InfoplaneMonitor

extension APIHealth {
    /// The health of the daemon described by `snapshot`: degraded when the store could not
    /// be read (`storeError`) or its writes fail (the pipeline's `storeWriteFailure`).
    /// - Parameter runs: the store's run count, nil when it could not be read.
    init(_ snapshot: DaemonStatusSnapshot, runs: Int?, storeError: String?, sseClients: Int, now: Date = Date()) {
        let writeFailure = snapshot.pipeline?.storeWriteFailure
        self.init(status: storeError == nil && writeFailure == nil ? .ok : .degraded, version: snapshot.version,
                  startedAt: snapshot.startedAt, uptimeSeconds: max(0, now.timeIntervalSince(snapshot.startedAt)),
                  ingest: Ingest(snapshot.ingest, listeners: snapshot.ingestListeners),
                  pipeline: snapshot.pipeline.map(Pipeline.init), runs: runs,
                  storeError: storeError ?? writeFailure?.message,
                  storeErrorSince: storeError == nil ? writeFailure?.since : nil, sseClients: sseClients)
    }
}
