import SkipKVBaselines
import SkipKVIndex

/// Every structure the generic tests run against.
let indexesUnderTest: [(name: String, make: @Sendable () -> any OrderedKeyValueIndex)] = [
    ("ClassicSkipList", { ClassicSkipList() }),
    // Small nodes, so that the tests' key counts split and merge nodes constantly.
    ("BSkipList(nodeBytes: 256)", { BSkipList(nodeBytes: 256) }),
    ("BSkipList()", { BSkipList() }),
    ("BSkipList(nodeBytes: 256, readCoupling: .locked)", { BSkipList(nodeBytes: 256, readCoupling: .locked) }),
]
