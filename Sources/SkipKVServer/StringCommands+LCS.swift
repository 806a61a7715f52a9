/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence
/// of two string values (a missing key is an empty string), by Redis's dynamic programming
/// table and its backward walk, so that the string and the match ranges are the ones Redis
/// picks among equally long answers.
extension StringCommands {
    private struct LCSMatch {
        let aStart: Int, aEnd: Int, bStart: Int, bEnd: Int
        var length: Int { aEnd - aStart + 1 }
    }

    static func lcs(_ c: CommandContext) {
        let a = c.keyspace.withValue(forKey: c.argument(1)) { Array($0) } ?? []
        let b = c.keyspace.withValue(forKey: c.argument(2)) { Array($0) } ?? []
        var wantLength = false
        var wantIndexes = false
        var withMatchLength = false
        var minMatchLength: Int64 = 0
        var index = 3
        while index < c.count {
            if c.argument(index, is: "IDX") {
                wantIndexes = true
            } else if c.argument(index, is: "LEN") {
                wantLength = true
            } else if c.argument(index, is: "WITHMATCHLEN") {
                withMatchLength = true
            } else if c.argument(index, is: "MINMATCHLEN") && index + 1 < c.count {
                index += 1
                guard let parsed = c.integer(index) else { return }
                minMatchLength = max(parsed, 0)
            } else {
                c.error(ErrorText.syntax)
                return
            }
            index += 1
        }
        if wantIndexes && wantLength {
            c.error("ERR If you want both the length and indexes, please just use IDX.")
            return
        }
        // Redis refuses a table larger than proto-max-bulk-len rather than allocate it.
        let (cells, overflow) = (a.count + 1).multipliedReportingOverflow(by: b.count + 1)
        guard !overflow && cells <= c.server.settings.parserLimits.maxBulkLength / MemoryLayout<UInt32>.size else {
            c.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
            return
        }
        let width = b.count + 1
        // table[i * width + j]: the LCS length of a's first i bytes and b's first j.
        var table = [UInt32](repeating: 0, count: cells)
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                table[i * width + j] = a[i - 1] == b[j - 1]
                    ? table[(i - 1) * width + j - 1] + 1
                    : max(table[(i - 1) * width + j], table[i * width + j - 1])
            }
        }
        let total = Int(table[a.count * width + b.count])
        if wantLength {
            c.reply.pointee.writeInteger(total)
            return
        }
        // Walk back from the end, building the subsequence and its contiguous ranges.
        var result = [UInt8](repeating: 0, count: total)
        var matches: [LCSMatch] = []
        var remaining = total
        var i = a.count, j = b.count
        var current: LCSMatch? = nil
        while i > 0 && j > 0 {
            var emit = false
            if a[i - 1] == b[j - 1] {
                result[remaining - 1] = a[i - 1]
                if let range = current {
                    if range.aStart == i && range.bStart == j {
                        current = LCSMatch(aStart: i - 1, aEnd: range.aEnd, bStart: j - 1, bEnd: range.bEnd)
                    } else {
                        emit = true
                    }
                } else {
                    current = LCSMatch(aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1)
                }
                if let range = current, range.aStart == 0 || range.bStart == 0 { emit = true }
                remaining -= 1
                i -= 1
                j -= 1
            } else {
                if table[(i - 1) * width + j] > table[i * width + j - 1] { i -= 1 } else { j -= 1 }
                if current != nil { emit = true }
            }
            if emit, let range = current {
                if minMatchLength == 0 || range.length >= minMatchLength { matches.append(range) }
                current = nil
            }
        }
        guard wantIndexes else {
            c.reply.pointee.writeBulkString(result)
            return
        }
        let reply = c.reply
        reply.pointee.writeMapHeader(count: 2)
        reply.pointee.writeBulkString("matches")
        reply.pointee.writeArrayHeader(count: matches.count)
        for match in matches {
            reply.pointee.writeArrayHeader(count: withMatchLength ? 3 : 2)
            reply.pointee.writeArrayHeader(count: 2)
            reply.pointee.writeInteger(match.aStart)
            reply.pointee.writeInteger(match.aEnd)
            reply.pointee.writeArrayHeader(count: 2)
            reply.pointee.writeInteger(match.bStart)
            reply.pointee.writeInteger(match.bEnd)
            if withMatchLength { reply.pointee.writeInteger(match.length) }
        }
        reply.pointee.writeBulkString("len")
        reply.pointee.writeInteger(total)
    }
}
