import XCTest

/// RANGE, RANGECOUNT and RANGEDEL over TCP against a sorted-array model: every bound kind
/// (-, +, [key, (key on present, absent and empty keys) on both ends × REV × LIMIT ×
/// NOVALUES, on a keyspace spread over several shards.
final class RangeCommandTests: ServerTestCase {
    private func isBefore(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

    func testRangeMatchesTheModel() throws {
        var random = SystemRandomNumberGenerator()
        var model: [[UInt8]: [UInt8]] = [:]
        let alphabet: [UInt8] = [0, 0x61, 0x62, 0x7A, 0xFF, 13, 10]
        var batch: [UInt8] = []
        for _ in 0..<300 {
            var key: [UInt8] = []
            for _ in 0..<Int.random(in: 0...5, using: &random) { key.append(alphabet.randomElement(using: &random)!) }
            let value = Array("v\(model.count)".utf8)
            model[key] = value
            batch += RESPClient.encode([Array("SET".utf8), key, value])
        }
        try client.send(batch)
        for _ in 0..<300 { XCTAssertEqual(try client.read(), .simple("OK")) }
        let sorted = model.keys.sorted(by: isBefore)
        var probes: [[UInt8]] = [[], [0x61], [0x62, 0], [0xFF, 0xFF, 0xFF]]
        for _ in 0..<3 { probes.append(sorted.randomElement(using: &random)!) }
        var bounds: [(text: [UInt8], low: ([UInt8]) -> Bool, high: ([UInt8]) -> Bool)] = [
            (Array("-".utf8), { _ in true }, { _ in false }),
            (Array("+".utf8), { _ in false }, { _ in true }),
        ]
        for probe in probes {
            bounds.append(([UInt8(ascii: "[")] + probe, { !self.isBefore($0, probe) }, { !self.isBefore(probe, $0) }))
            bounds.append(([UInt8(ascii: "(")] + probe, { self.isBefore(probe, $0) }, { self.isBefore($0, probe) }))
        }
        let limits: [[String]] = [[], ["LIMIT", "0", "-1"], ["LIMIT", "0", "0"], ["LIMIT", "2", "3"], ["LIMIT", "0", "1"], ["LIMIT", "1000", "5"], ["LIMIT", "-1", "5"]]
        var requests: [UInt8] = []
        var expectations: [RESP] = []
        for low in bounds {
            for high in bounds {
                let selected = sorted.filter { low.low($0) && high.high($0) }
                requests += RESPClient.encode([Array("RANGECOUNT".utf8), low.text, high.text])
                expectations.append(.integer(Int64(selected.count)))
                for reverse in [false, true] {
                    for limit in limits {
                        for novalues in [false, true] {
                            var ordered = reverse ? selected.reversed() : selected
                            if limit.count == 3 {
                                let offset = Int(limit[1])!
                                let count = Int(limit[2])!
                                if offset < 0 || offset >= ordered.count {
                                    ordered = []
                                } else {
                                    ordered = Array(ordered[offset...])
                                    if count >= 0 { ordered = Array(ordered.prefix(count)) }
                                }
                            }
                            var arguments = [Array("RANGE".utf8), low.text, high.text]
                            if reverse { arguments.append(Array("REV".utf8)) }
                            arguments += limit.map { Array($0.utf8) }
                            if novalues { arguments.append(Array("NOVALUES".utf8)) }
                            requests += RESPClient.encode(arguments)
                            expectations.append(.array(ordered.flatMap { novalues ? [RESP.bulk($0)] : [.bulk($0), .bulk(model[$0]!)] }))
                        }
                    }
                }
            }
        }
        // All of it as one pipeline, checked reply by reply.
        try client.send(requests)
        for (index, expected) in expectations.enumerated() {
            let reply = try client.read()
            XCTAssertEqual(reply, expected, "request \(index)")
        }
        // RANGEDEL removes exactly the model's selection.
        let low = probes[4]
        let high = probes[5]
        let (lower, upper) = isBefore(high, low) ? (high, low) : (low, high)
        let doomed = sorted.filter { !isBefore($0, lower) && isBefore($0, upper) }
        XCTAssertEqual(try client.callBytes([Array("RANGEDEL".utf8), [UInt8(ascii: "[")] + lower, [UInt8(ascii: "(")] + upper]), .integer(Int64(doomed.count)))
        XCTAssertEqual(try client.call("DBSIZE"), .integer(Int64(sorted.count - doomed.count)))
    }

    func testRangeErrorsAndEdgeCases() throws {
        try assertReply(["MSET", "a", "1", "b", "2", "c", "3"], .simple("OK"))
        for bad in ["a", "", "--", "++", "x["] {
            try assertReply(["RANGE", bad, "+"], .error("ERR min or max not valid string range item"))
            try assertReply(["RANGECOUNT", "-", bad], .error("ERR min or max not valid string range item"))
            try assertReply(["RANGEDEL", bad, bad], .error("ERR min or max not valid string range item"))
        }
        try assertReply(["RANGE", "[c", "[a"], .array([]))
        try assertReply(["RANGE", "+", "-"], .array([]))
        try assertReply(["RANGE", "[b", "[b", "REV"], .bulks(["b", "2"]))
        try assertReply(["RANGE", "-", "+", "REV", "LIMIT", "1", "1", "NOVALUES"], .bulks(["b"]))
        try assertReply(["RANGE", "-", "+", "LIMIT", "1"], .error("ERR syntax error"))
        try assertReply(["RANGE", "-", "+", "LIMIT", "x", "1"], .error("ERR value is not an integer or out of range"))
        try assertReply(["RANGE", "-", "+", "BYSCORE"], .error("ERR syntax error"))
        // Options are checked before bounds, as in ZRANGEBYLEX.
        try assertReply(["RANGE", "a", "b", "LIMIT", "x", "y"], .error("ERR value is not an integer or out of range"))
        try assertReply(["RANGE", "-"], .error("ERR wrong number of arguments for 'range' command"))
        try assertReply(["RANGECOUNT", "-", "+", "x"], .error("ERR wrong number of arguments for 'rangecount' command"))
        try assertReply(["RANGECOUNT", "(a", "+"], .integer(2))
        try assertReply(["RANGEDEL", "(a", "+"], .integer(2))
        try assertReply(["RANGE", "-", "+"], .bulks(["a", "1"]))
    }

    /// Writers keep changing keys while other clients scan: every scan is in strict order
    /// and includes every key that was never touched.
    func testRangeScansRaceWriters() throws {
        let stable = (0..<400).map { String(format: "s%04d", $0 * 2) }
        try client.send(stable.flatMap { RESPClient.encode(["SET", $0, $0]) })
        for _ in stable { _ = try client.read() }
        let port = try server.port
        let done = DispatchSemaphore(value: 0)
        let shared = SharedState()
        for w in 0..<2 {
            Thread.detachNewThread {
                defer { done.signal() }
                guard let writer = try? RESPClient(port: port) else { return shared.fail() }
                var i = w
                while !shared.isStopped {
                    let key = String(format: "s%04d", (i % 400) * 2 + 1)
                    let command = i % 3 == 0 ? ["DEL", key] : ["SET", key, key]
                    if (try? writer.call(command)) == nil { return shared.fail() }
                    i += 2
                }
            }
        }
        for round in 0..<40 {
            let reply = try client.call(round % 2 == 0 ? ["RANGE", "-", "+", "NOVALUES"] : ["RANGE", "-", "+", "REV", "NOVALUES"])
            let keys = reply.elements!.compactMap(\.text)
            let ordered = round % 2 == 0 ? keys : keys.reversed()
            XCTAssertEqual(ordered, ordered.sorted(), "round \(round) out of order")
            XCTAssertEqual(Set(stable).subtracting(keys), [], "round \(round) lost a stable key")
        }
        shared.stop()
        done.wait()
        done.wait()
        XCTAssertEqual(shared.failureCount, 0)
    }
}
