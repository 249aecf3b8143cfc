import XCTest
@testable import Datasets

/// `holdingOut(validation:)`: the last N training images become the evaluation set, the
/// rest stay for training, images and labels still paired; impossible sizes are refused.
final class ValidationSplitTests: XCTestCase {
    /// Image i is 2×2 pixels all equal to i, labelled i % 3.
    private func dataset(trainCount: Int) throws -> ImageDataset {
        let train = try ImageSet(channels: 1, height: 2, width: 2, pixels: (0..<trainCount).flatMap { [UInt8](repeating: UInt8($0), count: 4) },
                                 labels: (0..<trainCount).map { UInt8($0 % 3) }, classNames: ["a", "b", "c"], file: "train")
        let test = try ImageSet(channels: 1, height: 2, width: 2, pixels: [UInt8](repeating: 200, count: 4), labels: [0],
                                classNames: ["a", "b", "c"], file: "test")
        return ImageDataset(name: "tiny", train: train, test: test)
    }

    func testTheLastImagesBecomeTheEvaluationSet() throws {
        let split = try dataset(trainCount: 10).holdingOut(validation: 3)
        XCTAssertEqual(split.train.count, 7)
        XCTAssertEqual(split.test.count, 3)
        XCTAssertEqual(split.train.pixels, (0..<7).flatMap { [UInt8](repeating: UInt8($0), count: 4) })
        XCTAssertEqual(split.test.pixels, (7..<10).flatMap { [UInt8](repeating: UInt8($0), count: 4) })
        XCTAssertEqual(split.train.labels, (0..<7).map { UInt8($0 % 3) })
        XCTAssertEqual(split.test.labels, [1, 2, 0])
        XCTAssertFalse(split.test.pixels.contains(200), "the real test set is not used")
        XCTAssertEqual(split.test.classNames, ["a", "b", "c"])
        XCTAssertTrue(split.name.contains("validation"), split.name)
    }

    func testASplitThatLeavesNoTrainingImagesIsRefused() throws {
        let data = try dataset(trainCount: 10)
        for count in [0, 10, 11] {
            XCTAssertThrowsError(try data.holdingOut(validation: count)) { error in
                XCTAssertEqual((error as? DatasetError)?.kind, .invalidValidationSplit)
                XCTAssertTrue("\(error)".contains("hold out \(count) validation images from 10 training images"), "\(error)")
            }
        }
    }
}
