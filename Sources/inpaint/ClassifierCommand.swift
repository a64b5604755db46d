import ArgumentParser
import Datasets
import FileIO
import Evaluation
import Foundation
import Inpainting

/// `inpaint classifier train|eval`: the digit classifier that scores inpainted composites (issue 4 §2).
struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train or evaluate the digit classifier used to score inpainted digits.",
        subcommands: [ClassifierTrain.self, ClassifierEval.self])
}

/// The bundled classifier for `dataset`, from the first folder `AssetsLocator` searches that holds it; else
/// a one-line error naming every place searched.
func bundledClassifierURL(for dataset: DatasetKind) throws(DataError) -> URL {
    try DigitClassifier.bundledURL(for: dataset)
}

/// Reads a classifier and, when it was trained on another data set than `dataset`, says so in one line on
/// stderr (`tool`: "inpaint eval") and keeps it.
func readClassifier(_ url: URL, for dataset: DatasetKind, tool: String) throws -> DigitClassifier {
    let classifier = try DigitClassifier.read(contentsOf: url)
    if let notice = classifier.dataset.mismatchNotice("classifier", file: url.path, wanted: dataset) {
        FileHandle.standardError.write(Data("\(tool): \(notice)\n".utf8))
    }
    return classifier
}

struct ClassifierTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train the classifier on the training split and save it.")

    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Passes over the training split.") var epochs = ClassifierTrainingOptions().epochs
    @Option(help: "Images per Adam step.") var batch = ClassifierTrainingOptions().batchSize
    @Option(help: "Adam learning rate.") var lr = ClassifierTrainingOptions().learningRate
    @Option(help: "Seed for the weights and the shuffling.") var seed = ClassifierTrainingOptions().seed
    @Option(help: "Where to write the weights (safetensors; default: the bundled file of --dataset, assets/classifier.safetensors or assets/fashion-classifier.safetensors).")
    var out: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
    }

    func run() throws {
        let dataset = try dataOptions.load()
        guard let train = dataset.train else {
            throw ValidationError("--data \(dataset.location.directory.path): no training split found")
        }
        var options = ClassifierTrainingOptions()
        options.epochs = epochs; options.batchSize = batch; options.learningRate = lr; options.seed = seed
        let labels = (0..<train.count).map { train.label(at: $0) }
        let validation = dataset.test.map { test in (test.images.pixels, (0..<test.count).map { test.label(at: $0) }) }
        let stepsPerEpoch = (train.count + batch - 1) / batch
        log("training on \(train.count) images from \(dataset.location.directory.path), \(epochs) epochs, seed \(seed)")
        let started = Date()
        var model = DigitClassifier.train(images: train.images.pixels, labels: labels, options: options,
                                          validation: validation) { event in
            switch event {
            case .step(let epoch, let step, let loss):
                if step % 50 == 0 {
                    let rate = Double(step * batch) / Date().timeIntervalSince(started)
                    log(String(format: "epoch %d  step %d/%d  loss %.4f  %.0f img/s", epoch,
                               step - (epoch - 1) * stepsPerEpoch, stepsPerEpoch, loss, rate))
                }
            case .epochFinished(let epoch, let meanLoss, let accuracy):
                let acc = accuracy.map { String(format: "  test accuracy %.2f%%", 100 * $0) } ?? ""
                log(String(format: "epoch %d done  mean loss %.4f", epoch, meanLoss) + acc)
            }
            return true
        }
        model.dataset = dataset.location.dataset
        let url = URL(fileURLWithPath: out ?? "assets/" + DigitClassifier.assetFileName(for: dataOptions.dataset))
        var metadata = ["epochs": "\(epochs)", "seed": "\(seed)", "batch": "\(batch)", "lr": "\(lr)",
                        "training_images": "\(train.count)"]
        if let (images, labels) = validation {
            metadata["test_accuracy"] = String(format: "%.4f", model.accuracy(images: images, labels: labels))
        }
        try model.write(to: url, metadata: metadata)
        log("wrote \(url.path) (\(String(format: "%.0f", Date().timeIntervalSince(started))) s)")
    }
}

struct ClassifierEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Accuracy of a saved classifier on the test split.")

    @OptionGroup var dataOptions: DataOptions
    @Option(help: "The classifier weights (default: the bundled one).") var model: String?
    @Flag(help: "Print JSON instead of a sentence.") var json = false

    func run() throws {
        let path = try model ?? bundledClassifierURL(for: dataOptions.dataset).path
        let classifier = try readClassifier(URL(fileURLWithPath: path), for: dataOptions.dataset, tool: "inpaint classifier eval")
        let dataset = try dataOptions.load()
        guard let test = dataset.test else {
            throw ValidationError("--data \(dataset.location.directory.path): no test split found")
        }
        let labels = (0..<test.count).map { test.label(at: $0) }
        let accuracy = classifier.accuracy(images: test.images.pixels, labels: labels)
        if json {
            print("{\"model\":\"\(path)\",\"dataset\":\"\(dataset.location.dataset.rawValue)\",\"images\":\(test.count),\"accuracy\":\(accuracy)}")
        } else {
            print(String(format: "%@: %.2f%% of %d %@ test images correct", path, 100 * accuracy, test.count,
                         dataset.location.dataset.description))
        }
    }
}

/// Progress goes to stderr so that stdout stays for results.
private func log(_ line: String) {
    FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
}
