import XCTest
@_spi(IndexInternals) @testable import SkipKVIndex

#if DEBUG
/// The debug-only structure assertions (`BSkipList+Assertions.swift`) are not vacuous: each
/// test breaks an invariant on purpose and sees the assertion at a structural change report
/// it, through the test hook `structureAssertionFailure` instead of stopping the process. (The
/// other debug suites run with the assertions on and must never trip them.)
final class StructureAssertionTests: XCTestCase {
    private func key(_ i: Int) -> [UInt8] { withUnsafeBytes(of: UInt64(i).bigEndian) { Array($0) } }

    /// The structure assertions that fail while `body` runs, collected instead of trapping.
    private func assertionFailures(_ body: () -> Void) -> [String] {
        let trap = structureAssertionFailure
        var messages: [String] = []
        structureAssertionFailure = { message, _, _ in messages.append(message) }
        defer { structureAssertionFailure = trap }
        body()
        return messages
    }

    /// Swaps two entries of a node (keys, stored words and payloads), breaking the key order.
    private func swapEntries(_ node: BNode, _ a: Int, _ b: Int) {
        let (keyA, storedA, payloadA) = (node.searchKey(a), node.storedKey(a), node.payload(a))
        node.setEntry(a, key: node.searchKey(b), stored: node.storedKey(b), payload: node.payload(b))
        node.setEntry(b, key: keyA, stored: storedA, payload: payloadA)
    }

    func testInsertingIntoANodeWithKeysOutOfOrderFails() {
        // Keys of height 0 only (a level is reached with probability 2^-20), all in the level-0
        // head node: 6 entries fit in 256 bytes.
        let index = BSkipList(nodeBytes: 256, promotionDenominator: 1 << 20, readCoupling: .locked, seed: 5)
        for i in [10, 20, 30] {
            XCTAssertEqual(key(i).withUnsafeBytes { index.heights.height($0) }, 0)
            index.put(key(i), key(i))
        }
        XCTAssertEqual(assertionFailures { index.put(key(15), key(15)) }, [], "an intact node passes")
        let leaf = index.heads[0]
        XCTAssertEqual(leaf.count, 5, "the sentinel, 10, 15, 20 and 30")
        swapEntries(leaf, 3, 4)

        let failures = assertionFailures { index.put(key(25), key(25)) }
        XCTAssertEqual(failures.count, 1, "\(failures)")
        XCTAssertTrue(failures.allSatisfy { $0.contains("keys out of order") }, "\(failures)")
    }

    func testChangingANodeWithoutItsWriteLockFails() {
        let index = BSkipList(nodeBytes: 256, readCoupling: .locked, seed: 5)
        index.put(key(1), key(1))
        // The caller must hold the node's write lock; this one holds nothing.
        let failures = assertionFailures { index.absorbSuccessorIfUnderfull(index.heads[0]) }
        XCTAssertEqual(failures.count, 1, "\(failures)")
        XCTAssertTrue(failures.allSatisfy { $0.contains("without its write lock") }, "\(failures)")
    }
}
#endif
