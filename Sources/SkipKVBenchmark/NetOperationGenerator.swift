/// Encodes the operations of one test into a worker's connections: key choice, operation mix,
/// and the commands each operation takes on the target's kind of server.
///
/// One per worker thread and run; keys and names are written from preallocated buffers, so
/// generating an operation allocates nothing. A noncopyable struct, so that its random state
/// and the connection it writes to are plain inout accesses on the hot path.
struct NetOperationGenerator: ~Copyable {
    private let test: NetTest
    private let target: TargetKind
    private let rangeValues: Bool
    private var rng: BenchmarkRandom
    private let chooser: KeyChooser
    /// YCSB D reads: rank 0 is the newest key.
    private let latest: ZipfianGenerator
    /// New key numbers for YCSB D and E inserts, shared by all workers of the target.
    private let inserts: KeyNumberAllocator
    /// The newest inserted key number + 1, refreshed once per batch (not per read, to keep the
    /// allocator's lock off the read path).
    private var newest: UInt64 = 0
    /// Threshold on `rng.next()` below which a mixed test does its first kind of operation
    /// (read, or scan for E).
    private let mixThreshold: UInt64
    private var loadCursor: UInt64
    private let loadEnd: UInt64
    private let maxScanLength: Int

    private let key = KeyText(prefix: NetKeys.keyPrefix)
    private let counter = KeyText(prefix: NetKeys.counterPrefix)
    private let bound = KeyText(prefix: NetKeys.boundPrefix)
    private let value: UnsafeMutableRawBufferPointer
    /// Decimal texts of YCSB E's scan lengths, indexed by length.
    private let lengthTexts: [[UInt8]]
    private let rangeLimitText: [UInt8]

    private let names = CommandNames()

