import Foundation
import HiSoData

/// The IDX reading shared by the raw and the gzip targets (which differ in their seeds only:
/// ``IDX`` reads both through zlib).
public enum FuzzIDX {
    /// Reads `url` as an image file and as a label file; errors are expected and ignored.
    public static func read(_ url: URL) {
        _ = try? IDX.readImages(url)
        _ = try? IDX.readLabels(url, classCount: 10)
    }
}
