import SkipKVClient

extension Error {
    /// The line redis-cli prints for the same failure: connection set-up failures as they
    /// are ("Could not connect to ..."), failures of an established connection after
    /// "Error: ". The client library throws only `ClientError`s.
    var report: String {
        switch self as? ClientError {
        case let error? where error.isSetUpFailure: return error.message
        case let error?: return "Error: " + error.message
        case nil: return "Error: \(self)"
        }
    }
}

private extension ClientError {
    var isSetUpFailure: Bool {
        switch self {
        case .connectFailed, .handshakeFailed: return true
        default: return false
        }
    }
}
