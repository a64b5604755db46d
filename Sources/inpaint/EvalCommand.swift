import ArgumentParser
import Datasets
import Evaluation
import FileIO
import Foundation
import Inpainting
import NeuralCore

/// `inpaint eval`: the evaluation table of issue 4 §2 — a model beside the five classical fills, on the
/// test split with fixed masks, scored by hole MSE/MAE, PSNR, SSIM and the digit classifier's accuracy.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a model and the classical fills on the test split with fixed masks.",
        discussion: """
            Without --masks the holes are those of `inpaint masks make --count N --seed 0` for the N test \
            images. The mean-image fill uses the mean of the training split. Hole errors are pooled over all \
            hole pixels; the mean per-image PSNR caps each image at 48.13 dB (one 8-bit grey level); SSIM is \
            that of the composite (Wang et al. 2004, 11×11 Gaussian window σ 1.5); accuracy is the bundled \
            classifier's on the composites, overall and by class. --dataset fashion scores the bundled \
            Fashion-MNIST model with the Fashion-MNIST classifier and names the classes (T-shirt/top, …); a \
            model or classifier recorded for another data set is used anyway, with one line on stderr.
            """)

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Model checkpoint (.safetensors); default: the bundled model of --dataset, if there is one.")
    var model: String?

    @Flag(help: "Score only the classical fills.")
    var fillsOnly = false

    @Option(help: "Masks file (see `inpaint masks make`); default: seed 0 over the test split.")
    var masks: String?
    @Option(help: "Holes when no --masks is given: rect (the report's rectangles, as `masks make`), stroke (free-form brush strokes of the same area) or mixed; all seeded with 0.")
    var holes: MaskSamplerKind = .rect

    @Option(help: "Classifier (.safetensors); default: the bundled one of --dataset (inpaint data list shows where).")
    var classifier: String?

    @Option(help: "Score only the first N test images.")
    var count: Int?

    @Option(help: "Worker threads for the classical fills.")
    var threads = 2

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive, found \(count)") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, found \(threads)") }
        if fillsOnly && model != nil { throw ValidationError("--fills-only and --model exclude each other") }
        if masks != nil && holes != .rect { throw ValidationError("--holes \(holes.rawValue) and --masks exclude each other (a masks file holds rectangles)") }
    }

    func run() throws {
        let dataset = try dataOptions.load()
        guard var test = dataset.test else {
            throw DataError("--data \(dataset.location.directory.path)", "expected a test split, found none")
        }
        if let count {
            guard count <= test.count else {
                throw DataError("--count \(count)", "expected at most the \(test.count) test images")
            }
            test = test.prefix(count)
        }
        let n = test.count
        let masksName: String
        let maskValues: [Float]
        if holes == .rect {
            masksName = masks.map { "--masks \($0)" } ?? "inpaint masks make --count \(n) --seed 0"
            let file = try masks.map { try MasksFile(contentsOf: URL(fileURLWithPath: $0)) } ?? MasksFile.make(count: n, seed: 0)
            maskValues = try file.masks(forImageCount: n, name: masksName)
        } else {
            // Free-form holes cannot be stored in a masks file; they are drawn from seed 0, so they repeat.
            masksName = "\(holes.rawValue) holes, seed 0"
            var rng = SeededGenerator(seed: 0)
            maskValues = MaskSampler(kind: holes).sampleMasks(count: n, using: &rng)
        }

        let classifierURL: URL?
        do {
            classifierURL = try classifier.map { URL(fileURLWithPath: $0) } ?? bundledClassifierURL(for: dataOptions.dataset)
        } catch {
            classifierURL = nil
            note("\(error): accuracy not reported")
        }
        let kind = dataset.location.dataset
        let digitClassifier = try classifierURL.map { url throws in try readClassifier(url, for: kind, tool: "inpaint eval") }
        let evaluator = InpaintingEvaluator(images: test.images.pixels, labels: (0..<n).map { test.label(at: $0) },
                                            masks: maskValues, classifier: digitClassifier)

        var rows: [(name: String, result: MetricsAccumulator)] = []
        if !fillsOnly, let modelURL = try modelURL() {
            let checkpoint = try Checkpoint.read(contentsOf: modelURL)
            if let notice = checkpoint.dataset.mismatchNotice("model", file: modelURL.path, wanted: kind) { note(notice) }
            note("scoring \(modelURL.lastPathComponent) on \(n) test images")
            let result = evaluator.evaluate { masked, masks, count in
                checkpoint.model.fill(images: masked, masks: masks, count: count, output: .reconstruction)
            }
            rows.append(("model", result))
        }
        var fills: [ClassicalFill] = [.zero]
        if let train = dataset.train, train.count > 0 {
            fills.append(.mean(meanImage(train)))
        } else {
            note("no training split: the mean-image fill is left out")
        }
        fills += [.harmonic, .biharmonic, .telea(radius: 3)]
        for fill in fills {
            note("scoring \(fill.name) fill")
            rows.append((fill.name, evaluator.evaluate(fill, threads: threads)))
        }

        if json {
            print(try jsonReport(rows, images: n, masks: masksName, classifier: classifierURL?.path, dataset: kind))
        } else {
            print(table(rows, images: n, masks: masksName, dataset: kind))
        }
    }

    /// The checkpoint to score: --model, else the bundled one if it exists, else none (fills only).
    private func modelURL() throws -> URL? {
        if let model { return URL(fileURLWithPath: model) }
        do {
            return try Checkpoint.bundledModel(for: dataOptions.dataset)
        } catch {
            note("no model given and none bundled (\(error)): scoring the classical fills only")
            return nil
        }
    }

    private func meanImage(_ split: MNISTSplit) -> [Float] {
        var sum = [Double](repeating: 0, count: Digit.pixels)
        split.images.pixels.withUnsafeBufferPointer { p in
            for i in 0..<split.count { for j in 0..<Digit.pixels { sum[j] += Double(p[i * Digit.pixels + j]) } }
        }
        return sum.map { Float($0 / Double(split.count)) }
    }
}

