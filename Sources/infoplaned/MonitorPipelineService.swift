import InfoplaneMonitor
import ServiceLifecycle

/// Runs the monitoring pipeline's worker pool under ServiceLifecycle. On graceful shutdown
/// (after the ingest server has stopped, see the service order in `Infoplaned`) the
/// pipeline finalises its frames, estimates and stores everything queued, then returns.
struct MonitorPipelineService: Service {
    let pipeline: MonitorPipeline

    func run() async throws {
        await withGracefulShutdownHandler {
            await pipeline.run()
        } onGracefulShutdown: {
            Task { await pipeline.finish() }
        }
    }
}
