/// An assignment of sample indices (rows of a training ``Dataset``) to federated clients.
///
/// `clients[k]` lists the sample indices of client `k` in ascending order. Every index lies in
/// `0..<sampleCount` and appears at most once across all clients; every client has at least
/// one sample. A partition may leave samples unassigned (the peer's balanced Dirichlet split
/// drops `sampleCount % clientCount` of them, see ``peerDirichlet(labels:classCount:clients:alpha:seed:)``);
/// ``unassigned`` lists them.
///
/// Memory: one `Int` per assigned sample.
public struct Partition: Sendable, Equatable {
    /// A short description of how the partition was made, used in error messages and logs.
    public let name: String
    /// The number of samples in the data set being partitioned.
    public let sampleCount: Int
    /// The sample indices of each client, ascending.
    public let clients: [[Int]]

    /// The number of clients.
    public var clientCount: Int { clients.count }
    /// The number of samples of each client.
    public var sizes: [Int] { clients.map(\.count) }
    /// The total number of assigned samples.
    public var assignedCount: Int { clients.reduce(0) { $0 + $1.count } }

    /// Creates a partition after validating it.
    ///
    /// - Parameters:
    ///   - clients: sample indices per client (any order; stored sorted).
    ///   - sampleCount: the size of the partitioned data set.
    ///   - name: a description for messages.
    /// - Throws: ``DataError/emptyClient(client:clientCount:partition:)`` when a client has no
    ///   sample, ``DataError/invalidAssignment(partition:location:index:sampleCount:reason:)`` for an
    ///   index out of range or assigned twice, ``DataError/invalidArgument(name:value:expected:)``
    ///   when there are no clients.
    /// - Complexity: O(sampleCount + assigned log assigned).
    public init(clients: [[Int]], sampleCount: Int, name: String) throws(DataError) {
        guard !clients.isEmpty else {
            throw .invalidArgument(name: "client count", value: "0", expected: "at least 1 client")
        }
        var seen = [Bool](repeating: false, count: max(sampleCount, 0))
        for (client, indices) in clients.enumerated() {
            guard !indices.isEmpty else {
                throw .emptyClient(client: client, clientCount: clients.count, partition: name)
            }
            for (position, index) in indices.enumerated() {
                guard index >= 0 && index < sampleCount else {
                    throw .invalidAssignment(
                        partition: name, location: "client \(client), position \(position)", index: index,
                        sampleCount: sampleCount, reason: "out of range")
                }
                guard !seen[index] else {
                    throw .invalidAssignment(
                        partition: name, location: "client \(client), position \(position)", index: index,
                        sampleCount: sampleCount, reason: "assigned more than once")
                }
                seen[index] = true
            }
        }
        self.name = name
        self.sampleCount = sampleCount
        self.clients = clients.map { $0.sorted() }
    }

    /// The sample indices assigned to no client, ascending.
    ///
    /// - Complexity: O(sampleCount).
    public var unassigned: [Int] {
        var seen = [Bool](repeating: false, count: sampleCount)
        for indices in clients { for index in indices { seen[index] = true } }
        return seen.indices.filter { !seen[$0] }
    }
}
