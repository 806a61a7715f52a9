#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real OS thread (a pthread, which ThreadSanitizer follows) running one closure, joined
/// explicitly: the event loops, the log writer, background snapshots, the benchmark's workers.
/// The closure, and what it captures, is released on the thread when it returns.
public struct JoinableThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    #if canImport(Glibc)
    private let id: pthread_t
    #else
    private let id: pthread_t?
    #endif

    /// Starts the thread; a failure to create one (no memory, thread limit) stops the process.
    public init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        #if canImport(Glibc)
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        #else
        var tid: pthread_t?
        let rc = pthread_create(&tid, nil, { raw in
            Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, context)
        #endif
        precondition(rc == 0, "pthread_create failed: \(rc)")
        id = tid
    }

    /// Waits for the closure to return. Call once.
    public func join() {
        #if canImport(Glibc)
        pthread_join(id, nil)
        #else
        pthread_join(id!, nil)
        #endif
    }
}
