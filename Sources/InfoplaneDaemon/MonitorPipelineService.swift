import InfoplaneMonitor
import ServiceLifecycle

/// Runs the monitoring pipeline's worker pool under ServiceLifecycle. On graceful shutdown
/// (after the ingest server has stopped, see the service order in `Infoplaned`) the
/// pipeline finalises its frames, estimates and stores what is queued for at most
/// `[scheduler] shutdown_grace_seconds`, stores what is done, then returns (once the work
/// items already running have ended).
struct MonitorPipelineService: Service {
    let pipeline: MonitorPipeline

    func run() async throws {
        await withGracefulShutdownHandler {
            await pipeline.run()
        } onGracefulShutdown: {
            Task { await pipeline.finish() }
        }
        // The workers can end (the grace ran out) while the finish above still stores what
        // was done; finish() waits for that store, and the daemon must not exit before it.
        await pipeline.finish()
    }
}