    init(
        test: NetTest, target: TargetKind, config: NetRunConfig, seed: UInt64,
        inserts: KeyNumberAllocator, loadRange: Range<UInt64>
    ) {
        self.test = test
        self.target = target
        rangeValues = config.rangeValues
        rng = BenchmarkRandom(seed: seed)
        chooser = KeyChooser(config.distribution, items: UInt64(config.keyspace), theta: config.zipfTheta)
        latest = ZipfianGenerator(items: UInt64(config.keyspace), theta: config.zipfTheta)
        self.inserts = inserts
        loadCursor = loadRange.lowerBound
        loadEnd = loadRange.upperBound
        maxScanLength = config.maxScanLength
        rangeLimitText = Array(String(config.rangeLimit).utf8)
        lengthTexts = test == .ycsbE ? (0...config.maxScanLength).map { Array(String($0).utf8) } : []
        switch test {
        case .ycsbA, .ycsbF: mixThreshold = probabilityThreshold(0.5)
        case .ycsbB, .ycsbD, .ycsbE: mixThreshold = probabilityThreshold(0.95)
        default: mixThreshold = .max
        }
        value = .allocate(byteCount: config.valueBytes, alignment: 16)
        value.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "x"))
    }

    deinit {
        value.deallocate()
    }

    /// Encodes `count` operations into `c` and registers the replies they wait for.
    mutating func emitBatch(_ count: Int, into c: inout NetConnection) {
        if test == .ycsbD { newest = inserts.next }
        for _ in 0..<count { emitOperation(into: &c) }
    }

    @inline(__always)
    private mutating func emitOperation(into c: inout NetConnection) {
        switch test {
        case .ping:
            c.requests.writeArrayHeader(count: 1)
            c.requests.writeBulkString(names.ping)
            c.expect(.ping, completesOperation: true)
        case .set:
            set(chooser.next(&rng), into: &c)
        case .get:
            get(chooser.next(&rng), kind: .get, into: &c)
        case .incr:
            c.requests.writeArrayHeader(count: 2)
            c.requests.writeBulkString(names.incr)
            c.requests.writeBulkString(counter.set(chooser.next(&rng)))
            c.expect(.incr, completesOperation: true)
        case .mset:
            c.requests.writeArrayHeader(count: 1 + 2 * NetTest.msetKeys)
            c.requests.writeBulkString(names.mset)
            for _ in 0..<NetTest.msetKeys {
                c.requests.writeBulkString(key.set(chooser.next(&rng)))
                c.requests.writeBulkString(UnsafeRawBufferPointer(value))
            }
            c.expect(.mset, completesOperation: true)
        case .range:
            scan(from: chooser.next(&rng), length: rangeLimitText, into: &c)
        case .exec:
            transfer(from: chooser.next(&rng), to: chooser.next(&rng), into: &c)
        case .execHot:
            transfer(from: 0, to: 1, into: &c)
        case .ycsbA, .ycsbB, .ycsbC:
            let n = chooser.next(&rng)
            if rng.next() < mixThreshold { get(n, kind: .get, into: &c) } else { set(n, into: &c) }
        case .ycsbD:
            if rng.next() < mixThreshold {
                get(newest &- 1 &- min(latest.next(&rng), newest &- 1), kind: .get, into: &c)
            } else {
                insert(into: &c)
            }
        case .ycsbE:
            if rng.next() < mixThreshold {
                scan(from: chooser.next(&rng), length: lengthTexts[1 + Int(rng.next(below: UInt64(maxScanLength)))], into: &c)
            } else {
                insert(into: &c)
            }
        case .ycsbF:
            let n = chooser.next(&rng)
            get(n, kind: rng.next() < mixThreshold ? .get : .readForUpdate, into: &c)
        case .load:
            load(into: &c)
        }
    }

    /// The SET that completes a read-modify-write once its GET has been answered; the
    /// operation keeps the GET's start time.
    @inline(__always)
    func emitFollowUp(_ read: PendingReply, into c: inout NetConnection) {
        writeSet(read.keyNumber, into: &c)
        c.expect(.set, completesOperation: true, startNanos: read.startNanos)
    }

    // MARK: Operations

    @inline(__always)
    private func get(_ n: UInt64, kind: NetRequestKind, into c: inout NetConnection) {
        c.requests.writeArrayHeader(count: 2)
        c.requests.writeBulkString(names.get)
        c.requests.writeBulkString(key.set(n))
        // A read-for-update is completed by the SET that follows it.
        c.expect(kind, completesOperation: kind == .get, keyNumber: n)
    }

    @inline(__always)
    private func set(_ n: UInt64, into c: inout NetConnection) {
        writeSet(n, into: &c)
        c.expect(.set, completesOperation: true)
    }

    @inline(__always)
    private func writeSet(_ n: UInt64, into c: inout NetConnection) {
        c.requests.writeArrayHeader(count: 3)
        c.requests.writeBulkString(names.set)
        c.requests.writeBulkString(key.set(n))
        c.requests.writeBulkString(UnsafeRawBufferPointer(value))
    }

    /// One transaction moving 1 from counter `a` to counter `b` (both may be the same):
    /// MULTI, two INCRBYs and EXEC written together. Only EXEC's reply, the two new values,
    /// completes the operation; the others are checked as they arrive.
    @inline(__always)
    private func transfer(from a: UInt64, to b: UInt64, into c: inout NetConnection) {
        c.requests.writeArrayHeader(count: 1)
        c.requests.writeBulkString(names.multi)
        c.expect(.multi, completesOperation: false)
        c.requests.writeArrayHeader(count: 3)
        c.requests.writeBulkString(names.incrBy)
        c.requests.writeBulkString(counter.set(a))
        c.requests.writeBulkString(names.minusOne)
        c.expect(.queued, completesOperation: false)
        c.requests.writeArrayHeader(count: 3)
        c.requests.writeBulkString(names.incrBy)
        c.requests.writeBulkString(counter.set(b))
        c.requests.writeBulkString(names.one)
        c.expect(.queued, completesOperation: false)
        c.requests.writeArrayHeader(count: 1)
        c.requests.writeBulkString(names.exec)
        c.expect(.execIncrements, completesOperation: true)
    }

    /// A forward scan of up to `length` (decimal text) keys from key `n`: RANGE on SkipKV, ZRANGEBYLEX on the
    /// index sorted set on redis-server.
    @inline(__always)
    private func scan(from n: UInt64, length: [UInt8], into c: inout NetConnection) {
        switch target {
        case .skipkv:
            c.requests.writeArrayHeader(count: rangeValues ? 6 : 7)
            c.requests.writeBulkString(names.range)
        case .redis:
            c.requests.writeArrayHeader(count: 7)
            c.requests.writeBulkString(names.zrangeByLex)
            c.requests.writeBulkString(names.redisIndex)
        }
        c.requests.writeBulkString(bound.set(n))
        c.requests.writeBulkString(names.plus)
        c.requests.writeBulkString(names.limit)
        c.requests.writeBulkString(names.zero)
        c.requests.writeBulkString(length)
        switch target {
        case .skipkv where rangeValues:
            c.expect(.range, completesOperation: true)
        case .skipkv:
            c.requests.writeBulkString(names.noValues)
            c.expect(.rangeKeys, completesOperation: true)
        case .redis:
            c.expect(.zrangeByLex, completesOperation: true)
        }
    }

    /// A new key after all existing ones; on redis-server also added to the index sorted set,
    /// in the same operation, so that later scans see it as they would on SkipKV.
    @inline(__always)
    private func insert(into c: inout NetConnection) {
        let n = inserts.claim(1)
        writeSet(n, into: &c)
        switch target {
        case .skipkv:
            c.expect(.set, completesOperation: true)
        case .redis:
            c.expect(.set, completesOperation: false)
            c.requests.writeArrayHeader(count: 4)
            c.requests.writeBulkString(names.zadd)
            c.requests.writeBulkString(names.redisIndex)
            c.requests.writeBulkString(names.zero)
            c.requests.writeBulkString(key.set(n))
            c.expect(.zadd, completesOperation: true)
        }
    }

    /// The next `NetTest.loadBatchKeys` keys of this worker's share of the keyspace: one MSET,
    /// and on redis-server one ZADD of the same keys.
    private mutating func load(into c: inout NetConnection) {
        let first = loadCursor
        let end = min(first + UInt64(NetTest.loadBatchKeys), loadEnd)
        loadCursor = end
        let count = Int(end - first)
        c.requests.writeArrayHeader(count: 1 + 2 * count)
        c.requests.writeBulkString(names.mset)
        for n in first..<end {
            c.requests.writeBulkString(key.set(n))
            c.requests.writeBulkString(UnsafeRawBufferPointer(value))
        }
        guard target == .redis else {
            c.expect(.mset, completesOperation: true)
            return
        }
        c.expect(.mset, completesOperation: false)
        c.requests.writeArrayHeader(count: 2 + 2 * count)
        c.requests.writeBulkString(names.zadd)
        c.requests.writeBulkString(names.redisIndex)
        for n in first..<end {
            c.requests.writeBulkString(names.zero)
            c.requests.writeBulkString(key.set(n))
        }
        c.expect(.zadd, completesOperation: true)
    }
}

/// Command names and constant arguments as bytes, built once per generator.
private struct CommandNames {
    let ping = Array("PING".utf8)
    let get = Array("GET".utf8)
    let set = Array("SET".utf8)
    let incr = Array("INCR".utf8)
    let incrBy = Array("INCRBY".utf8)
    let multi = Array("MULTI".utf8)
    let exec = Array("EXEC".utf8)
    let one = Array("1".utf8)
    let minusOne = Array("-1".utf8)
    let mset = Array("MSET".utf8)
    let range = Array("RANGE".utf8)
    let zrangeByLex = Array("ZRANGEBYLEX".utf8)
    let zadd = Array("ZADD".utf8)
    let redisIndex = Array(NetKeys.redisIndex.utf8)
    let plus = Array("+".utf8)
    let limit = Array("LIMIT".utf8)
    let zero = Array("0".utf8)
    let noValues = Array("NOVALUES".utf8)
}
