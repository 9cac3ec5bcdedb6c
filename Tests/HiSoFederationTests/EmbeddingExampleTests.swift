import Foundation
import HiSoFederation
import HiSoKernels
import HiSoOptim
import Testing

/// The example of the DocC article "Embedding the server and client in your own system", verbatim
/// apart from the checks at the end.
@Suite("Embedding example")
struct EmbeddingExampleTests {
    static func meanSquaredError(_ x: UnsafeBufferPointer<Float>, rows: [([Float], Float)]) -> Float {
        var sum: Float = 0
        for (a, y) in rows {
            var prediction = x[a.count]
            for j in a.indices { prediction += x[j] * a[j] }
            sum += (prediction - y) * (prediction - y)
        }
        return sum / Float(rows.count)
    }

    @Test("the article's server/client pair trains and stays in sync")
    func article() throws {
        let backend = try Kernels.backend()
        let runSeed: UInt64 = 2024
        let estimator = try ZOEstimator(perturbations: 5, mu: 1e-3)
        let initial = [Float](repeating: 0, count: 4)
        let data: [[([Float], Float)]] = [
            [([1, 0, 0], 1), ([0, 1, 0], 2), ([0, 0, 1], 3)],
            [([1, 1, 0], 3), ([0, 1, 1], 5), ([1, 0, 1], 4)],
        ]

        let server = Server(
            parameters: initial, preconditioner: IdentityPreconditioner(), runSeed: runSeed,
            perturbations: 5, localSteps: 1, aggregator: Aggregator(kind: .mean), backend: backend)
        let clients = (0..<2).map { id in
            Client(id: id, parameters: initial, preconditioner: IdentityPreconditioner(),
                   estimator: estimator, localSteps: 1, backend: backend)
        }

        var uplinkBytes = 0
        for round in UInt64(0)..<300 {
            var uploads: [ClientUpload] = []
            for client in clients where round % 3 != 0 || client.id == 0 {
                try client.catchUp(with: server.catchUpRecords(from: client.syncRound))
                uploads.append(client.upload(runSeed: runSeed, learningRate: 0.05) { x, _ in
                    Self.meanSquaredError(x, rows: data[client.id])
                })
            }
            // What travels is Codable and d-free.
            let wire = try JSONEncoder().encode(uploads)
            let received = try JSONDecoder().decode([ClientUpload].self, from: wire)
            uplinkBytes += received.reduce(0) { $0 + 4 * $1.scalars.count }
            try server.finishRound(uploads: received, learningRate: 0.05)
            server.pruneLog(below: clients.map(\.syncRound).min()!)
        }

        let allRows = data[0] + data[1]
        let start = initial.withUnsafeBufferPointer { Self.meanSquaredError($0, rows: allRows) }
        let end = server.parameters.withUnsafeBufferPointer { Self.meanSquaredError($0, rows: allRows) }
        #expect(end < 0.2 * start)
        #expect(uplinkBytes == 20 * (300 + 200))
        for client in clients {
            try client.catchUp(with: server.catchUpRecords(from: client.syncRound))
            #expect(Fixtures.bitwiseEqual(client.parameters, server.parameters))
        }
        let record = try #require(server.log.records.last)
        let decoded = try JSONDecoder().decode(RoundRecord.self, from: try JSONEncoder().encode(record))
        #expect(decoded == record)
    }
}
