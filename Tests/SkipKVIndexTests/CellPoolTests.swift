@testable import SkipKVIndex
import XCTest

/// `CellPool`: cells are distinct, aligned, stay writable while held, and are reused after
/// release; pages are added only when every cell is held.
final class CellPoolTests: XCTestCase {
    func testCellsAreDistinctAlignedAndReused() {
        let pool = CellPool()
        let perPage = CellPool.pageBytes / CellPool.cellBytes
        var held: [UnsafeMutableRawPointer] = []
        for n in 0..<(perPage * 2 + 3) {
            let cell = pool.allocate()
            XCTAssertEqual(UInt(bitPattern: cell) % UInt(CellPool.cellBytes), 0)
            cell.storeBytes(of: UInt64(n), as: UInt64.self)
            cell.storeBytes(of: ~UInt64(n), toByteOffset: 8, as: UInt64.self)
            held.append(cell)
        }
        XCTAssertEqual(Set(held).count, held.count, "no cell handed out twice")
        for (n, cell) in held.enumerated() {
            XCTAssertEqual(cell.load(as: UInt64.self), UInt64(n), "a cell's bytes stay its holder's")
            XCTAssertEqual(cell.load(fromByteOffset: 8, as: UInt64.self), ~UInt64(n))
        }
        let released = Set(held.prefix(10))
        for cell in released { pool.release(cell) }
        let again = Set((0..<10).map { _ in pool.allocate() })
        XCTAssertEqual(again, released, "released cells are handed out before a new page is taken")
    }
}
