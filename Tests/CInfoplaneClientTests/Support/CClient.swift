import CInfoplaneClient

/// Swift handle on one C `infoplane_client`, freed on deinit; thin wrappers that keep the
/// arrays and strings passed to C alive for the duration of each call.
final class CClient {
    let handle: OpaquePointer

    init() {
        handle = infoplane_client_new()!
        infoplane_client_set_timeout_ms(handle, 20_000)
    }

    deinit { infoplane_client_free(handle) }

    var lastError: String { String(cString: infoplane_client_last_error(handle)) }
    var lastServerError: infoplane_server_error { infoplane_client_last_server_error_code(handle) }
    var sent: UInt64 { infoplane_client_sent_count(handle) }
    var acked: UInt64 { infoplane_client_acked_count(handle) }
    var refused: UInt64 { infoplane_client_refused_count(handle) }

    func connect(_ address: String) -> infoplane_status { infoplane_client_connect(handle, address) }

    /// Hello; returns the status and the granted credits.
    func hello(run: String) -> (status: infoplane_status, credits: UInt32) {
        var credits: UInt32 = 0
        let status = infoplane_client_hello(handle, run, "cclient-tests", &credits)
        return (status, credits)
    }

    /// Connects and says hello, returning the first failure's status.
    func open(_ address: String, run: String) -> infoplane_status {
        let status = connect(address)
        return status == INFOPLANE_OK ? hello(run: run).status : status
    }

    /// Sends `values` (row-major, `rows × features` elements of `dtype`) as one layer:
    /// one message when `rowsPerChunk` is nil, else via infoplane_client_send_layer.
    func send<Element>(layer: String, step: Int64, role: infoplane_role = INFOPLANE_ROLE_HIDDEN,
                       split: infoplane_split = INFOPLANE_SPLIT_PROBE, dtype: infoplane_dtype,
                       features: UInt32, values: [Element], ids: [Int64],
                       rowsPerChunk: UInt32? = nil, frameLayerCount: UInt32 = 0) -> infoplane_status {
        values.withUnsafeBytes { valueBytes in
            ids.withUnsafeBufferPointer { idBuffer in
                layer.withCString { name in
                    var s = infoplane_snapshot()
                    s.step = step
                    s.epoch = -1
                    s.split = split
                    s.layer = name
                    s.role = role
                    s.rows = UInt32(ids.count)
                    s.features = features
                    s.dtype = dtype
                    s.values = valueBytes.baseAddress
                    s.sample_ids = idBuffer.baseAddress
                    s.chunk_index = 0
                    s.chunk_count = 1
                    s.frame_layer_count = frameLayerCount
                    if let rowsPerChunk { return infoplane_client_send_layer(handle, &s, rowsPerChunk) }
                    return infoplane_client_send_snapshot(handle, &s)
                }
            }
        }
    }

    func sendLabels(layer: String, step: Int64, ids: [Int64], labels: [Int64]) -> infoplane_status {
        infoplane_client_send_labels(handle, step, -1, INFOPLANE_SPLIT_PROBE, layer, ids, labels,
                                     UInt32(ids.count), 0)
    }

    func sendScalars(step: Int64, split: infoplane_split = INFOPLANE_SPLIT_TRAIN,
                     _ values: KeyValuePairs<String, Double>) -> infoplane_status {
        let names = values.map { strdup($0.key) }
        defer { names.forEach { free($0) } }
        let pointers = names.map { UnsafePointer($0) }
        let numbers = values.map(\.value)
        return infoplane_client_send_scalars(handle, step, -1, split, pointers, numbers, numbers.count)
    }

    func heartbeat() -> infoplane_status { infoplane_client_heartbeat(handle) }
    func flush() -> infoplane_status { infoplane_client_flush(handle) }
    func goodbye() -> infoplane_status { infoplane_client_goodbye(handle, "test finished") }
}

#if canImport(Glibc)
import Glibc
#endif