// MARK: Output

private func table(_ rows: [(name: String, result: MetricsAccumulator)], images: Int, masks: String,
                   dataset: DatasetKind) -> String {
    func percent(_ a: Double?) -> String { a.map { String(format: "%6.2f%%", 100 * $0) } ?? "      -" }
    func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }
    var lines = ["\(images) \(dataset) test images, masks: \(masks)", "",
                 "method       hole MSE  hole MAE  PSNR pooled  PSNR mean   SSIM   accuracy"]
    for (name, r) in rows {
        let s = r.overall
        lines.append(pad(name, 12) + String(format: " %8.4f  %8.4f  %8.2f dB  %6.2f dB  %6.4f", s.mse, s.mae,
                                              s.psnrPooled, s.psnrMeanPerImage, s.ssim) + "  " + percent(s.accuracy))
    }
    guard let first = rows.first else { return lines.joined(separator: "\n") }
    lines += ["", "by hole area (pixels): hole MSE / accuracy"]
    lines.append(pad("method", 12) + first.result.byArea.map { bin in
        pad(" \(bin.bin.lowerBound)–\(bin.bin.upperBound) (\(bin.summary.images) images)", 24)
    }.joined())
    for (name, r) in rows {
        lines.append(pad(name, 12) + r.byArea.map { pad(String(format: " %.4f / ", $0.summary.mse) + percent($0.summary.accuracy).trimmingCharacters(in: .whitespaces), 24) }.joined())
    }
    // By class, one row per class and one column per method: accuracy (hole MSE when there is no classifier).
    let scored = first.result.overall.accuracy != nil
    lines += ["", "by class: \(scored ? "accuracy on the composite" : "hole MSE")"]
    lines.append(pad("class", 18) + rows.map { pad(" " + $0.name, 12) }.joined())
    for (label, summary) in first.result.byClass {
        let cells = rows.map { row -> String in
            let s = row.result.byClass.first { $0.label == label }?.summary
            return pad(" " + (scored ? percent(s?.accuracy).trimmingCharacters(in: .whitespaces)
                                     : String(format: "%.4f", s?.mse ?? .nan)), 12)
        }
        lines.append(pad("\(label) \(dataset == .mnist ? "" : dataset.className(label))", 18) + cells.joined()
                     + " (\(summary.images) images)")
    }
    return lines.joined(separator: "\n")
}

private struct JSONReport: Encodable {
    struct Bin: Encodable { var holePixels: [Int]; var metrics: MetricsSummary }
    struct Class: Encodable { var label: Int; var name: String; var metrics: MetricsSummary }
    struct Method: Encodable { var name: String; var overall: MetricsSummary; var byArea: [Bin]; var byClass: [Class] }
    var dataset: String
    /// The names of labels 0–9 ("0"…"9", or "T-shirt/top"… for Fashion-MNIST).
    var classNames: [String]
    var images: Int
    var masks: String
    var classifier: String?
    var methods: [Method]
}

private func jsonReport(_ rows: [(name: String, result: MetricsAccumulator)], images: Int, masks: String,
                        classifier: String?, dataset: DatasetKind) throws -> String {
    let report = JSONReport(dataset: dataset.rawValue, classNames: dataset.classNames, images: images, masks: masks,
                            classifier: classifier, methods: rows.map { row in
        JSONReport.Method(name: row.name, overall: row.result.overall, byArea: row.result.byArea.map {
            JSONReport.Bin(holePixels: [$0.bin.lowerBound, $0.bin.upperBound], metrics: $0.summary)
        }, byClass: row.result.byClass.map {
            JSONReport.Class(label: $0.label, name: dataset.className($0.label), metrics: $0.summary)
        })
    })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // A perfect method has MSE 0 and an infinite pooled PSNR, which JSON cannot spell as a number.
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(report), as: UTF8.self)
}

/// Progress and notes go to stderr so that stdout holds only the table or the JSON.
private func note(_ line: String) {
    FileHandle.standardError.write(("inpaint eval: " + line + "\n").data(using: .utf8)!)
}
