import Foundation

/// An exclusive `flock(2)` on a file that holds the holder's pid, so that one daemon owns a
/// resource (a state directory, a Unix socket path) and a second one is refused with the
/// first one's pid.
///
/// The lock belongs to the open file description: it is released when the process exits,
/// however it exits (kill -9 included), so a stale lock file never blocks a restart. The
/// file itself is left in place (removing it would let a third process lock a new file
/// while a second still waits on the old one). The descriptor is close-on-exec.
public final class LockFile: Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock without waiting, writes this process's pid into the file, and holds
    /// the lock until `release()` or the end of the process.
    /// - Parameters:
    ///   - resource: what the lock guards, for the error ("the state directory /var/lib/infoplane").
    ///   - remedy: what to do when another daemon holds it ("give this one its own --state-dir").
    public static func acquire(path: String, guarding resource: String, remedy: String) throws(LockFileError) -> LockFile {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: path, resource: resource, errno: errno) }
        var result: Int32
        repeat { result = flock(fd, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let code = errno
            let holder = readPID(fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw .held(path: path, resource: resource, holder: holder, remedy: remedy)
            }
            throw .cannotLock(path: path, resource: resource, errno: code)
        }
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) != 0 || pwrite(fd, text, text.count, 0) != text.count {
            let code = errno
            close(fd)
            throw .cannotOpen(path: path, resource: resource, errno: code)
        }
        return LockFile(path: path, descriptor: fd)
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Releases the lock (closing the descriptor). Also done by deinit.
    deinit { close(descriptor) }

    /// The pid written in the lock file at `path`, if it holds one.
    public static func holder(of path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readPID(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}

public enum LockFileError: Error, Sendable, CustomStringConvertible {
    /// Another process holds the lock; `holder` is the pid it wrote (nil if unreadable).
    case held(path: String, resource: String, holder: Int32?, remedy: String)
    case cannotOpen(path: String, resource: String, errno: Int32)
    case cannotLock(path: String, resource: String, errno: Int32)

    public var description: String {
        switch self {
        case let .held(path, resource, holder, remedy):
            let who = holder.map { "another infoplaned (pid \($0))" } ?? "another infoplaned (pid unknown)"
            return "\(resource) is in use: \(who) holds the lock \(path); stop that daemon first, or \(remedy)"
        case let .cannotOpen(path, resource, code):
            return "cannot create the lock file \(path) for \(resource): \(String(cString: strerror(code))); check that its directory is writable by the daemon's user"
        case let .cannotLock(path, resource, code):
            return "cannot lock \(path) for \(resource): \(String(cString: strerror(code)))"
        }
    }

    /// The pid of the process holding the lock, when that is the error.
    public var holder: Int32? {
        if case .held(_, _, let holder, _) = self { return holder }
        return nil
    }
}
