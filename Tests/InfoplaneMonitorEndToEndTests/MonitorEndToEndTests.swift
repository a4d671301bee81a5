import Testing

/// The monitoring pipeline end to end: a real `infoplaned --sink monitor` per test, frames
/// sent over its Unix socket by the Swift client, the alerts received by the client and the
/// points and alerts read back from `<state-dir>/infoplane.sqlite`.
///
/// Serialized: the tests measure timing (client_stalled) and memory (backlog) of the daemon,
/// and this machine has two cores.
@Suite(.serialized) struct MonitorEndToEndTests {}
