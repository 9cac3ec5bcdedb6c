import HiSoKernels

/// Seeded, epoch-wise shuffled mini-batches of one client's samples, like a PyTorch `DataLoader`
/// with `shuffle=True` whose iterator is restarted whenever it runs out.
///
/// Epoch `e` visits the client's samples in the order of a Fisher–Yates shuffle of ``indices``
/// driven by `SeededGenerator(seed: seed, stream: [5, client, e])`, so the whole stream of batches
/// is a pure function of `(seed, client)` and independent of other clients, thread counts and
/// backends. Batches are consecutive chunks of `batchSize`; the last chunk of an epoch is partial
/// unless `dropLast` (then it is skipped). After the last batch the next epoch starts by itself.
///
/// Memory: two arrays of the client's sample count (indices and the epoch order); ``next(into:)``
/// allocates nothing.
public struct ClientBatcher: Sendable {
    /// The data set the indices refer to (shared storage, not copied).
    public let dataset: Dataset
    /// The client's sample indices, in the base order that every epoch's shuffle starts from.
    public let indices: [Int]
    /// The batch size.
    public let batchSize: Int
    /// The run's seed.
    public let seed: UInt64
    /// The client id (selects the random stream).
    public let client: Int
    /// Whether a final partial batch of an epoch is skipped.
    public let dropLast: Bool
    /// The current epoch (0-based).
    public private(set) var epoch: Int
    /// The position of the next batch's first sample in the current epoch's order.
    public private(set) var position: Int
    private var order: [Int]

    /// Creates a batcher positioned at the start of epoch 0.
    ///
    /// - Parameters:
    ///   - dataset: the data set.
    ///   - indices: the client's sample indices (e.g. `partition.clients[k]`); all samples when `nil`.
    ///   - batchSize: samples per batch, at least 1.
    ///   - seed: the run's seed.
    ///   - client: the client id, at least 0.
    ///   - dropLast: skip a partial final batch in each epoch (requires `batchSize <= indices.count`).
    /// - Throws: ``DataError/emptyClient(client:clientCount:partition:)`` for no indices,
    ///   ``DataError/invalidAssignment(partition:location:index:sampleCount:reason:)`` for an index
    ///   outside the data set, ``DataError/invalidArgument(name:value:expected:)`` for a bad size.
    public init(
        dataset: Dataset, indices: [Int]? = nil, batchSize: Int, seed: UInt64, client: Int = 0, dropLast: Bool = false
    ) throws(DataError) {
        let indices = indices ?? Array(0..<dataset.count)
        guard !indices.isEmpty else {
            throw .emptyClient(client: client, clientCount: client + 1, partition: "batcher for \(dataset.name ?? "dataset")")
        }
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= dataset.count }) {
            throw .invalidAssignment(
                partition: "batcher for client \(client)", location: "position \(bad)", index: indices[bad],
                sampleCount: dataset.count, reason: "out of range")
        }
        guard batchSize >= 1, !dropLast || batchSize <= indices.count else {
            throw .invalidArgument(
                name: "batch size", value: "\(batchSize)",
                expected: dropLast ? "1...\(indices.count) (the client's sample count) with dropLast" : "at least 1")
        }
        guard client >= 0 else { throw .invalidArgument(name: "client id", value: "\(client)", expected: "at least 0") }
        self.dataset = dataset
        self.indices = indices
        self.batchSize = batchSize
        self.seed = seed
        self.client = client
        self.dropLast = dropLast
        self.order = indices
        self.epoch = 0
        self.position = 0
        shuffleOrder()
    }

    /// The number of batches in one epoch.
    public var batchesPerEpoch: Int {
        dropLast ? indices.count / batchSize : (indices.count + batchSize - 1) / batchSize
    }

    /// A batch buffer sized for this batcher.
    public func makeBatch() -> Batch { Batch(capacity: batchSize, featureCount: dataset.featureCount) }

    /// Moves to the start of `epoch` (for resuming or replaying a client's stream).
    ///
    /// - Precondition: `epoch >= 0`.
    /// - Complexity: O(client sample count), no allocation.
    public mutating func start(epoch: Int) {
        precondition(epoch >= 0, "epoch must be non-negative")
        self.epoch = epoch
        position = 0
        shuffleOrder()
    }

    /// The sample indices of the next batch (a view into the epoch order), advancing the stream
    /// and starting the next epoch when the current one is exhausted.
    ///
    /// - Complexity: O(1) amortised; O(client sample count) at an epoch boundary. No allocation.
    public mutating func nextIndices() -> ArraySlice<Int> {
        let remaining = order.count - position
        if remaining == 0 || (dropLast && remaining < batchSize) {
            start(epoch: epoch + 1)
        }
        let end = min(position + batchSize, order.count)
        let slice = order[position..<end]
        position = end
        return slice
    }

    /// Positions the stream at overall batch `number` (0-based, counting across epochs), so the
    /// next ``next(into:)`` returns it: epoch `number / batchesPerEpoch`, batch
    /// `number % batchesPerEpoch` within it. Gives a batch as a pure function of
    /// `(seed, client, number)`, e.g. `number = round * localSteps + step`.
    ///
    /// - Precondition: `number >= 0`.
    /// - Complexity: O(1) within the current epoch, O(client sample count) when the epoch changes.
    ///   No allocation.
    public mutating func seek(toBatch number: Int) {
        precondition(number >= 0, "batch number must be non-negative")
        let targetEpoch = number / batchesPerEpoch
        if targetEpoch != epoch { start(epoch: targetEpoch) }
        position = (number % batchesPerEpoch) * batchSize
    }

    /// Fills `batch` with the next batch's features, labels and sample indices.
    ///
    /// - Precondition: `batch` was made by ``makeBatch()`` (or has capacity >= batchSize and the
    ///   data set's feature count).
    /// - Complexity: O(batchSize * featureCount) copy, no allocation.
    public mutating func next(into batch: inout Batch) {
        let slice = nextIndices()
        batch.fill(from: dataset, indices: slice)
    }

    private mutating func shuffleOrder() {
        order.withUnsafeMutableBufferPointer { destination in
            indices.withUnsafeBufferPointer { source in
                guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
                dst.update(from: src, count: source.count)
            }
        }
        var generator = SeededGenerator(seed: seed, PartitionStream.batches, UInt64(client), UInt64(epoch))
        generator.shuffle(&order)
    }
}
