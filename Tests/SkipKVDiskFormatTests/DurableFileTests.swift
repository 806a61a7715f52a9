import Foundation
import SkipKVDiskFormat
import XCTest

final class DurableFileTests: XCTestCase {
    func testCreateWritePatchTruncateAndSize() throws {
        let path = try makeScratchDirectory(self) + "/file"
        try writeFile(path, utf8("leftover that create must drop"))
        let file = try DurableFile.create(path)
        XCTAssertEqual(try file.size(), 0)
        try utf8("hello, world").withUnsafeBytes { try file.write($0) }
        try utf8("J").withUnsafeBytes { try file.write($0, at: 7) }
        try [UInt8]().withUnsafeBytes { try file.write($0) }
        try file.sync()
        XCTAssertEqual(try file.size(), 12)
        // pwrite does not move the position: the next write still appends.
        try utf8("!").withUnsafeBytes { try file.write($0) }
        XCTAssertEqual(try readFile(path), utf8("hello, Jorld!"))
        try file.truncate(to: 5)
        XCTAssertEqual(try file.size(), 5)
        file.close()
        file.close()
        XCTAssertEqual(try readFile(path), utf8("hello"))
        XCTAssertThrowsError(try file.size())
    }

    func testLargeWriteIsComplete() throws {
        let path = try makeScratchDirectory(self) + "/large"
        var random = replayableRandom(#function)
        let data = random.bytes(3 << 20)
        let file = try DurableFile.create(path)
        try data.withUnsafeBytes { try file.write($0) }
        file.close()
        XCTAssertEqual(try readFile(path), data)
    }

    func testOpenForAppendAppendsAndRequiresTheFile() throws {
        let directory = try makeScratchDirectory(self)
        try writeFile(directory + "/log", utf8("abc"))
        let file = try DurableFile.openForAppend(directory + "/log")
        try utf8("def").withUnsafeBytes { try file.write($0) }
        try file.sync()
        file.close()
        XCTAssertEqual(try readFile(directory + "/log"), utf8("abcdef"))
        XCTAssertThrowsError(try DurableFile.openForAppend(directory + "/missing")) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "open", path: directory + "/missing", code: ENOENT))
        }
    }

    func testWriteErrorNamesTheFileAndTheCause() throws {
        try XCTSkipUnless(fileExists("/dev/full"), "no /dev/full")
        let file = try DurableFile.openForAppend("/dev/full")
        XCTAssertThrowsError(try utf8("x").withUnsafeBytes { try file.write($0) }) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "write", path: "/dev/full", code: ENOSPC))
            XCTAssertEqual("\(error)", "write /dev/full: No space left on device")
        }
    }

    func testErrorDescriptions() {
        XCTAssertEqual(
            DiskError.io(operation: "write", path: "/data/appendonly.aof.3", code: ENOSPC).description,
            "write /data/appendonly.aof.3: No space left on device")
        XCTAssertEqual(
            DiskError.damaged(path: "/data/dump.skv", offset: 4160, reason: "block checksum mismatch").description,
            "/data/dump.skv: damaged at byte 4160: block checksum mismatch")
        XCTAssertTrue(DiskError.entryTooLarge(path: "/data/dump.skv.tmp", bytes: 1 << 33).description.hasPrefix("/data/dump.skv.tmp: "))
    }

    func testRenameRemoveAndDirectoryHelpers() throws {
        let directory = try makeScratchDirectory(self)
        try writeFile(directory + "/a", utf8("new"))
        try writeFile(directory + "/b", utf8("old"))
        try DurableFile.rename(directory + "/a", to: directory + "/b")
        try DurableFile.syncDirectory(directory)
        XCTAssertFalse(fileExists(directory + "/a"))
        XCTAssertEqual(try readFile(directory + "/b"), utf8("new"))
        XCTAssertThrowsError(try DurableFile.rename(directory + "/a", to: directory + "/c")) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "rename", path: "\(directory)/a -> \(directory)/c", code: ENOENT))
        }
        try DurableFile.remove(directory + "/b")
        try DurableFile.remove(directory + "/b")
        XCTAssertFalse(fileExists(directory + "/b"))
        XCTAssertTrue(DurableFile.directoryExists(directory))
        XCTAssertFalse(DurableFile.directoryExists(directory + "/b"))
        try writeFile(directory + "/plain", [])
        XCTAssertFalse(DurableFile.directoryExists(directory + "/plain"))
        XCTAssertThrowsError(try DurableFile.syncDirectory(directory + "/missing"))
    }

    func testCheckWritable() throws {
        let directory = try makeScratchDirectory(self)
        try DurableFile.checkWritable(directory: directory)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [], "the probe file must be gone")
        XCTAssertThrowsError(try DurableFile.checkWritable(directory: directory + "/missing")) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "stat", path: directory + "/missing", code: ENOENT))
        }
        try writeFile(directory + "/plain", [])
        XCTAssertThrowsError(try DurableFile.checkWritable(directory: directory + "/plain")) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "open directory", path: directory + "/plain", code: ENOTDIR))
        }
    }

    func testCheckWritableRefusesAReadOnlyDirectory() throws {
        try XCTSkipIf(geteuid() == 0, "root writes through directory permissions")
        let directory = try makeScratchDirectory(self) + "/locked"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory) }
        XCTAssertThrowsError(try DurableFile.checkWritable(directory: directory)) { error in
            guard case .io(operation: "create", _, EACCES)? = error as? DiskError else { return XCTFail("\(error)") }
        }
    }

    func testMappedFile() throws {
        let directory = try makeScratchDirectory(self)
        try writeFile(directory + "/empty", [])
        let empty = try MappedFile.open(directory + "/empty")
        XCTAssertEqual(empty.bytes.count, 0)
        empty.close()
        try writeFile(directory + "/data", utf8("mapped contents"))
        let mapped = try MappedFile.open(directory + "/data")
        XCTAssertEqual(mapped.withBytes { Array($0) }, utf8("mapped contents"))
        XCTAssertEqual(mapped.path, directory + "/data")
        mapped.close()
        XCTAssertThrowsError(try MappedFile.open(directory + "/missing").close()) { error in
            XCTAssertEqual(error as? DiskError, .io(operation: "open", path: directory + "/missing", code: ENOENT))
        }
    }
}
