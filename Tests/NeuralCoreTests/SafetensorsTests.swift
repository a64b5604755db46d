import FileIO
import Foundation
import NeuralCore
import TestSupport
import XCTest

final class SafetensorsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func sampleEntries() -> [SafetensorsEntry] {
        [
            SafetensorsEntry(name: "enc.0.weight", tensor: Tensor(shape: [2, 1, 2, 2], data: [1, -2, 3.5, 0, 1e-7, -1e30, 0.1, 42])),
            SafetensorsEntry(name: "half", tensor: Tensor(shape: [3], data: [0.5, -2, 65504]), dtype: .f16),
            SafetensorsEntry(name: "brain", tensor: Tensor(shape: [2], data: [1, -256]), dtype: .bf16),
            SafetensorsEntry(name: "scalar", tensor: Tensor(shape: [], data: [7])),
            SafetensorsEntry(name: "empty", tensor: Tensor(shape: [0, 4], data: [])),
        ]
    }

    // MARK: Round trips

    func testRoundTripKeepsValuesShapesOrderAndMetadata() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        let metadata = ["config": "{\"arch\": \"paper\"}\n\u{1}", "ünï": "cödé"]
        try SafetensorsFile.write(sampleEntries(), metadata: metadata, to: url)
        let file = try SafetensorsFile.read(contentsOf: url)
        XCTAssertEqual(file.metadata, metadata)
        XCTAssertEqual(file.names, ["enc.0.weight", "half", "brain", "scalar", "empty"])
        for entry in sampleEntries() {
            XCTAssertEqual(file.tensors[entry.name], entry.tensor, entry.name)
            XCTAssertEqual(file.info(named: entry.name)?.dtype, entry.dtype)
        }
        // Header padded to 8 bytes, as Python's writer does, and no temporary file left behind.
        let bytes = try Data(contentsOf: url)
        XCTAssertEqual(bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) } % 8, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"])
    }

    func testHalfPrecisionRoundsToNearest() throws {
        let values: [Float] = [0.1, 1.0 / 3, -1234.567, 1e-6]
        let entries = [SafetensorsEntry(name: "h", tensor: Tensor(shape: [4], data: values), dtype: .f16),
                       SafetensorsEntry(name: "b", tensor: Tensor(shape: [4], data: values), dtype: .bf16)]
        let file = try SafetensorsFile.parse(SafetensorsFile.encode(entries), file: "mem")
        XCTAssertEqual(file.tensors["h"]!.data, values.map { Float(Float16($0)) })
        // bfloat16 keeps 8 significant bits (7 stored): relative rounding error at most 2⁻⁸.
        assertClose(file.tensors["b"]!.data, values, rtol: 1.0 / 256, atol: 0)
        XCTAssertEqual(file.tensors["b"]!.data[1], 0.333984375) // 1/3 rounds up in bfloat16
    }

    func testWritingReplacesAnExistingFile() throws {
        let url = directory.appendingPathComponent("m.safetensors")
        try SafetensorsFile.write([SafetensorsEntry(name: "x", tensor: Tensor(shape: [1], data: [1]))], to: url)
        try SafetensorsFile.write([SafetensorsEntry(name: "y", tensor: Tensor(shape: [1], data: [2]))], to: url)
        XCTAssertEqual(try SafetensorsFile.read(contentsOf: url).names, ["y"])
    }

    func testWriteRefusesAPipeAndLeavesItInPlace() throws {
        let pipe = directory.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        XCTAssertThrowsError(try SafetensorsFile.write([], to: pipe)) { error in
            XCTAssertTrue("\(error)".contains("found a pipe"), "\(error)")
        }
        XCTAssertEqual(nonRegularFileKind(atPath: pipe.path), "a pipe", "the pipe must still be a pipe")
    }

    func testWriteIntoMissingDirectoryFailsWithOneLine() {
        let url = directory.appendingPathComponent("no/such/dir/m.safetensors")
        XCTAssertThrowsError(try SafetensorsFile.write([], to: url)) { error in
            let e = error as! SafetensorsError
            XCTAssertEqual(e.kind, .unwritable)
            XCTAssertTrue(e.description.hasPrefix(url.path), e.description)
            XCTAssertFalse(e.description.contains("\n"), e.description)
        }
    }

    // MARK: A file written by Python's safetensors

    func testFileWrittenByPythonLoads() throws {
        // Made by scripts/make_safetensors_fixture.py with safetensors.torch.save_file.
        let url = try XCTUnwrap(Bundle.module.url(forResource: "python", withExtension: "safetensors", subdirectory: "Fixtures"))
        let file = try SafetensorsFile.read(contentsOf: url)
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "quote \" and newline \n"])
        XCTAssertEqual(Set(file.names), ["a", "half", "brain", "empty"])
        XCTAssertEqual(file.tensors["a"], Tensor(shape: [2, 3], data: [-1, -0.5, 0, 0.5, 1, 1.5]))
        XCTAssertEqual(file.tensors["half"], Tensor(shape: [4], data: [1, -2, 0.333251953125, 65504]))
        XCTAssertEqual(file.tensors["brain"], Tensor(shape: [2, 2], data: [1, -3, 0.5, 256]))
        XCTAssertEqual(file.tensors["empty"]?.shape, [0, 3])
        XCTAssertEqual(file.info(named: "half")?.dtype, .f16)
        XCTAssertEqual(file.info(named: "brain")?.dtype, .bf16)
    }

    // MARK: Corrupt inputs: each gives one line that names the file and what is wrong

    /// A file with a hand-written header and `dataLength` zero bytes of data.
    private func handMade(_ header: String, dataLength: Int, declaredLength: UInt64? = nil) -> Data {
        let json = Array(header.utf8)
        var data = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: json)
        data.append(Data(count: dataLength))
        return data
    }

    private func assertRejected(
        _ bytes: Data, _ kind: SafetensorsError.Kind, mentioning words: [String] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let url = directory.appendingPathComponent("bad.safetensors")
        try! bytes.write(to: url)
        do {
            let loaded = try SafetensorsFile.read(contentsOf: url)
            XCTFail("loaded a corrupt file with \(loaded.names)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.kind, kind, error.description, file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix(url.path + ": "), error.description, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), error.description, file: file, line: line)
            for word in words {
                XCTAssertTrue(error.description.contains(word), "\(error.description) lacks \(word)", file: file, line: line)
            }
        }
    }

    func testEmptyFile() {
        assertRejected(Data(), .empty, mentioning: ["empty"])
    }

    func testShorterThanTheLengthField() {
        assertRejected(Data([1, 0, 0]), .truncated, mentioning: ["3 bytes"])
    }

    func testTruncatedData() throws {
        let good = SafetensorsFile.encode(sampleEntries())
        assertRejected(good.prefix(good.count - 3), .offsets, mentioning: ["empty", "truncated"])
    }

    func testTruncatedHeader() throws {
        let good = SafetensorsFile.encode(sampleEntries())
        assertRejected(good.prefix(40), .headerLength)
    }

    func testHeaderLengthTooBig() {
        assertRejected(handMade("{}", dataLength: 0, declaredLength: 1 << 40), .headerLength, mentioning: ["1099511627776"])
        assertRejected(handMade("{}", dataLength: 0, declaredLength: UInt64.max), .headerLength)
    }

    func testNotJSON() {
        assertRejected(handMade("{\"a\": {\"dtype\": \"F32\",", dataLength: 0), .json, mentioning: ["JSON"])
        assertRejected(handMade("PK\u{3}\u{4}", dataLength: 0), .json)
        assertRejected(handMade("{\"__metadata__\": {\"n\": 3}}", dataLength: 0), .json, mentioning: ["__metadata__"])
    }

    func testOffsetsOutOfRange() {
        assertRejected(handMade(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataLength: 4), .offsets, mentioning: ["w", "[0, 8]"])
        assertRejected(handMade(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, dataLength: 8), .offsets)
        assertRejected(handMade(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, dataLength: 8), .offsets)
    }

    func testShapeDisagreesWithOffsets() {
        assertRejected(handMade(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataLength: 8),
                       .shapeMismatch, mentioning: ["w", "12 bytes", "give 8"])
        assertRejected(handMade(#"{"w":{"dtype":"F16","shape":[4],"data_offsets":[0,16]}}"#, dataLength: 16), .shapeMismatch)
    }

    func testUnknownDType() {
        assertRejected(handMade(#"{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, dataLength: 8), .dtype, mentioning: ["I64", "F32"])
    }

    func testMalformedEntries() {
        assertRejected(handMade(#"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, dataLength: 4), .entry, mentioning: ["dtype"])
        assertRejected(handMade(#"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, dataLength: 4), .entry, mentioning: ["shape"])
        assertRejected(handMade(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, dataLength: 4), .entry, mentioning: ["data_offsets"])
        assertRejected(handMade(#"{"w":3}"#, dataLength: 0), .entry)
    }

    func testOverlappingTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        assertRejected(handMade(header, dataLength: 12), .overlap, mentioning: ["a", "b", "overlap"])
    }

    /// The reference loader's rule (issue 15): the tensors tile the data part exactly. Four bytes inserted
    /// after the header, or a header length one short, shift every tensor and must not load.
    func testDataNotCoveredExactlyIsRejected() {
        let good = SafetensorsFile.encode(sampleEntries())
        let headerLength = Int(good.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var inserted = good
        inserted.insert(contentsOf: [1, 2, 3, 4], at: 8 + headerLength)
        assertRejected(inserted, .offsets, mentioning: ["cover", "found \(good.count - 8 - headerLength + 4)"])
        var shortLength = good
        // The header's last byte (a pad space or the closing brace) becomes data.
        withUnsafeBytes(of: UInt64(headerLength - 1).littleEndian) { shortLength.replaceSubrange(0 ..< 8, with: $0) }
        let url = directory.appendingPathComponent("short.safetensors")
        try! shortLength.write(to: url)
        XCTAssertThrowsError(try SafetensorsFile.read(contentsOf: url)) { error in
            XCTAssertFalse("\(error)".contains("\n"), "\(error)")
        }
        var trailing = good
        trailing.append(0)
        assertRejected(trailing, .offsets, mentioning: ["cover"])
        assertRejected(handMade(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataLength: 8), .offsets,
                       mentioning: ["a", "starts at data byte 4, expected 0"])
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        assertRejected(handMade(gap, dataLength: 12), .offsets, mentioning: ["b", "expected 4"])
        XCTAssertNoThrow(try SafetensorsFile.parse(handMade("{}", dataLength: 0), file: "none"), "no tensors, no data: valid")
    }

    /// 400 mutations of a valid file through the reader: each loads or throws one line naming the file.
    func testMutatedFilesLoadOrThrowOneLineNeverTrap() {
        let valid = [UInt8](SafetensorsFile.encode(sampleEntries(), metadata: ["k": "v"]))
        var generator = SeededGenerator(seed: 15)
        var refused = 0
        for _ in 0 ..< mutationCaseCount(400) {
            let bytes = mutate(valid, using: &generator)
            do {
                let file = try SafetensorsFile.parse(Data(bytes), file: "fuzz.safetensors")
                for name in file.names { _ = file.tensor(named: name) }
            } catch {
                XCTAssertFalse(error.description.contains("\n"), "two lines: \(error)")
                XCTAssertTrue(error.description.hasPrefix("fuzz.safetensors: "), error.description)
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, mutationCaseCount(200))
    }

    /// Not only "The data is not in the correct format.": where and why the JSON parser stopped.
    func testABrokenJSONHeaderSaysWhereItBroke() {
        for header in ["{\"a\": {\"dtype\": \"F32\",", "{\"a\": 1,, }", "{\"a\" 1}", "{\"a\": tru}"] {
            let url = directory.appendingPathComponent("bad.safetensors")
            try! handMade(header, dataLength: 0).write(to: url)
            XCTAssertThrowsError(try SafetensorsFile.read(contentsOf: url)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("header is not valid JSON"), text)
                XCTAssertFalse(text.contains("not in the correct format"), "a generic reason: \(text)")
                XCTAssertFalse(text.contains("\n"), text)
            }
        }
    }

    func testMissingFile() {
        let url = directory.appendingPathComponent("absent.safetensors")
        XCTAssertThrowsError(try SafetensorsFile.read(contentsOf: url)) { error in
            let e = error as! SafetensorsError
            XCTAssertEqual(e.kind, .unreadable)
            XCTAssertTrue(e.description.hasPrefix(url.path), e.description)
            XCTAssertFalse(e.description.contains("\n"), e.description)
        }
    }
}
