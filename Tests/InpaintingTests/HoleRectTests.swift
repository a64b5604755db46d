import Inpainting
import XCTest

final class HoleRectTests: XCTestCase {
    func testMaskIsZeroExactlyInsideTheHole() {
        let hole = HoleRect(top: 2, left: 3, height: 4, width: 5)
        let m = hole.mask()
        XCTAssertEqual(m.count, 784)
        XCTAssertEqual(m.filter { $0 == 0 }.count, 20)
        XCTAssertEqual(m[2 * 28 + 3], 0)
        XCTAssertEqual(m[5 * 28 + 7], 0)
        XCTAssertEqual(m[6 * 28 + 7], 1)
        XCTAssertEqual(m[5 * 28 + 8], 1)
        XCTAssertTrue(hole.fits())
        XCTAssertFalse(HoleRect(top: 25, left: 0, height: 4, width: 4).fits())
    }
}
