/// Why a net run could not go on (connection refused, server gone, protocol error); printed
/// as the error message of the command.
struct NetFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
