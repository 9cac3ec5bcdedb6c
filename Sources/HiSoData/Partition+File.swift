import Foundation

extension Partition {
    /// Reads an explicit partition from a `client,train_row` CSV (the peer's
    /// `digits_partition_*.csv` format): a header line, then one `client,row` pair per line, with
    /// 0-based client ids and 0-based data-row indices into the training set (header excluded).
    ///
    /// - Parameters:
    ///   - url: the CSV file (plain or `.gz`).
    ///   - sampleCount: the size of the training set the rows index.
    ///   - clientCount: the expected number of clients; `nil` takes `max(client) + 1`.
    /// - Throws: ``DataError/malformedCSV(file:line:column:reason:)`` for a bad header or cell, a
    ///   negative client or one `>= clientCount` (or, without a client count, one `>=` the number
    ///   of rows, which would leave a client empty) with its line and column,
    ///   ``DataError/invalidAssignment(partition:location:index:sampleCount:reason:)`` for a row out
    ///   of range or listed twice (with its line), ``DataError/emptyClient(client:clientCount:partition:)``
    ///   for a client id with no rows.
    /// - Complexity: O(file size + sampleCount).
    public static func file(_ url: URL, sampleCount: Int, clientCount: Int? = nil) throws(DataError) -> Partition {
        let table = try CSVFile(contentsOf: url, hasHeader: true)
        try table.requireHeader(["client", "train_row"])
        var pairs: [(client: Int, row: Int)] = []
        pairs.reserveCapacity(table.rowCount)
        var seen = [Bool](repeating: false, count: max(sampleCount, 0))
        for row in 0..<table.rowCount {
            let client = try table.integer(row, 0)
            let index = try table.integer(row, 1)
            let clientLimit = clientCount ?? table.rowCount
            guard client >= 0 && client < clientLimit else {
                throw .malformedCSV(
                    file: url.path, line: table.line(ofRow: row), column: 1,
                    reason: "client \(client) out of range 0..<\(clientLimit) (\(clientCount == nil ? "every client needs a row" : "the client count"))")
            }
            guard index >= 0 && index < sampleCount else {
                throw .invalidAssignment(
                    partition: url.path, location: "line \(table.line(ofRow: row))", index: index,
                    sampleCount: sampleCount, reason: "out of range")
            }
            guard !seen[index] else {
                throw .invalidAssignment(
                    partition: url.path, location: "line \(table.line(ofRow: row))", index: index,
                    sampleCount: sampleCount, reason: "assigned more than once")
            }
            seen[index] = true
            pairs.append((client, index))
        }
        let count = clientCount ?? ((pairs.map(\.client).max() ?? -1) + 1)
        var clients = [[Int]](repeating: [], count: count)
        for pair in pairs { clients[pair.client].append(pair.row) }
        return try Partition(clients: clients, sampleCount: sampleCount, name: url.path)
    }
}
