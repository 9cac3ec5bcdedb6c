import HiSoModels
import Testing

@Suite("Initialisation")
struct NetworkInitializationTests {
    @Test("every slice lies in U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the uniform mean and variance")
    func distribution() throws {
        let net = try Network.cnnFMNIST()
        let x = net.initialParameters(seed: 42)
        for slice in net.slices {
            let bound = 1 / Float(slice.fanIn).squareRoot()
            let values = x[slice.range]
            #expect(values.allSatisfy { abs($0) <= bound }, "\(slice.name)")
            guard slice.count >= 1000 else { continue }
            let n = Double(slice.count)
            let mean = values.reduce(0.0) { $0 + Double($1) } / n
            let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
            let b = Double(bound)
            // U(-b, b): mean 0 (sd b/sqrt(3n)), variance b^2/3.
            #expect(abs(mean) < 5 * b / (3 * n).squareRoot(), "\(slice.name) mean \(mean)")
            #expect(abs(variance / (b * b / 3) - 1) < 0.05, "\(slice.name) variance \(variance)")
            #expect(values.max()! > 0.99 * bound && values.min()! < -0.99 * bound, "\(slice.name) range")
        }
    }

    @Test("initialisation is a pure function of the seed")
    func deterministic() throws {
        let net = try Network.cnnMNIST()
        let a = net.initialParameters(seed: 7)
        #expect(a == net.initialParameters(seed: 7))
        let b = net.initialParameters(seed: 8)
        #expect(a != b)
        #expect(zip(a, b).filter { $0 == $1 }.count < 10)
        // Slices are independent streams: the first values of two slices differ.
        #expect(a[0] != a[400])
    }
}
