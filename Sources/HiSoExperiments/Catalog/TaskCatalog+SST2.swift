import Foundation
import HiSoFederation
import HiSoKernels
import HiSoTransformer

extension TaskCatalog {
    /// Builds the `sst2-minilm` task (``SST2MiniLMTask``) from the specification's model and data
    /// directories, subset, batch size, train limit, validation hold-out, initial head and
    /// partition (iid, or Dirichlet with `alpha`).
    ///
    /// The model and the splits are loaded once per directory and shared by every task this
    /// catalog builds; each task has its own encoder cache, and the last task built is returned
    /// again (cache warm) for the same specification, client count and backend.
    ///
    /// - Throws: ``CatalogError`` when a directory is missing or unreadable, or a setting is unusable.
    /// - Complexity: the first call per directory reads the 91 MB model and tokenizes nothing yet;
    ///   building the task tokenizes the (limited) training and dev sentences.
    func sst2MiniLM(_ spec: TaskSpecification, clients: Int, backend: any KernelBackend) throws(CatalogError) -> any FederatedTask {
        guard let modelDirectory = spec.modelDirectory else {
            throw .invalidSetting(
                task: spec.name, setting: "model directory", value: "not given",
                expected: "--model-dir DIR, the all-MiniLM-L6-v2 directory fetched with Utils/fetch-minilm DIR")
        }
        guard let dataDirectory = spec.dataDirectory else {
            throw .missingDataDirectory(task: spec.name, contents: "a GLUE SST-2 train.tsv and dev.tsv")
        }
        let alpha: Double?
        switch spec.partition {
        case .iid: alpha = nil
        case .dirichlet: alpha = spec.alpha
        case .peerDirichlet:
            throw .invalidSetting(task: spec.name, setting: "partition", value: "peer-dirichlet", expected: "iid or dirichlet")
        }
        let settings = SST2MiniLMTask.Settings(
            subset: spec.subset ?? "head", clients: clients, dirichletAlpha: alpha, batchSize: spec.batchSize,
            trainLimit: spec.trainLimit, evaluationTrainSample: spec.evaluationTrainSample ?? 512,
            validationCount: spec.validationCount ?? 0, initialHead: spec.initialHead)
        let encodedSpec = (try? ReportJSON.data(spec, pretty: false)).map { String(decoding: $0, as: UTF8.self) } ?? "\(spec)"
        let key = "\(encodedSpec)|\(clients)|\(backend.kind.rawValue)|\(backend.threads)"
        if let cached = sst2Task, cached.key == key { return cached.task }
        do throws(SST2MiniLMTask.SetupError) {
            let model = try sst2Model(modelDirectory)
            let data = try sst2Splits(dataDirectory)
            sst2Task = nil
            let task = try SST2MiniLMTask(
                model: model, train: data.train, dev: data.dev, settings: settings, seed: spec.dataSeed, backend: backend)
            sst2Task = (key, task)
            return task
        } catch {
            switch error {
            case .modelNotFound(let directory, _), .dataNotFound(let directory, _):
                throw .dataUnavailable(task: spec.name, location: directory, reason: error.description)
            case .invalidSetting, .transformer:
                throw .buildFailed(task: spec.name, reason: error.description)
            }
        }
    }

    private func sst2Model(_ directory: String) throws(SST2MiniLMTask.SetupError) -> PretrainedBert {
        if let cached = sst2Models[directory] { return cached }
        let model = try SST2MiniLMTask.loadModel(directory: URL(fileURLWithPath: directory, isDirectory: true))
        sst2Models[directory] = model
        return model
    }

    private func sst2Splits(_ directory: String) throws(SST2MiniLMTask.SetupError) -> (train: SST2Dataset, dev: SST2Dataset) {
        if let cached = sst2Data[directory] { return cached }
        let data = try SST2MiniLMTask.loadData(directory: URL(fileURLWithPath: directory, isDirectory: true))
        sst2Data[directory] = data
        return data
    }
}
