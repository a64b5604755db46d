import Datasets
import FileIO
import Foundation
import Inpainting

// What `fill` and `explain` both do before their work: refuse an --out that would overwrite an input, load
// the model of --model or the bundled one of --dataset, and read 28×28 IDX images.

/// `--out` is written over by rename: pointed at one of the inputs it would replace it. Also checks that its
/// folder is writable, before any work. `inputs` are (flag, path) pairs; a nil path (a flag not given) is skipped.
func checkOutput(_ out: String, isNotAnyOf inputs: [(flag: String, path: String?)]) throws {
    let outURL = URL(fileURLWithPath: out)
    for (flag, input) in inputs {
        if let input, AtomicFile.sameFile(outURL, URL(fileURLWithPath: input)) {
            throw DataError("--out \(out)", "expected a new file, found the same file as \(flag) \(input)")
        }
    }
    try AtomicFile.checkWritable(outURL, label: "--out \(out)")
}

/// The checkpoint of `--model`, or the bundled model of `dataset`. A model recorded for another data set is
/// used anyway, with one line on stderr prefixed by `command` ("inpaint fill").
func loadModel(_ model: String?, dataset: DatasetKind, command: String) throws -> (url: URL, checkpoint: Checkpoint) {
    let url = try model.map { URL(fileURLWithPath: $0) } ?? Checkpoint.bundledModel(for: dataset)
    let checkpoint = try Checkpoint.read(contentsOf: url)
    if let notice = checkpoint.dataset.mismatchNotice("model", file: url.path, wanted: dataset) {
        FileHandle.standardError.write(Data("\(command): \(notice)\n".utf8))
    }
    return (url, checkpoint)
}

/// The IDX images of `--images`, refused unless they are 28×28.
func readDigitImages(_ images: String) throws -> IDXImages {
    let stack = try IDXImages(contentsOf: URL(fileURLWithPath: images))
    guard stack.rows == Digit.side, stack.columns == Digit.side else {
        throw DataError("--images \(images)", "expected \(Digit.side)×\(Digit.side) images, found \(stack.rows)×\(stack.columns)")
    }
    return stack
}
