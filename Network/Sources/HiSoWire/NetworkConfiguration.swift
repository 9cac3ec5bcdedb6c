import Foundation
import HiSoExperiments
import HiSoFederation

/// What server and clients must agree on: the run (method, `M`, `m`, `tau`, `P`, seeds,
/// aggregator, schedule) and the task (data, partition, model, batch size).
///
/// On the wire it is the `RunConfiguration` message: both values as JSON with sorted keys, so
/// the schema does not repeat the core's configuration field by field.
public struct NetworkConfiguration: Sendable, Equatable {
    /// The federated run.
    public var run: RunConfiguration
    /// The task.
    public var task: TaskSpecification

    /// Creates a configuration.
    public init(run: RunConfiguration, task: TaskSpecification) {
        self.run = run
        self.task = task
    }

    /// The wire form.
    ///
    /// - Throws: ``NetworkError/malformedMessage(what:)`` when a value does not encode (a
    ///   non-finite float).
    public func wire() throws(NetworkError) -> Hiso_Federation_V1_RunConfiguration {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            var message = Hiso_Federation_V1_RunConfiguration()
            message.runJson = String(decoding: try encoder.encode(run), as: UTF8.self)
            message.taskJson = String(decoding: try encoder.encode(task), as: UTF8.self)
            return message
        } catch {
            throw .malformedMessage(what: "run configuration does not encode: \(error)")
        }
    }

    /// Decodes the wire form.
    ///
    /// - Throws: ``NetworkError/malformedMessage(what:)`` naming the document that does not decode.
    public init(wire: Hiso_Federation_V1_RunConfiguration) throws(NetworkError) {
        let decoder = JSONDecoder()
        do {
            run = try decoder.decode(RunConfiguration.self, from: Data(wire.runJson.utf8))
        } catch {
            throw .malformedMessage(what: "run configuration JSON: \(error)")
        }
        do {
            task = try decoder.decode(TaskSpecification.self, from: Data(wire.taskJson.utf8))
        } catch {
            throw .malformedMessage(what: "task specification JSON: \(error)")
        }
    }

    /// Checks that `other` is this configuration.
    ///
    /// - Throws: ``NetworkError/configurationMismatch(what:)`` naming the first differing key,
    ///   with both values.
    public func requireEqual(_ other: NetworkConfiguration) throws(NetworkError) {
        guard other != self else { return }
        let mine = try wire(), theirs = try other.wire()
        for (document, a, b) in [("run", mine.runJson, theirs.runJson), ("task", mine.taskJson, theirs.taskJson)] where a != b {
            let left = (try? JSONSerialization.jsonObject(with: Data(a.utf8))) as? [String: Any] ?? [:]
            let right = (try? JSONSerialization.jsonObject(with: Data(b.utf8))) as? [String: Any] ?? [:]
            for key in Set(left.keys).union(right.keys).sorted() {
                let l = left[key].map { "\($0)" } ?? "absent", r = right[key].map { "\($0)" } ?? "absent"
                if l != r { throw .configurationMismatch(what: "\(document).\(key) is \(r), the server has \(l)") }
            }
        }
        throw .configurationMismatch(what: "the documents differ")
    }
}
