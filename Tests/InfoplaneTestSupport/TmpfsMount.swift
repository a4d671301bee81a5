import Foundation

/// A small tmpfs mounted by a test (it needs root, as `make test` runs in CI), so that the
/// daemon's state directory can be a real filesystem that fills up. Unmount it with
/// `unmount()` after the daemon using it has stopped.
public final class TmpfsMount: @unchecked Sendable {
    public let path: String
    private var mounted = true

    static let mountTool = ["/usr/bin/mount", "/bin/mount"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let umountTool = ["/usr/bin/umount", "/bin/umount"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Mounts a tmpfs of `bytes` at `path` (created if missing).
    public init(path: String, bytes: Int) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard let tool = Self.mountTool else { throw TmpfsMountError.failed("mount(8) is not installed") }
        let result = try ProgramRun.run(tool, ["-t", "tmpfs", "-o", "size=\(bytes),mode=0755", "tmpfs", path], timeout: 30)
        guard result.status == 0 else { throw TmpfsMountError.failed("mount -t tmpfs \(path) exited \(result.status): \(result.combined)") }
    }

    /// Nil when this process can mount a tmpfs; otherwise why not (tried once, on a
    /// throwaway directory).
    public static let unavailableReason: String? = {
        let probe = "/tmp/ip-mount-probe-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: probe) }
        do {
            let mount = try TmpfsMount(path: probe, bytes: 1 << 20)
            mount.unmount()
            return nil
        } catch {
            return "cannot mount a tmpfs here (\(error)); the test needs root (CI runs as root)"
        }
    }()

    /// Writes a file of zeros until the filesystem has no space left; returns its path.
    @discardableResult
    public func fill(name: String = "filler") throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TmpfsMountError.failed("cannot create \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let block = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = write(fd, block, block.count)
            if n < 0 {
                if errno == EINTR { continue }
                guard errno == ENOSPC else { throw TmpfsMountError.failed("writing \(file): \(String(cString: strerror(errno)))") }
                return file
            }
        }
    }

    /// Bytes available to unprivileged and privileged writers.
    public var availableBytes: Int {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return -1 }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// Unmounts (lazily if something still holds it open). Safe to call twice.
    public func unmount() {
        guard mounted, let tool = Self.umountTool else { return }
        mounted = false
        if let result = try? ProgramRun.run(tool, [path], timeout: 30), result.status == 0 { return }
        _ = try? ProgramRun.run(tool, ["-l", path], timeout: 30)
    }

    deinit { unmount() }
}

public enum TmpfsMountError: Error, CustomStringConvertible {
    case failed(String)
    public var description: String {
        switch self { case .failed(let why): return why }
    }
}
