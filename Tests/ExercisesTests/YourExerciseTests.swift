import Exercises
import XCTest

/// Your answers (Sources/Exercises/YourCode.swift) against the same checks, once you switch
/// exercises on: `SWIFTLET_EXERCISES=pow,sin swift test --filter YourExerciseTests` (or `all`).
/// Skipped otherwise, so that unwritten exercises do not fail the build.
final class YourExerciseTests: XCTestCase {
    func testYourExercises() throws {
        let exercises = try Exercise.switchedOn()
        try XCTSkipIf(exercises.isEmpty, "no exercise switched on: set SWIFTLET_EXERCISES=pow,sin,… or all")
        for exercise in exercises {
            XCTAssertNoThrow(try exercise.check(YourCode.self), "exercise \(exercise.rawValue)")
        }
    }
}
