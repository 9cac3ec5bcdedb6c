/// A train and a test ``Dataset`` with the same feature shape and class count.
public struct TrainTestSplit: Sendable, Equatable {
    /// The training set (partitioned among clients in federated runs).
    public let train: Dataset
    /// The held-out test set.
    public let test: Dataset

    /// Pairs two data sets.
    ///
    /// - Precondition: both have the same feature count and class count (a programmer error
    ///   otherwise: the loaders check user files and throw ``DataError`` before pairing them).
    public init(train: Dataset, test: Dataset) {
        precondition(train.featureCount == test.featureCount && train.classCount == test.classCount,
                     "train/test shapes differ")
        self.train = train
        self.test = test
    }
}
