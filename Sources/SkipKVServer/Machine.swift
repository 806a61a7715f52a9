#if canImport(Glibc)
import Glibc
#endif

/// Facts about the host the server runs on.
enum Machine {
    static var onlineCores: Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
