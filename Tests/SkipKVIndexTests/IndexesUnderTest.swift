import SkipKVBaselines
import SkipKVIndex

/// Every structure the generic tests run against.
let indexesUnderTest: [(name: String, make: @Sendable () -> any OrderedKeyValueIndex)] = [
    ("ClassicSkipList", { ClassicSkipList() }),
    // Small nodes, so that the tests' key counts split and merge nodes constantly.
    ("BSkipList(nodeBytes: 256)", { BSkipList(nodeBytes: 256) }),
    ("BSkipList()", { BSkipList() }),
    ("BSkipList(nodeBytes: 256, readCoupling: .locked)", { BSkipList(nodeBytes: 256, readCoupling: .locked) }),
    // Access tracking on, with LFU's counter moving on every access (log factor 0): readers
    // write access fields under shared locks throughout every generic test.
    ("BSkipList(nodeBytes: 256, tracking LFU)", {
        let tracker = AccessTracker()
        tracker.configure(.frequency, logFactor: 0, decayMinutes: 1)
        return BSkipList(nodeBytes: 256, access: tracker)
    }),
]
